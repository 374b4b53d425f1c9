/// A bucket as a publication uses it: whole objects under keys that are repository-relative
/// paths (`metadata/3.snapshot.json`, `targets/simple/numpy/SHA.index.json`), so the bucket
/// holds the repository folder's layout (`RepositoryLayout`). TUFRepositoryS3's `S3Bucket` is the
/// real one; tests give one in memory. Calls block until the store has acknowledged them.
public protocol ObjectBucket: AnyObject {
    /// `s3://bucket/prefix/`, as messages name the bucket.
    var name: String { get }
    /// The object at `key`, nil when there is none; longer than `maxBytes` is an error.
    func get(_ key: String, maxBytes: Int) throws(RepositoryError) -> [UInt8]?
    /// The objects at `keys`, several at a time, in order.
    func getMany(_ keys: [String], maxBytes: Int) throws(RepositoryError) -> [[UInt8]?]
    /// Stores every object, several at a time, and returns once all are acknowledged; a
    /// create-only object whose key is taken is `.taken` (nothing written).
    func put(_ objects: [BucketObject]) throws(RepositoryError) -> [BucketPutOutcome]
    /// Deletes the objects (a missing one is no error).
    func delete(_ keys: [String]) throws(RepositoryError)
    /// Every key below `prefix` with its size.
    func list(_ prefix: String) throws(RepositoryError) -> [String: Int64]
}

/// One object to store.
public struct BucketObject: Sendable {
    public var key: String
    public var bytes: [UInt8]
    /// Never overwrite: `If-None-Match: *`.
    public var createOnly: Bool
    public var contentType: String
    public var cacheControl: String
}

/// What a put did.
public enum BucketPutOutcome: Equatable, Sendable {
    case stored
    /// Create-only and the key was taken.
    case taken
}
