import TUFFileSystem
import TUFMetadata

/// The writer of a publication to a bucket: each step goes to the bucket first, then, once
/// every object of it is acknowledged, to the repository folder (`RepositoryStore`). Before
/// the first metadata step, the targets the new roles list that the bucket lacks (their
/// hash-prefixed copies: pages and linked files) go up, so no role reaches the bucket before
/// the files it names. Versioned names are created only (`If-None-Match: *`); the names every
/// publication replaces are overwritten.
struct BucketWriter: PublicationWriter {
    let local: RepositoryStore
    let session: BucketPublication
    /// The snapshot the folder (and so the bucket) serves now: the role versions already up.
    let publishedSnapshot: Snapshot?

    private var layout: RepositoryLayout { RepositoryLayout(root: local.root) }
    private var bucket: any ObjectBucket { session.bucket }

    func put(_ batch: WriteBatch) throws(RepositoryError) {
        try local.reach(batch.step)
        try session.checkUnchanged()
        if batch.step == .delegatedRoles { try upload(try newTargets(listedBy: batch.files)) }
        try upload(batch.files.map { session.cache.object($0.path, $0.bytes) })
        try local.write(batch.files)
        if let ts = batch.files.first(where: { $0.path == RepositoryLayout.timestampFile }) { session.expectedTimestamp = ts.bytes }
    }

    /// Removes the new names of a publication that failed before its timestamp, here, and in
    /// the bucket only while it is still this run's: after another publisher's timestamp or
    /// lease, the same versioned names may be its files.
    func remove(_ paths: [String]) {
        if (try? session.checkUnchanged()) != nil { try? bucket.delete(paths) }
        local.remove(paths)
    }

    func linkPlainNames(_ pages: [PlainPage]) throws(RepositoryError) {
        try local.reach(.plainNames)
        try upload(pages.map { session.cache.object(RepositoryLayout.target($0.path), $0.bytes) })
        try local.linkPlainNames(pages)
    }

    /// A journal replay: the plain names get the bytes of their hash-prefixed copies here.
    func relinkPlainNames(_ pages: [(path: String, sha256: String)]) throws(RepositoryError) {
        var objects: [BucketObject] = []
        for (page, sha) in pages {
            let copy = try FileIO.read(layout.absolute(RepositoryLayout.hashPrefixedTarget(page, sha256: sha)))
            objects.append(session.cache.object(RepositoryLayout.target(page), copy))
        }
        try upload(objects)
        try local.relinkPlainNames(pages)
    }

    func upload(_ objects: [BucketObject]) throws(RepositoryError) { try BucketSync.put(objects, in: bucket) }

    /// The hash-prefixed copies of targets that `files` (new targets-type roles) list and the
    /// roles they replace did not, read from the folder; a target with no copy here (a
    /// distribution file served from elsewhere) has none to upload.
    private func newTargets(listedBy files: [(path: String, bytes: [UInt8])]) throws(RepositoryError) -> [BucketObject] {
        var objects: [BucketObject] = [], seen = Set<String>()
        for file in files {
            guard let role = Self.role(of: file.path), !["root", "snapshot", "timestamp"].contains(role) else { continue }
            let targets: [String: TargetFile]
            do { targets = try Metadata<Targets>(bytes: file.bytes, name: file.path).signed.targets } catch {
                throw RepositoryError(.invalidMetadata, "\(file.path): \(error.message)")
            }
            guard !targets.isEmpty else { continue }
            let before = try previousTargets(of: role)
            for (path, target) in targets {
                guard let sha = target.hashes["sha256"], before[path]?.hashes["sha256"] != sha else { continue }
                let key = RepositoryLayout.hashPrefixedTarget(path, sha256: sha)
                guard seen.insert(key).inserted, let bytes = try FileIO.readIfPresent(layout.absolute(key)) else { continue }
                objects.append(session.cache.object(key, bytes))
            }
        }
        return objects
    }

    /// The targets of the version of `role` the published snapshot lists (empty when none).
    private func previousTargets(of role: String) throws(RepositoryError) -> [String: TargetFile] {
        guard let version = publishedSnapshot?.meta(forRole: role)?.version else { return [:] }
        let relative = RepositoryLayout.metadata(role: role, version: version)
        guard let bytes = try FileIO.readIfPresent(layout.absolute(relative)) else { return [:] }
        do { return try Metadata<Targets>(bytes: bytes, name: relative).signed.targets } catch { return [:] }
    }

    /// `bin-0a1` of `metadata/7.bin-0a1.json`; nil for any other name.
    static func role(of path: String) -> String? {
        guard path.hasPrefix(RepositoryLayout.metadataFolder + "/"), path.hasSuffix(".json") else { return nil }
        let name = path.dropFirst(RepositoryLayout.metadataFolder.count + 1).dropLast(5)
        guard let dot = name.firstIndex(of: "."), Int64(name[..<dot]) != nil else { return nil }
        return String(name[name.index(after: dot)...])
    }
}
