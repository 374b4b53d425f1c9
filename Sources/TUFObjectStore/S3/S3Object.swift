/// What a PUT did.
public enum S3PutResult: Sendable, Equatable {
    /// The object is stored (its ETag when the store gave one).
    case created(etag: String?)
    /// A create-only PUT (`If-None-Match: *`) found the key taken (HTTP 412); nothing was
    /// written. The caller reads the object to tell "already there with these bytes" from a conflict.
    case alreadyExists
}

/// An object's metadata, as HEAD and GET return it.
public struct S3ObjectInfo: Sendable, Equatable {
    /// The key relative to the client's prefix.
    public let key: String
    public let size: Int64?
    public let etag: String?
    public let contentType: String?
    public let cacheControl: String?
}

/// An object read whole: its metadata and bytes.
public struct S3Object: Sendable, Equatable {
    public let info: S3ObjectInfo
    public let bytes: [UInt8]
}

/// One entry of a listing.
public struct S3ListedObject: Sendable, Equatable {
    /// The key relative to the client's prefix.
    public let key: String
    public let size: Int64
    public let etag: String?
}
