import Glibc
import TUFCanonicalJSON
import TUFMetadata

/// Publishing to a bucket as well as to the repository folder (`--publish s3://BUCKET/PREFIX`).
/// The bucket is what clients read and the truth; the folder is this machine's working copy
/// and the state store a cache of it. Every step of a publication goes to the bucket first
/// and to the folder once the bucket acknowledged it (`BucketWriter`), so the folder is never
/// ahead of the bucket, and a command starts by bringing the folder up to the bucket
/// (`BucketSync`). One publisher at a time: a lease object (`BucketLease`), and before each
/// step a check that `timestamp.json` in the bucket is still the one this run last saw.
public final class BucketPublication {
    public let bucket: any ObjectBucket
    public let cache: BucketCachePolicy
    /// How long the lease this run takes lasts, in seconds.
    public var leaseSeconds: Int64 = 900
    /// The bucket's `timestamp.json` as this run last saw or wrote it; nil while it holds none.
    var expectedTimestamp: [UInt8]?
    var lease: BucketLease?
    /// What the bucket sync did (adopted or pushed), for the command to report.
    public internal(set) var events: [String] = []
    /// Called on shutdown (the S3 client's connection pool).
    private let close: () -> Void

    /// Publishing to `bucket`; `close` is called when this publication ends (a client's
    /// connection pool). TUFRepositoryS3 opens S3 buckets (`BucketSettings.open`).
    public init(bucket: any ObjectBucket, cache: BucketCachePolicy = BucketCachePolicy(), close: @escaping () -> Void = {}) {
        self.bucket = bucket; self.cache = cache; self.close = close
    }

    deinit { close() }

    /// `s3://bucket/prefix/`.
    public var name: String { bucket.name }

    /// Fails unless the bucket still holds the `timestamp.json` this run expects and the
    /// lease is still this run's: another publisher changed it, and writing on would mix two
    /// publications.
    func checkUnchanged() throws(RepositoryError) {
        let now = try bucket.get(RepositoryLayout.timestampFile, maxBytes: BucketSync.metadataLimit)
        guard now == expectedTimestamp else {
            throw RepositoryError(.publisherBusy, "\(name)\(RepositoryLayout.timestampFile) changed during this run: another publisher is writing to the bucket; nothing more was written")
        }
        try lease?.confirm()
    }
}
