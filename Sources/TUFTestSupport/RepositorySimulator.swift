import Foundation
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata

/// An in-memory TUF repository that serves its metadata and targets as a `Fetcher`, for
/// client tests without a network. Names follow python-tuf's test simulator: change the
/// payloads (`root`, `timestamp`, `snapshot`, `targets`, `delegates`), then `publishRoot()`,
/// `updateSnapshot()`, `updateTimestamp()`; metadata is signed when it is fetched.
/// TEST ONLY. Mutate it only between fetches.
public final class RepositorySimulator: Fetcher, @unchecked Sendable {
    public static let metadataURL = "https://example.com/metadata/"
    public static let targetsURL = "https://example.com/targets/"

    public var root: Root
    public var timestamp: Timestamp
    public var snapshot: Snapshot
    public var targets: Targets
    /// Delegated targets roles by name.
    public var delegates: [String: Targets] = [:]
    /// Signing keys of each role, by keyid.
    public var signers: [String: [String: PrivateKey]] = [:]
    /// Every published root, version N at index N-1.
    public private(set) var signedRoots: [[UInt8]] = []
    /// List lengths and hashes of metadata in timestamp and snapshot.
    public var computeMetafileHashesAndLength = false
    /// Target files by target path.
    public var artifacts: [String: [UInt8]] = [:]
    /// Changes served bytes: keyed by the path after the base URL (`timestamp.json`,
    /// `2.snapshot.json`, `targets/<path as requested>`).
    public var tamper: [String: @Sendable ([UInt8]) -> [UInt8]] = [:]
    /// Fails fetches with the given error instead of serving (a server error, a timeout…),
    /// keyed like `tamper`.
    public var failures: [String: ClientError] = [:]
    /// The expiry of new metadata.
    public var safeExpiry: Expiry

    private let lock = NSLock()
    private var log: [String] = []

    /// A repository with one key per top-level role (test keys ed1…ed4), consistent
    /// snapshots, empty targets, and root v1 published.
    public init(expires: Expiry = MetadataFactory.farFuture) {
        safeExpiry = expires
        let common = SignedCommon(version: 1, expires: expires)
        root = Root(common: common, keys: [:], roles: [:], consistentSnapshot: true)
        targets = Targets(common: common)
        snapshot = Snapshot(common: common, meta: ["targets.json": MetaFile(version: 1)])
        timestamp = Timestamp(common: common, snapshotMeta: MetaFile(version: 1))
        for (role, name) in [("root", "ed1"), ("targets", "ed2"), ("snapshot", "ed3"), ("timestamp", "ed4")] {
            root.roles[RoleType(rawValue: role)!] = Role(keyIDs: [], threshold: 1)
            addSigner(role, TestKeys.key(name))
        }
        publishRoot()
    }

    /// The URLs fetched so far, in order.
    public var fetchTracker: [String] { lock.withLock { log } }

    /// Forgets the fetched URLs.
    public func clearFetchTracker() { lock.withLock { log.removeAll() } }

    // MARK: - keys

    /// A fresh ed25519 key.
    public static func newKey() -> PrivateKey {
        do { return try PrivateKey.generate(.ed25519) } catch { fatalError("key generation: \(error)") }
    }

    /// Adds `key` to top-level role `role` in root and to its signers.
    public func addSigner(_ role: String, _ key: PrivateKey) {
        let k = Key(key.publicKey)
        let type = RoleType(rawValue: role)!
        root.keys[k.keyID] = k
        if !(root.roles[type]!.keyIDs.contains(k.keyID)) { root.roles[type]!.keyIDs.append(k.keyID) }
        signers[role, default: [:]][k.keyID] = key
    }

    /// Replaces every key of top-level role `role` with one new key (threshold unchanged).
    public func rotateKeys(_ role: String) {
        let type = RoleType(rawValue: role)!
        for id in root.roles[type]!.keyIDs {
            root.roles[type]!.keyIDs.removeAll { $0 == id }
            if !root.roles.values.contains(where: { $0.keyIDs.contains(id) }) { root.keys[id] = nil }
        }
        signers[role] = [:]
        addSigner(role, Self.newKey())
    }

    // MARK: - publishing

    /// Signs the current root with the root signers and publishes it as the next version.
    public func publishRoot() {
        signedRoots.append(sign(root, role: "root"))
    }

    /// Points timestamp at the current snapshot and bumps its version.
    public func updateTimestamp() {
        timestamp.snapshotMeta = metaFile(version: snapshot.version, bytes: computeMetafileHashesAndLength ? sign(snapshot, role: "snapshot") : nil)
        timestamp.version += 1
    }

    /// Lists the current targets roles in snapshot, bumps its version, then updates timestamp.
    public func updateSnapshot() {
        snapshot.meta["targets.json"] = metaFile(version: targets.version, bytes: computeMetafileHashesAndLength ? sign(targets, role: "targets") : nil)
        for (name, role) in delegates {
            snapshot.meta["\(name).json"] = metaFile(version: role.version, bytes: computeMetafileHashesAndLength ? sign(role, role: name) : nil)
        }
        snapshot.version += 1
        updateTimestamp()
    }

    private func metaFile(version: Int64, bytes: [UInt8]?) -> MetaFile {
        guard let bytes else { return MetaFile(version: version) }
        return MetaFile(version: version, describing: bytes, hashAlgorithms: [.sha256])
    }

    /// Adds `data` as target `path` of role `role` (`targets` or a delegate).
    public func addTarget(_ role: String, _ data: [UInt8], _ path: String, custom: JSON? = nil) {
        let file = TargetFile(describing: data, hashAlgorithms: [.sha256], custom: custom)
        if role == "targets" { targets.targets[path] = file } else { delegates[role]!.targets[path] = file }
        artifacts[path] = data
    }

    /// Delegates `role` from `delegator` with one new key and an empty targets role.
    public func addDelegation(_ delegator: String, _ role: DelegatedRole, _ delegate: Targets? = nil) {
        let key = Self.newKey()
        let k = Key(key.publicKey)
        var r = role
        r.keyIDs = [k.keyID]
        modifyTargets(delegator) { t in
            var d = t.delegations ?? Delegations(keys: [:], roles: [])
            d.keys[k.keyID] = k
            d.roles = (d.roles ?? []) + [r]
            t.delegations = d
        }
        signers[role.name] = [k.keyID: key]
        delegates[role.name] = delegate ?? Targets(common: SignedCommon(version: 1, expires: safeExpiry))
    }

    /// Delegates `2^bitLength` succinct hashed bins from `delegator`, sharing one new key.
    public func addSuccinctRoles(_ delegator: String, bitLength: Int, namePrefix: String) {
        let key = Self.newKey()
        let k = Key(key.publicKey)
        let succinct = SuccinctRoles(keyIDs: [k.keyID], threshold: 1, bitLength: bitLength, namePrefix: namePrefix)
        modifyTargets(delegator) { t in t.delegations = Delegations(keys: [k.keyID: k], succinctRoles: succinct) }
        for name in succinct.roleNames {
            signers[name] = [k.keyID: key]
            delegates[name] = Targets(common: SignedCommon(version: 1, expires: safeExpiry))
        }
    }

    /// Changes targets role `role` in place.
    public func modifyTargets(_ role: String, _ change: (inout Targets) -> Void) {
        if role == "targets" { change(&targets) } else { change(&delegates[role]!) }
    }

    // MARK: - serving

    /// The signed bytes of role `role` (any role but root) as served now.
    public func signedBytes(_ role: String) -> [UInt8]? {
        switch role {
        case "timestamp": sign(timestamp, role: role)
        case "snapshot": sign(snapshot, role: role)
        case "targets": sign(targets, role: role)
        default: delegates[role].map { sign($0, role: role) }
        }
    }

    private func sign<P: SignedPayload>(_ payload: P, role: String) -> [UInt8] {
        var md = Metadata(signed: payload)
        let bytes = md.signedBytes()
        for (_, key) in (signers[role] ?? [:]).sorted(by: { $0.key < $1.key }) {
            do { try md.sign(with: key, signedBytes: bytes) } catch { fatalError("signing: \(error)") }
        }
        return md.encoded()
    }

    public func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8] {
        lock.withLock { log.append(url) }
        let relative: String
        var bytes: [UInt8]
        if url.hasPrefix(Self.metadataURL) {
            relative = String(url.dropFirst(Self.metadataURL.count))
            if let failure = failures[relative] { throw failure }
            bytes = try fetchMetadata(relative, url: url)
        } else if url.hasPrefix(Self.targetsURL) {
            let path = String(url.dropFirst(Self.targetsURL.count))
            relative = "targets/\(path)"
            if let failure = failures[relative] { throw failure }
            bytes = try fetchTarget(path, url: url)
        } else {
            throw ClientError(.notFound, "\(url): not served by the simulator")
        }
        if let change = tamper[relative] { bytes = change(bytes) }
        // A real fetcher stops reading past the limit; so does this one.
        if bytes.count > maxLength { throw ClientError(.downloadTooLarge, "\(url): more than \(maxLength) bytes") }
        return bytes
    }

    private func fetchMetadata(_ file: String, url: String) throws(ClientError) -> [UInt8] {
        guard file.hasSuffix(".json"), let name = PercentEncoding.decode(String(file.dropLast(5))) else {
            throw ClientError(.notFound, "\(url): no such metadata")
        }
        var role = name
        var version: Int64?
        if let dot = name.firstIndex(of: "."), let v = Int64(name[..<dot]), name[..<dot].allSatisfy(\.isNumber) {
            version = v
            role = String(name[name.index(after: dot)...])
        }
        switch role {
        case "root":
            let v = version ?? Int64(signedRoots.count)
            guard v >= 1, v <= signedRoots.count else { throw ClientError(.notFound, "\(url): HTTP 404") }
            return signedRoots[Int(v) - 1]
        case "timestamp":
            guard version == nil else { throw ClientError(.notFound, "\(url): HTTP 404") }
            return sign(timestamp, role: role)
        default:
            let current: Int64? = role == "snapshot" ? snapshot.version : role == "targets" ? targets.version : delegates[role]?.version
            guard let current, version == nil || version == current, let bytes = signedBytes(role) else {
                throw ClientError(.notFound, "\(url): HTTP 404")
            }
            return bytes
        }
    }

    private func fetchTarget(_ encodedPath: String, url: String) throws(ClientError) -> [UInt8] {
        guard let path = PercentEncoding.decode(encodedPath) else { throw ClientError(.notFound, "\(url): HTTP 404") }
        if let data = artifacts.first(where: { $0.key.utf8.elementsEqual(path.utf8) })?.value { return data }
        // `dir/<hash>.name`: served when the hash is the artifact's sha256.
        for (name, data) in artifacts
        where TargetPath.hashPrefixed(name, digest: Hex.encode(Hash.digest(.sha256, data))).utf8.elementsEqual(path.utf8) {
            return data
        }
        throw ClientError(.notFound, "\(url): HTTP 404")
    }

    // MARK: - on disk

    /// Writes the repository as a static server would serve it: `metadata/` with every root
    /// version, `timestamp.json`, versioned and plain names of the other roles, and
    /// `targets/` with plain and hash-prefixed names. Tampering is applied.
    public func write(to directory: String) throws {
        let fm = FileManager.default
        func put(_ relative: String, _ bytes: [UInt8]) throws {
            let url = URL(fileURLWithPath: "\(directory)/\(relative)")
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((tamper[relative.hasPrefix("metadata/") ? String(relative.dropFirst(9)) : relative].map { $0(bytes) }) ?? bytes).write(to: url)
        }
        for (i, bytes) in signedRoots.enumerated() { try put("metadata/\(i + 1).root.json", bytes) }
        try put("metadata/timestamp.json", sign(timestamp, role: "timestamp"))
        try put("metadata/\(snapshot.version).snapshot.json", sign(snapshot, role: "snapshot"))
        try put("metadata/snapshot.json", sign(snapshot, role: "snapshot"))
        for (name, version) in [("targets", targets.version)] + delegates.map({ ($0.key, $0.value.version) }) {
            let bytes = signedBytes(name)!
            let encoded = PercentEncoding.encodeComponent(name)
            try put("metadata/\(version).\(encoded).json", bytes)
            try put("metadata/\(encoded).json", bytes)
        }
        for (path, data) in artifacts {
            try put("targets/\(path)", data)
            try put("targets/\(TargetPath.hashPrefixed(path, digest: Hex.encode(Hash.digest(.sha256, data))))", data)
        }
    }
}
