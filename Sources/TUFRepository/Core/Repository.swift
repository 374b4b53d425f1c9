import Foundation
import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// A TUF repository on disk in the PEP 458 layout:
/// - `metadata/`: what is served (`N.root.json` and `root.json`, `N.targets.json`, `N.bins.json`,
///   `N.bin-XXXX.json`, `N.snapshot.json`, `timestamp.json`);
/// - `staged/`: offline-role metadata (`root.json`, `targets.json`, `bins.json`) collecting signatures;
/// - `targets/`: the signed pages under their target paths and hash-prefixed copies;
/// - `tuf-repo.json`: the policy; `state/`: the state store (`StateStore`: what lets a re-run
///   skip unchanged bins and pages); `queue/`: the upload queue (`UploadQueue`), the only
///   place an upload hook writes; `journal/`: the plain-name journal; `.lock`.
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

    public init(path: String, durability: RepositoryStore.Durability = .batch, lockWait: Double = 5) {
        var p = path
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        self.path = p
        self.store = RepositoryStore(root: p, durability: durability)
        self.lockWait = lockWait
    }

    /// Every path of this repository.
    public var layout: RepositoryLayout { RepositoryLayout(root: path) }

    // Being replaced by `RepositoryLayout` (issue 17); new code uses the layout.
    static let policyFile = RepositoryLayout.policyFile
    static func metadataPath(_ name: String) -> String { RepositoryLayout.metadata(name) }
    static func stagedPath(_ role: RepositoryRole) -> String { RepositoryLayout.staged(role) }

    /// The policy of `tuf-repo.json`.
    public func policy() throws(RepositoryError) -> RepositoryPolicy {
        let file = path + "/" + Self.policyFile
        guard let bytes = try FileIO.readIfPresent(file) else {
            throw RepositoryError(.notInitialized, "\(path) is not a tuf-repo repository (no \(Self.policyFile)); run tuf-repo init")
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
        // Every command first completes a publication that a crash interrupted.
        let replay = try replayPlainNameJournal(repairing: repairing)
        try recordPublication()
        // Also after a failure: the timestamp may be in place by then.
        defer { try? recordPublication() }
        return try body(replay)
    }

    // MARK: reading metadata

    /// Parsed metadata and the exact bytes it was read from.
    struct Loaded<P: SignedPayload> {
        var metadata: Metadata<P> { didSet { memo = SignedBytesMemo() } }
        var bytes: [UInt8]
        var signed: P { metadata.signed }
        /// The canonical bytes of `signed`, encoded once per value: a run checks the same
        /// 2.6 MB bins role in several places (its load, the planner, the chain self-check).
        var signedBytes: [UInt8] { memo.value { metadata.signedBytes() } }
        private var memo = SignedBytesMemo()

        /// `keys.verifies` over these signatures, checked once per keys: ed25519 hashes the
        /// whole message, and the load, the role choice, the planner and the chain self-check
        /// all ask about the same multi-megabyte bins and snapshot roles.
        func verification(under keys: RoleKeys) -> VerificationResult {
            memo.verification(keys) { keys.verifies(signedBytes: signedBytes, signatures: metadata.signatures) }
        }

        init(metadata: Metadata<P>, bytes: [UInt8]) {
            self.metadata = metadata
            self.bytes = bytes
        }
    }

    /// Reads `relative` as metadata of type `P`; nil when the file does not exist.
    func load<P: SignedPayload>(_ type: P.Type, _ relative: String) throws(RepositoryError) -> Loaded<P>? {
        guard let bytes = try FileIO.readIfPresent(path + "/" + relative) else { return nil }
        do { return Loaded(metadata: try Metadata<P>(bytes: bytes, name: relative), bytes: bytes) } catch {
            throw RepositoryError(.invalidMetadata, "\(path)/\(relative): \(error.message)")
        }
    }

    func require<P: SignedPayload>(_ type: P.Type, _ relative: String) throws(RepositoryError) -> Loaded<P> {
        guard let l = try load(type, relative) else {
            throw RepositoryError(.invalidMetadata, "\(path)/\(relative) is missing")
        }
        return l
    }

    /// The published top-level chain, followed as a client would: timestamp → snapshot →
    /// targets → bins. Parts are nil before the first publication.
    struct Published {
        var root: Loaded<Root>?
        var timestamp: Loaded<Timestamp>?
        var snapshot: Loaded<Snapshot>?
        var targets: Loaded<Targets>?
        var bins: Loaded<Targets>?
    }

    func loadPublished() throws(RepositoryError) -> Published {
        var p = Published()
        p.root = try load(Root.self, Self.metadataPath("root.json"))
        p.timestamp = try load(Timestamp.self, Self.metadataPath("timestamp.json"))
        if let ts = p.timestamp {
            p.snapshot = try require(Snapshot.self, Self.metadataPath("\(ts.signed.snapshotMeta.version).snapshot.json"))
        }
        if let snap = p.snapshot {
            for role in ["targets", "bins"] {
                guard let v = snap.signed.meta(forRole: role)?.version else {
                    throw RepositoryError(.invalidMetadata, "\(path)/metadata/\(snap.signed.version).snapshot.json does not list \(role).json")
                }
                let l = try require(Targets.self, Self.metadataPath("\(v).\(role).json"))
                if role == "targets" { p.targets = l } else { p.bins = l }
            }
        }
        return p
    }

    /// The staged offline-role metadata.
    struct Staged {
        var root: Loaded<Root>?
        var targets: Loaded<Targets>?
        var bins: Loaded<Targets>?
    }

    func loadStaged() throws(RepositoryError) -> Staged {
        Staged(root: try load(Root.self, Self.stagedPath(.root)),
               targets: try load(Targets.self, Self.stagedPath(.targets)),
               bins: try load(Targets.self, Self.stagedPath(.bins)))
    }

    // MARK: signing

    /// Signs `md` with every signer whose key is one of `keys` (or of `also`: the old root's
    /// keys during a root rotation), then checks the result as a client would, counting each
    /// distinct key once: two `--key` options naming one key are one signature, not two.
    /// Throws `.missingKey` naming the role and the keyids it needs when the threshold is not met.
    static func sign<P: SignedPayload>(_ md: inout Metadata<P>, role: String, keys: RoleKeys, also: RoleKeys? = nil,
                                       signers: [SignerEntry]) throws(RepositoryError) {
        let bytes = md.signedBytes()
        let allowed = Set(keys.keyIDs + (also?.keyIDs ?? []))
        for s in signers where allowed.contains(s.keyID) {
            do { try md.sign(with: s.signer, signedBytes: bytes) } catch {
                throw RepositoryError(.missingKey, "\(role): signing with key \(s.keyID) failed: \(error.message)")
            }
        }
        let result = keys.verifies(signedBytes: bytes, signatures: md.signatures)
        guard result.isVerified else {
            throw RepositoryError(.missingKey,
                                  "\(role) must be re-signed and needs \(keys.threshold) of the keys \(keys.keyIDs.joined(separator: ", ")); the keys given provide \(result.signedBy.count) distinct (pass them with --key)")
        }
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
        expires.secondsSinceEpoch - now.secondsSinceEpoch <= window
    }
}

/// The memo behind `Repository.Loaded.signedBytes` (a class, so a copy of the value shares it
/// until the metadata changes; locked, so a copy read from two threads stays sound).
final class SignedBytesMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8]?
    /// Results by the exact keys (ids, threshold and key material) they were checked under.
    private var verified: [(keys: RoleKeys, result: VerificationResult)] = []

    /// The result for `keys`, computed once (`make` runs unlocked: it reads `value` itself).
    func verification(_ keys: RoleKeys, _ make: () -> VerificationResult) -> VerificationResult {
        if let known = lock.withLock({ verified.first { $0.keys == keys }?.result }) { return known }
        let result = make()
        lock.withLock { verified.append((keys, result)) }
        return result
    }

    func value(_ make: () -> [UInt8]) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let bytes { return bytes }
        let made = make()
        bytes = made
        return made
    }
}
