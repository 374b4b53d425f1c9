import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// A TUF repository on disk in the PEP 458 layout (`RepositoryLayout` names every file), and
/// the façade of the editor: a command takes the lock, loads what is published and staged,
/// asks the pure `PublicationPlanner` for a plan, signs it once, and hands its steps to a
/// `PublicationWriter` (`publish`, `carryOut`). The commands live in `Repository+*.swift`.
public struct Repository {
    /// The repository directory.
    public let path: String
    /// Where and how files are written.
    public var store: RepositoryStore
    /// How long a run waits for another run's lock before giving up.
    public var lockWait: Double
    /// Progress on stderr for long runs, when set.
    public var progress: ProgressReporter?
    /// The one clock of the repository's commands, read at the façade (the CLI sets `.system`,
    /// tests a fixed one); everything below takes `now: Expiry`.
    public var clock: WallClock = .system
    /// The bucket every publication also goes to, first (`--publish s3://…`), when set.
    public var bucket: BucketPublication?

    public init(path: String, durability: RepositoryStore.Durability = .batch, lockWait: Double = 5) {
        var p = path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        self.path = p
        self.store = RepositoryStore(root: p, durability: durability)
        self.lockWait = lockWait
    }

    /// Every path of this repository.
    public var layout: RepositoryLayout { RepositoryLayout(root: path) }

    /// The policy of `tuf-repo.json`.
    public func policy() throws(RepositoryError) -> RepositoryPolicy {
        let file = layout.policyPath
        guard let bytes = try FileIO.readIfPresent(file) else {
            throw RepositoryError(.notInitialized, "\(path) is not a tuf-repo repository (no \(RepositoryLayout.policyFile)); run tuf-repo init")
        }
        return try RepositoryPolicy(bytes: bytes, file: file)
    }

    /// Takes the repository lock for the duration of `body`.
    func locked<T>(_ body: () throws(RepositoryError) -> T) throws(RepositoryError) -> T {
        try locked(repairing: false) { (_) throws(RepositoryError) -> T in try body() }
    }

    /// Takes the repository lock for the duration of `body`, which hears what completing an
    /// interrupted publication did; with `repairing` (generate), page copies the journal
    /// cannot find are left to `body` (see `replayPlainNameJournal`).
    func locked<T>(repairing: Bool, _ body: (_ replay: (relinked: Int, missing: [String])) throws(RepositoryError) -> T) throws(RepositoryError) -> T {
        guard FileSystem.isDirectory(path) else { throw RepositoryError(.notInitialized, "\(path): no such repository directory") }
        let lock = try RepositoryLock(repository: path, wait: lockWait)
        defer { lock.release() }
        // The bucket first: its lease, then the folder brought level with it (`BucketSync`).
        defer { if let bucket { BucketSync.end(bucket) } }
        if let bucket { try BucketSync.begin(bucket, repository: self) }
        // Every command first completes a publication that a crash interrupted.
        let replay = try replayPlainNameJournal(repairing: repairing)
        try recordPublication()
        // Also after a failure: the timestamp may be in place by then.
        defer { try? recordPublication() }
        return try body(replay)
    }

    // MARK: reading metadata

    /// Reads `relative` as metadata of type `P`; nil when the file does not exist.
    func load<P: SignedPayload>(_ type: P.Type, _ relative: String) throws(RepositoryError) -> LoadedMetadata<P>? {
        try layout.load(type, relative)
    }

    func require<P: SignedPayload>(_ type: P.Type, _ relative: String) throws(RepositoryError) -> LoadedMetadata<P> {
        try layout.require(type, relative)
    }

    /// The published chain, followed as a client would: timestamp → snapshot → targets → bins.
    func loadPublished() throws(RepositoryError) -> PublishedChain {
        var p = PublishedChain()
        p.root = try load(Root.self, RepositoryLayout.rootFile)
        p.timestamp = try load(Timestamp.self, RepositoryLayout.timestampFile)
        if let ts = p.timestamp {
            p.snapshot = try require(Snapshot.self, RepositoryLayout.metadata(role: "snapshot", version: ts.signed.snapshotMeta.version))
        }
        if let snap = p.snapshot {
            for role in ["targets", "bins"] {
                guard let v = snap.signed.meta(forRole: role)?.version else {
                    let file = layout.absolute(RepositoryLayout.metadata(role: "snapshot", version: snap.signed.version))
                    throw RepositoryError(.invalidMetadata, "\(file) does not list \(role).json")
                }
                let l = try require(Targets.self, RepositoryLayout.metadata(role: role, version: v))
                if role == "targets" { p.targets = l } else { p.bins = l }
            }
        }
        return p
    }

    func loadStaged() throws(RepositoryError) -> StagedRoles {
        StagedRoles(root: try load(Root.self, RepositoryLayout.staged(.root)),
                    targets: try load(Targets.self, RepositoryLayout.staged(.targets)),
                    bins: try load(Targets.self, RepositoryLayout.staged(.bins)))
    }

    // MARK: signing

    /// Signs `md` with every signer whose key is one of `keys` (or of `also`: the old root's
    /// keys during a root rotation), then checks the result as a client would, counting each
    /// distinct key once: two `--key` options naming one key are one signature, not two.
    /// Throws `.missingKey` naming the role and the keyids it needs when the threshold is not
    /// met. Returns the canonical bytes signed.
    @discardableResult
    static func sign<P: SignedPayload>(_ md: inout Metadata<P>, role: String, keys: RoleKeys, also: RoleKeys? = nil,
                                       signers: [SignerEntry]) throws(RepositoryError) -> [UInt8] {
        let bytes = md.signedBytes()
        let allowed = Set(keys.keyIDs + (also?.keyIDs ?? []))
        for s in signers where allowed.contains(s.keyID) {
            do { try md.sign(with: s.signer, signedBytes: bytes) } catch {
                throw RepositoryError(.missingKey, "\(role): signing with key \(s.keyID) failed: \(error.message)")
            }
        }
        let result = keys.verifies(signedBytes: bytes, signatures: md.signatures)
        guard result.isVerified else { throw SigningForecast.missingKey(role, keys, provided: result.signedBy.count) }
        return bytes
    }

    /// A signer with its keyid computed once.
    struct SignerEntry {
        let signer: any Signer
        let keyID: String
        init(_ signer: any Signer) { self.signer = signer; self.keyID = Key(signer.publicKey).keyID }
    }

    /// The time `seconds` after `now`.
    static func expiry(_ now: Expiry, _ seconds: Int64) -> Expiry { now.adding(seconds: seconds) }

    /// True when `expires` falls within `window` seconds of `now` (or has passed).
    static func expiresSoon(_ expires: Expiry, now: Expiry, window: Int64) -> Bool {
        expires.isDue(now: now, window: window)
    }
}
