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
    /// Creates the repository at `path`: policy, root, targets and bins staged and signed with the
    /// matching `signers`; everything is published at once when the signers suffice.
    public static func initialize(at path: String, options o: InitOptions, signers: [any Signer], now: Expiry,
                                  durability: RepositoryStore.Durability = .batch,
                                  bucket: BucketPublication? = nil) throws(RepositoryError) -> (Repository, StageOutcome) {
        try RoleEdits.checkKeys(o.rootKeys, threshold: o.rootThreshold, role: "root")
        try RoleEdits.checkKeys(o.targetsKeys, threshold: o.targetsThreshold, role: "targets")
        try RoleEdits.checkKeys(o.binsKeys, threshold: o.binsThreshold, role: "bins")
        try RoleEdits.checkKeys(o.binNKeys, threshold: 1, role: "bin-n")
        try RoleEdits.checkKeys(o.snapshotKeys, threshold: 1, role: "snapshot")
        try RoleEdits.checkKeys(o.timestampKeys, threshold: 1, role: "timestamp")
        try FileIO.makeDirectories(path)
        var repo = Repository(path: path, durability: durability)
        repo.bucket = bucket
        guard !FileSystem.exists(repo.layout.policyPath) else {
            throw RepositoryError(.invalidArgument, "\(path) already holds a repository (\(RepositoryLayout.policyFile))")
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
                                  delegations: RoleEdits.binsDelegation(keys: o.binsKeys, threshold: o.binsThreshold))
            let bins = Targets(common: SignedCommon(version: 1, expires: expiry(now, p.expiry(of: .bins))),
                               delegations: p.bins.delegations(keys: o.binNKeys, threshold: 1, succinct: p.succinct))
            try repo.store.write([(RepositoryLayout.policyFile, p.encoded())])
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
        try store.write([(RepositoryLayout.staged(role), md.encoded())])
    }

    /// Publishes what staging completed; reports instead of failing when signatures or online
    /// keys are still missing.
    func publishStaged(signers: [SignerEntry], now: Expiry) throws(RepositoryError) -> StageOutcome {
        do {
            let r = try publishKeepingState(signers: signers, desired: .published, mode: .stagedOnly, now: now)
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
}
