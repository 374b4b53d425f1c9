import TUFClient
import TUFFileSystem
import TUFMetadata

/// Brings into the folder what the bucket publishes beyond it: newer roots, and the chain of
/// a newer `timestamp.json` (its snapshot and every role file that snapshot lists, read from
/// the folder when it has them). It is the takeover of a second signing machine (a folder
/// with the policy and a trusted `metadata/root.json`, nothing else) and the repair of a run
/// killed between a step in the bucket and the same step here. Everything is verified as a
/// client would (TUFClient's `TrustedMetadataSet`, from the folder's root; expiry aside: the
/// point may be to renew what lapsed), then written here in TUF's order, timestamp last. The
/// state store, which names the old snapshot, is rebuilt by the next publication.
struct BucketAdoption {
    let session: BucketPublication
    let repository: Repository

    private var bucket: any ObjectBucket { session.bucket }
    private var layout: RepositoryLayout { repository.layout }

    /// Adopts the roots after the folder's, then the chain of `timestamp`.
    func adopt(timestamp: [UInt8]) throws(RepositoryError) {
        var (trusted, roots) = try newerRoots()
        let file = "\(bucket.name)\(RepositoryLayout.timestampFile)"
        var roles: [(path: String, bytes: [UInt8])] = []
        var snapshot: (path: String, bytes: [UInt8])
        do {
            _ = try trusted.updateTimestamp(timestamp)
            let path = RepositoryLayout.metadata(role: "snapshot", version: trusted.timestamp!.signed.snapshotMeta.version)
            snapshot = (path, try fetch([path])[0])
            _ = try trusted.updateSnapshot(snapshot.bytes)
            let listed = trusted.snapshot!.signed.meta.map { (role: String($0.key.dropLast(5)), version: $0.value.version) }
            let paths = listed.map { RepositoryLayout.metadata(role: $0.role, version: $0.version) }
            roles = Array(zip(paths, try fetch(paths)))
            try verifyRoles(&trusted, roles: Dictionary(uniqueKeysWithValues: zip(listed.map(\.role), roles.map(\.bytes))))
        } catch let error as ClientError {
            throw RepositoryError(.unverifiedPublished, "\(file): the bucket's chain does not verify from this folder's root: \(error.message)")
        } catch let error as RepositoryError {
            throw error
        } catch {
            throw RepositoryError(.unverifiedPublished, "\(file): \(error)")
        }
        // Role files first, then the snapshot, the roots, the timestamp: the order of a publication.
        try write(roles.filter { !isHere($0) })
        try write([snapshot])
        try writeRoots(roots)
        try write([(RepositoryLayout.timestampFile, timestamp)])
        session.events.append("adopted \(file) (version \(trusted.timestamp!.signed.version)) and the chain it names into \(layout.root)")
    }

    /// Adopts roots the bucket has after the folder's (a run killed after its root step).
    func adoptNewerRoots() throws(RepositoryError) {
        // A folder being initialised has no root yet, and nothing in the bucket to follow.
        guard FileSystem.exists(layout.absolute(RepositoryLayout.rootFile)) else { return }
        let (_, roots) = try newerRoots()
        try writeRoots(roots)
        if let last = roots.last { session.events.append("adopted \(bucket.name)\(last.path) into \(layout.root)") }
    }

    /// The trusted set from the folder's root, moved through every newer root in the bucket.
    private func newerRoots() throws(RepositoryError) -> (TrustedMetadataSet, [(path: String, bytes: [UInt8])]) {
        guard let rootBytes = try FileIO.readIfPresent(layout.absolute(RepositoryLayout.rootFile)) else {
            throw RepositoryError(.notInitialized, "\(layout.absolute(RepositoryLayout.rootFile)) is missing: to take over publishing to \(bucket.name), copy the repository's trusted root.json (from the root ceremony) there first")
        }
        var trusted: TrustedMetadataSet
        do { trusted = try TrustedMetadataSet(rootBytes: rootBytes, referenceTime: repository.clock.now(), checkExpiry: false) } catch {
            throw RepositoryError(.invalidMetadata, "\(layout.absolute(RepositoryLayout.rootFile)): \(error.message)")
        }
        // The root chain from version 1 under its versioned names, as a folder that published
        // it holds (audits walk it from 1): the older ones as the bucket has them, the trusted
        // one from root.json. Clients and the planner trust only what follows from root.json.
        var roots: [(path: String, bytes: [UInt8])] = []
        let trustedVersion = trusted.root.signed.version
        for v in 1...trustedVersion where !FileSystem.exists(layout.absolute(RepositoryLayout.metadata(role: "root", version: v))) {
            let path = RepositoryLayout.metadata(role: "root", version: v)
            if let bytes = v == trustedVersion ? rootBytes : try bucket.get(path, maxBytes: BucketSync.metadataLimit) { roots.append((path, bytes)) }
        }
        while true {
            let path = RepositoryLayout.metadata(role: "root", version: trusted.root.signed.version + 1)
            guard let bytes = try bucket.get(path, maxBytes: BucketSync.metadataLimit) else { break }
            do { _ = try trusted.updateRoot(bytes) } catch {
                throw RepositoryError(.unverifiedPublished, "\(bucket.name)\(path) does not verify from this folder's root: \(error.message)")
            }
            roots.append((path, bytes))
        }
        return (trusted, roots)
    }

    /// targets (from root), bins (from targets) and every other listed role (from bins).
    private func verifyRoles(_ trusted: inout TrustedMetadataSet, roles: [String: [UInt8]]) throws(ClientError) {
        for (role, delegator) in [("targets", "root"), ("bins", "targets")] {
            guard let bytes = roles[role] else { throw ClientError(.missingRole, "the snapshot does not list \(role).json") }
            _ = try trusted.updateDelegatedTargets(bytes, role: role, delegator: delegator)
        }
        for (role, bytes) in roles where role != "targets" && role != "bins" {
            _ = try trusted.updateDelegatedTargets(bytes, role: role, delegator: "bins")
        }
    }

    /// The bytes of `paths`, from the folder when it has them, else from the bucket.
    private func fetch(_ paths: [String]) throws(RepositoryError) -> [[UInt8]] {
        var out = [[UInt8]?](repeating: nil, count: paths.count), missing: [Int] = []
        for (i, p) in paths.enumerated() {
            out[i] = try FileIO.readIfPresent(layout.absolute(p))
            if out[i] == nil { missing.append(i) }
        }
        let got = try bucket.getMany(missing.map { paths[$0] }, maxBytes: BucketSync.metadataLimit)
        for (i, bytes) in zip(missing, got) {
            guard let bytes else { throw RepositoryError(.unverifiedPublished, "\(bucket.name)\(paths[i]) is missing, yet the bucket's metadata names it") }
            out[i] = bytes
        }
        return out.map { $0! }
    }

    private func isHere(_ file: (path: String, bytes: [UInt8])) -> Bool {
        (try? FileIO.readIfPresent(layout.absolute(file.path))) == file.bytes
    }

    private func write(_ files: [(path: String, bytes: [UInt8])]) throws(RepositoryError) {
        if !files.isEmpty { try repository.store.write(files) }
    }

    /// Each newer root under its versioned name, then the last one as `root.json`.
    private func writeRoots(_ roots: [(path: String, bytes: [UInt8])]) throws(RepositoryError) {
        guard let last = roots.last else { return }
        try write(roots)
        try write([(RepositoryLayout.rootFile, last.bytes)])
    }
}
