import TUFFileSystem
import TUFMetadata

/// What a command does with the bucket before it reads the folder, under the repository
/// lock: take the lease, then bring the folder and the bucket level. The bucket's
/// `timestamp.json` decides: the folder's own means they agree; a newer one (another machine
/// published, or this one was killed between the bucket's step and the folder's) is adopted,
/// verified, into the folder (`BucketAdoption`); none, or an older one, means the folder holds
/// publications the bucket never got, and they are pushed in TUF's order (`BucketPush`).
enum BucketSync {
    /// The largest metadata file read back from a bucket.
    static let metadataLimit = 64 << 20

    static func begin(_ session: BucketPublication, repository: Repository) throws(RepositoryError) {
        let bucket = session.bucket
        session.lease = try BucketLease.acquire(bucket, now: repository.clock.now(), seconds: session.leaseSeconds)
        let remote = try bucket.get(RepositoryLayout.timestampFile, maxBytes: metadataLimit)
        let local = try FileIO.readIfPresent(repository.layout.absolute(RepositoryLayout.timestampFile))
        session.expectedTimestamp = remote
        let remoteVersion = try remote.map { (b) throws(RepositoryError) in try version(b, "\(bucket.name)\(RepositoryLayout.timestampFile)") }
        let localVersion = try local.map { (b) throws(RepositoryError) in try version(b, repository.layout.absolute(RepositoryLayout.timestampFile)) }
        switch (remoteVersion, localVersion) {
        case (let r?, let l?) where r == l && remote != local:
            throw RepositoryError(.publisherBusy, "\(bucket.name)\(RepositoryLayout.timestampFile) is version \(r), as here, with other bytes: another publisher signed it; nothing was written")
        case (let r?, let l) where l == nil || r > l!:
            try BucketAdoption(session: session, repository: repository).adopt(timestamp: remote!)
        case (let r, let l?) where r == nil || r! < l:
            try BucketPush(session: session, repository: repository).push()
            session.expectedTimestamp = local
        default:
            // Level; a root a killed run put up before its timestamp is adopted all the same.
            try BucketAdoption(session: session, repository: repository).adoptNewerRoots()
        }
    }

    /// Ends the command's use of the bucket: the lease goes.
    static func end(_ session: BucketPublication) {
        session.lease?.release()
        session.lease = nil
    }

    private static func version(_ bytes: [UInt8], _ name: String) throws(RepositoryError) -> Int64 {
        do { return try Metadata<Timestamp>(bytes: bytes, name: name).signed.version } catch {
            throw RepositoryError(.invalidMetadata, "\(name): \(error.message)")
        }
    }

    /// Puts `objects`; a create-only one whose key is taken must hold the same bytes, or be
    /// left over from a run that never reached its timestamp (`resolveTaken`).
    static func put(_ objects: [BucketObject], in bucket: any ObjectBucket) throws(RepositoryError) {
        let outcomes = try bucket.put(objects)
        let taken = zip(objects, outcomes).filter { $0.1 == .taken }.map(\.0)
        if !taken.isEmpty { try resolveTaken(taken, in: bucket) }
    }

    /// Create-only objects whose keys were taken: the same bytes are fine (a retried put, or
    /// a rerun); other bytes under a versioned metadata name above what is published are left
    /// by a run killed before its timestamp, which nothing names, and are replaced; other
    /// bytes under a root's name (clients probe for the next root) or a hash-prefixed name
    /// are a conflict that needs an operator.
    static func resolveTaken(_ objects: [BucketObject], in bucket: any ObjectBucket) throws(RepositoryError) {
        var replace: [BucketObject] = []
        for object in objects {
            let held = try bucket.get(object.key, maxBytes: max(object.bytes.count * 2, 1 << 20))
            if held == object.bytes { continue }
            let role = BucketWriter.role(of: object.key)
            guard held == nil || (role != nil && role != "root") else {
                throw RepositoryError(.bucketConflict, "\(bucket.name)\(object.key) already holds other bytes than this publication's; a published file is never overwritten (if a run elsewhere published it, run again to adopt it)")
            }
            var o = object
            o.createOnly = false
            replace.append(o)
        }
        if !replace.isEmpty { _ = try bucket.put(replace) }
    }
}
