import TUFCanonicalJSON
import TUFCrypto

/// The outcome of checking signatures against a role's keys and threshold.
public struct VerificationResult: Sendable, Equatable {
    public let threshold: Int
    /// Keyids whose signature verified, one per distinct key material (the first keyid listed).
    public let signedBy: [String]
    /// Keyids of the role that did not sign validly.
    public let unsigned: [String]

    /// True when enough distinct keys signed.
    public var isVerified: Bool { signedBy.count >= threshold }

    /// Throws `.thresholdNotMet` naming `role` unless enough distinct keys signed.
    public func require(_ role: String) throws(MetadataError) {
        guard isVerified else {
            throw MetadataError(.thresholdNotMet, "\(role): signed by \(signedBy.count) of the \(threshold) keys required (each distinct key counted once)")
        }
    }
}

/// The keys with which a delegator (root, or a targets role) trusts one role, and how many of
/// them must sign: the one threshold check of the toolkit, used by the client's trusted set,
/// the publication self-check and the audit.
public struct RoleKeys: Sendable, Equatable {
    public var keyIDs: [String]
    public var threshold: Int
    public var keys: [String: Key]

    public init(keyIDs: [String], threshold: Int, keys: [String: Key]) {
        self.keyIDs = keyIDs; self.threshold = threshold; self.keys = keys
    }

    /// The keys of top-level role `type` in `root` (none, when root does not list it).
    public init(root: Root, _ type: RoleType) {
        let role = root.roles[type] ?? Role(keyIDs: [], threshold: 1)
        self.init(keyIDs: role.keyIDs, threshold: role.threshold, keys: root.keys)
    }

    /// The keys of the role `name` delegated by `targets`; nil when it is not delegated there.
    public init?(delegator targets: Targets, _ name: String) {
        guard let d = targets.delegations, let (ids, threshold) = d.delegation(for: name) else { return nil }
        self.init(keyIDs: ids, threshold: threshold, keys: d.keys)
    }

    /// Counts valid signatures over `signedBytes` by these keys. Each distinct key material
    /// (`PublicKey.material`) counts once, even when listed under two keyids or spelled two ways
    /// (hex case, PEM wrapping, compressed point, keytype alias): a known threshold bypass elsewhere.
    public func verifies(signedBytes: [UInt8], signatures: [Signature]) -> VerificationResult {
        var byKeyID: [String: Signature] = [:]
        for s in signatures { byKeyID[s.keyID] = s }
        var signed: [String] = []
        var unsigned: [String] = []
        var counted = Set<[UInt8]>()
        for keyID in keyIDs {
            guard let key = keys[keyID], let signature = byKeyID[keyID],
                  let raw = Hex.decode(signature.signature),
                  key.publicKey.verify(signature: raw, message: signedBytes) else {
                unsigned.append(keyID)
                continue
            }
            if counted.insert(key.publicKey.material).inserted { signed.append(keyID) }
        }
        return VerificationResult(threshold: threshold, signedBy: signed, unsigned: unsigned)
    }

    /// Throws `.thresholdNotMet` naming `role` unless enough distinct keys signed.
    public func require(_ role: String, signedBytes: [UInt8], signatures: [Signature]) throws(MetadataError) {
        try verifies(signedBytes: signedBytes, signatures: signatures).require(role)
    }
}
