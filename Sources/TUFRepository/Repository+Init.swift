import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// The keys and thresholds of a new repository.
public struct InitOptions: Sendable {
    public var rootKeys: [Key]
    public var rootThreshold: Int
    public var targetsKeys: [Key]
    public var targetsThreshold: Int
    public var binsKeys: [Key]
    public var binsThreshold: Int
    public var binNKeys: [Key]
    public var snapshotKeys: [Key]
    public var timestampKeys: [Key]
    public var policy: RepositoryPolicy

    public init(rootKeys: [Key], rootThreshold: Int, targetsKeys: [Key], targetsThreshold: Int = 1,
                binsKeys: [Key], binsThreshold: Int = 1, binNKeys: [Key], snapshotKeys: [Key], timestampKeys: [Key],
                policy: RepositoryPolicy) {
        self.rootKeys = rootKeys; self.rootThreshold = rootThreshold
        self.targetsKeys = targetsKeys; self.targetsThreshold = targetsThreshold
        self.binsKeys = binsKeys; self.binsThreshold = binsThreshold
        self.binNKeys = binNKeys; self.snapshotKeys = snapshotKeys; self.timestampKeys = timestampKeys
        self.policy = policy
    }
}

/// The outcome of a command that stages metadata: what was published, or why not yet.
public struct StageOutcome: Sendable, Equatable {
    public var result: PublishResult
    /// Why the staged metadata is not published yet (signatures or online keys missing).
    public var waiting: String?
}

extension Repository {
    /// Rejects a key list or threshold that could never verify, and a list that holds one key
    /// material twice (same keyid, or another spelling of the key): it would count as two keys.
    static func checkKeys(_ keys: [Key], threshold: Int, role: String) throws(RepositoryError) {
        guard !keys.isEmpty else { throw RepositoryError(.invalidArgument, "\(role): at least one key is needed") }
        var seen: [[UInt8]: String] = [:]
        for k in keys {
            if let first = seen[k.publicKey.material] {
                throw RepositoryError(.invalidArgument, first == k.keyID
                    ? "\(role): key \(first) is given twice"
                    : "\(role): keys \(first) and \(k.keyID) are the same key written two ways; list it once")
            }
            seen[k.publicKey.material] = k.keyID
        }
        guard threshold >= 1, threshold <= keys.count else {
            throw RepositoryError(.invalidArgument, "\(role): the threshold must be from 1 to the number of keys (\(keys.count)), is \(threshold)")
        }
    }

    /// The `targets` → `bins` delegation: every path (all sixteen first hex digits of the path hash,
    /// because `*` does not cross `/` in TUF path patterns).
    static func binsDelegation(keys: [Key], threshold: Int) -> Delegations {
        Delegations(keys: Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { a, _ in a }),
                    roles: [DelegatedRole(name: "bins", keyIDs: keys.map(\.keyID), threshold: threshold, terminating: false,
                                          pathHashPrefixes: (0..<16).map { String($0, radix: 16) })])
    }

    /// Creates the repository at `path`: policy, root, targets and bins staged and signed with the
    /// matching `signers`; everything is published at once when the signers suffice.
    public static func initialize(at path: String, options o: InitOptions, signers: [any Signer], now: Expiry,
                                  durability: RepositoryStore.Durability = .batch) throws(RepositoryError) -> (Repository, StageOutcome) {
        try checkKeys(o.rootKeys, threshold: o.rootThreshold, role: "root")
        try checkKeys(o.targetsKeys, threshold: o.targetsThreshold, role: "targets")
        try checkKeys(o.binsKeys, threshold: o.binsThreshold, role: "bins")
        try checkKeys(o.binNKeys, threshold: 1, role: "bin-n")
        try checkKeys(o.snapshotKeys, threshold: 1, role: "snapshot")
        try checkKeys(o.timestampKeys, threshold: 1, role: "timestamp")
        try FileIO.makeDirectories(path)
        let repo = Repository(path: path, durability: durability)
        guard !FileSystem.exists(repo.path + "/" + policyFile) else {
            throw RepositoryError(.invalidArgument, "\(path) already holds a repository (\(policyFile))")
        }
        let outcome = try repo.locked { () throws(RepositoryError) -> StageOutcome in
            let entries = signers.map(SignerEntry.init)
            let p = o.policy
            var keys: [String: Key] = [:]
            for k in o.rootKeys + o.targetsKeys + o.snapshotKeys + o.timestampKeys { keys[k.keyID] = k }
            let root = Root(common: SignedCommon(version: 1, expires: expiry(now, p.expiry(of: .root))), keys: keys, roles: [
                .root: Role(keyIDs: o.rootKeys.map(\.keyID), threshold: o.rootThreshold),
                .targets: Role(keyIDs: o.targetsKeys.map(\.keyID), threshold: o.targetsThreshold),
                .snapshot: Role(keyIDs: o.snapshotKeys.map(\.keyID), threshold: 1),
                .timestamp: Role(keyIDs: o.timestampKeys.map(\.keyID), threshold: 1),
            ], consistentSnapshot: true)
            let targets = Targets(common: SignedCommon(version: 1, expires: expiry(now, p.expiry(of: .targets))),
                                  delegations: binsDelegation(keys: o.binsKeys, threshold: o.binsThreshold))
            let bins = Targets(common: SignedCommon(version: 1, expires: expiry(now, p.expiry(of: .bins))),
                               delegations: p.bins.delegations(keys: o.binNKeys, threshold: 1, succinct: p.succinct))
            try repo.store.write([(policyFile, p.encoded())])
            try repo.stage(Metadata(signed: root), .root, signers: entries, keys: RoleKeys(root: root, .root))
            try repo.stage(Metadata(signed: targets), .targets, signers: entries, keys: RoleKeys(root: root, .targets))
            try repo.stage(Metadata(signed: bins), .bins, signers: entries, keys: RoleKeys(delegator: targets, "bins")!)
            return try repo.publishStaged(signers: entries, now: now)
        }
        return (repo, outcome)
    }

    /// Signs `md` with the signers that hold keys of the role (any number) and stages it.
    func stage<P: SignedPayload>(_ md: Metadata<P>, _ role: RepositoryRole, signers: [SignerEntry], keys: RoleKeys) throws(RepositoryError) {
        var md = md
        let bytes = md.signedBytes()
        for s in signers where keys.keyIDs.contains(s.keyID) {
            do { try md.sign(with: s.signer, signedBytes: bytes) } catch {
                throw RepositoryError(.missingKey, "\(role.rawValue): signing with key \(s.keyID) failed: \(error.message)")
            }
        }
        try store.write([(Self.stagedPath(role), md.encoded())])
    }

    /// Publishes what staging completed; reports instead of failing when signatures or online
    /// keys are still missing.
    func publishStaged(signers: [SignerEntry], now: Expiry) throws(RepositoryError) -> StageOutcome {
        do {
            let r = try publish(signers: signers, desired: .published, mode: .stagedOnly, now: now)
            let left = try loadStaged()
            var waiting: String?
            if let held = r.heldRoot {
                waiting = held
            } else if left.root != nil || left.targets != nil || left.bins != nil {
                waiting = "staged metadata still needs signatures (see tuf-repo status)"
            }
            return StageOutcome(result: r, waiting: waiting)
        } catch where error.code == .awaitingSignatures {
            return StageOutcome(result: PublishResult(), waiting: error.message)
        } catch where error.code == .missingKey {
            return StageOutcome(result: PublishResult(), waiting: "the staged roles are signed; publishing them needs the online keys "
                                + "(run tuf-repo generate with --key for bin-n, snapshot and timestamp): \(error.message)")
        }
    }

    /// Reads the index snapshot at `index` and publishes the bins that changed or must be
    /// refreshed, then snapshot and timestamp, signed with the online `signers`; also writes the
    /// pages (and, with `linkFiles`, hard links of the distribution files) under `targets/`.
    /// Nothing is written when the index fails to read or a needed key is missing.
    /// With a page cache that matches the published snapshot, only the pages whose bytes
    /// changed are parsed and only the bins they touch are rebuilt (`readIncremental`).
    public func generate(index: String, signers: [any Signer], linkFiles: Bool = false, now: Expiry) throws(RepositoryError) -> PublishResult {
        try locked { () throws(RepositoryError) -> PublishResult in
            var index = index
            while index.count > 1, index.hasSuffix("/") { index.removeLast() }
            let read = try readIndex(index, policy: try policy(), linkFiles: linkFiles)
            var result = try publish(read, index: index, signers: signers.map(SignerEntry.init), linkFiles: linkFiles, now: now)
            pruneAfterPublication(&result)
            return result
        }
    }

    /// An index snapshot as `generate` read it: in full, or the changes since the page cache.
    struct IndexRead {
        var snapshot: IndexSnapshot
        var desired: DesiredTargets
        /// The cache the read started from (incremental reads only), and the one to write.
        var cache: PageCache?
        var header: PageCache.Header
        var isIncremental: Bool { cache != nil }
        var hasChanges: Bool { if case .changes(let c) = desired { !c.isEmpty } else { true } }
    }

    /// Reads the index: only the changed pages when the page cache matches the published
    /// snapshot (a cache made with --link-files also serves a run without, not the other way
    /// round), else every page.
    func readIndex(_ index: String, policy: RepositoryPolicy, linkFiles: Bool) throws(RepositoryError) -> IndexRead {
        let layout = policy.bins
        let snapshotVersion = try load(Timestamp.self, Self.metadataPath("timestamp.json"))?.signed.snapshotMeta.version
        let header = PageCache.Header(snapshotVersion: snapshotVersion ?? 0, algorithms: PageCache.Header.algorithmNames(policy.hashAlgorithms),
                                      binCount: layout.count, linkFiles: linkFiles)
        let targetsDirectory = path + "/targets/"
        let keepBytes: @Sendable (String, String) -> Bool = { p, sha in
            !Repository.isTargetCurrent(p, sha256: sha, targetsDirectory: targetsDirectory)
        }
        let reportRead = progress.map { pr in { (n: Int, total: Int) in pr.update("pages read", done: n, total: total) } }
        defer { progress?.finish() }
        if snapshotVersion != nil, let cache = loadPageCache(), cache.header.snapshotVersion == header.snapshotVersion,
           cache.header.algorithms == header.algorithms, cache.header.binCount == header.binCount, cache.header.linkFiles || !linkFiles,
           let incremental = IndexSnapshot.readIncremental(index: index, hashAlgorithms: policy.hashAlgorithms, cache: cache, layout: layout,
                                                           keepBytes: keepBytes, progress: reportRead) {
            return IndexRead(snapshot: incremental.snapshot, desired: .changes(incremental.changes), cache: cache, header: header)
        }
        let snapshot = try IndexSnapshot.read(index: index, hashAlgorithms: policy.hashAlgorithms, keepBytes: keepBytes, progress: reportRead)
        var all = [[String: TargetFile]](repeating: [:], count: layout.count)
        for (p, file) in snapshot.targets { all[layout.bin(for: p)][p] = file }
        return IndexRead(snapshot: snapshot, desired: .all(all), cache: nil, header: header)
    }

    /// Publishes what `read` found: target files first (even when nothing will publish, so
    /// every file to link is checked on every run that reads it; new names only, removed again
    /// should the publication fail), then the metadata with the page cache written just before
    /// the timestamp, then the plain page names.
    func publish(_ read: IndexRead, index: String, signers: [SignerEntry], linkFiles: Bool, now: Expiry) throws(RepositoryError) -> PublishResult {
        let snapshot = read.snapshot
        var header = read.header
        var pageCacheWritten = false
        func writePageCache(snapshotVersion: Int64?) throws(RepositoryError) {
            if let snapshotVersion { header.snapshotVersion = snapshotVersion }
            try store.write([(PageCache.file, PageCache.encode(header: header, body: snapshot.cacheBody, pageCount: snapshot.cachePageCount))])
            pageCacheWritten = true
        }
        let created = try writeTargetFiles(snapshot, index: index, linkFiles: linkFiles)
        let plainNames = snapshot.pageBytes.keys.map { (path: $0, sha256: snapshot.pages[$0]!) }
        let result: PublishResult
        do throws(RepositoryError) {
            result = try publish(signers: signers, desired: read.desired, mode: .refresh, now: now, plainNames: plainNames,
                                 beforeTimestamp: { (version) throws(RepositoryError) in try writePageCache(snapshotVersion: version) })
        } catch {
            // Only while no timestamp names them: after it, they are published.
            let current = try? load(Timestamp.self, Self.metadataPath("timestamp.json"))?.signed.snapshotMeta.version
            if current ?? 0 == read.header.snapshotVersion { for p in created { _ = try? FileIO.remove(path + "/" + p) } }
            throw error
        }
        if result.published { try store.reach(.plainNames) }
        try linkPlainPageNames(snapshot)
        try clearPlainNameJournal()
        // Nothing published: an unchanged cache is not rewritten.
        if !pageCacheWritten, !read.isIncremental || result.published || read.hasChanges || read.cache?.header != header {
            try writePageCache(snapshotVersion: nil)
        }
        return result
    }

    /// The page cache, or nil when it is missing or damaged.
    func loadPageCache() -> PageCache? {
        guard let bytes = try? FileIO.readIfPresent(path + "/" + PageCache.file) else { return nil }
        return PageCache.parse(bytes)
    }
}
