import TUFFileSystem
import TUFMetadata

/// Sends the bucket what the folder publishes and the bucket lacks, in TUF's order: the
/// hash-prefixed targets, the role files, the snapshots, the roots, `root.json`, then
/// `timestamp.json`, and last the plain target names (new, or of another size). The first
/// publication to an empty bucket is this, and so is catching up a bucket a folder was
/// published past without `--publish`. What the listing shows is not sent again.
struct BucketPush {
    let session: BucketPublication
    let repository: Repository
    /// Objects read into memory and put at once.
    var chunk = 256

    private var bucket: any ObjectBucket { session.bucket }
    private var layout: RepositoryLayout { repository.layout }

    func push() throws(RepositoryError) {
        let held = try bucket.list(RepositoryLayout.metadataFolder + "/").merging(try bucket.list(RepositoryLayout.targetsFolder + "/")) { a, _ in a }
        var targets: [String] = [], plain: [String] = [], roles: [String] = [], snapshots: [(Int64, String)] = [], roots: [(Int64, String)] = []
        try FileTree.walk(layout.targetsDirectory) { (f) throws(RepositoryError) in
            let key = RepositoryLayout.target(f.relative)
            guard !FileTree.isTemporary(TargetPath.splitLast(f.relative).1) else { return }
            if BucketCachePolicy.isMutable(key) {
                if held[key] != f.size { plain.append(key) }
            } else if held[key] == nil { targets.append(key) }
        }
        try FileTree.walk(layout.metadataDirectory) { (f) throws(RepositoryError) in
            let key = RepositoryLayout.metadata(f.relative)
            guard held[key] == nil, !FileTree.isTemporary(f.relative), let role = BucketWriter.role(of: key) else { return }
            let version = Int64(f.relative.prefix { $0 != "." })!
            switch role {
            case "root": roots.append((version, key))
            case "snapshot": snapshots.append((version, key))
            default: roles.append(key)
            }
        }
        try send(targets)
        try send(roles)
        try send(snapshots.sorted { $0.0 < $1.0 }.map(\.1))
        try send(roots.sorted { $0.0 < $1.0 }.map(\.1))
        for file in [RepositoryLayout.rootFile, RepositoryLayout.timestampFile] where FileSystem.exists(layout.absolute(file)) {
            try send([file])
        }
        try send(plain.sorted())
        let total = targets.count + roles.count + snapshots.count + roots.count + plain.count
        session.events.append("pushed \(total) files of \(layout.root) that \(bucket.name) lacked, timestamp.json last")
    }

    /// Puts `keys`, read from the folder, `chunk` at a time, in order.
    private func send(_ keys: [String]) throws(RepositoryError) {
        var start = 0
        while start < keys.count {
            let part = keys[start..<min(start + chunk, keys.count)]
            var objects: [BucketObject] = []
            for key in part { objects.append(session.cache.object(key, try FileIO.read(layout.absolute(key)))) }
            try BucketSync.put(objects, in: bucket)
            start += chunk
        }
    }
}
