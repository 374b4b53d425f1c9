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
}

/// Threshold signature checking shared by every delegator (root and targets roles).
public enum SignatureVerifier {
    /// Counts valid signatures over `signedBytes` by the role's keys. Each distinct key material
    /// (`PublicKey.material`) counts once, even when listed under two keyids or spelled two ways
    /// (hex case, PEM wrapping, compressed point, keytype alias): a known threshold bypass elsewhere.
    public static func verify(signedBytes: [UInt8], signatures: [Signature], keyIDs: [String],
                              threshold: Int, keys: [String: Key]) -> VerificationResult {
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

    /// Verifies and throws `.thresholdNotMet` naming the role when too few keys signed.
    public static func require(role: String, signedBytes: [UInt8], signatures: [Signature], keyIDs: [String],
                               threshold: Int, keys: [String: Key]) throws(MetadataError) {
        let result = verify(signedBytes: signedBytes, signatures: signatures, keyIDs: keyIDs, threshold: threshold, keys: keys)
        guard result.isVerified else {
            throw MetadataError(.thresholdNotMet,
                                "\(role): signed by \(result.signedBy.count) of the \(threshold) distinct keys required")
        }
    }
}

extension Root {
    /// Verifies `signedBytes` of the top-level role `type` against this root's keys.
    public func verify(_ type: RoleType, signedBytes: [UInt8], signatures: [Signature]) -> VerificationResult {
        let role = roles[type] ?? Role(keyIDs: [], threshold: 1)
        return SignatureVerifier.verify(signedBytes: signedBytes, signatures: signatures, keyIDs: role.keyIDs,
                                        threshold: role.threshold, keys: keys)
    }

    /// Throws `.thresholdNotMet` unless the top-level role `type` is verified.
    public func requireVerified(_ type: RoleType, signedBytes: [UInt8], signatures: [Signature], name: String? = nil) throws(MetadataError) {
        let role = roles[type] ?? Role(keyIDs: [], threshold: 1)
        try SignatureVerifier.require(role: name ?? type.rawValue, signedBytes: signedBytes, signatures: signatures,
                                      keyIDs: role.keyIDs, threshold: role.threshold, keys: keys)
    }
}

extension Targets {
    /// Verifies the delegated role `name` against this role's delegations.
    public func verifyDelegate(_ name: String, signedBytes: [UInt8], signatures: [Signature]) throws(MetadataError) -> VerificationResult {
        guard let delegations, let d = delegations.delegation(for: name) else {
            throw MetadataError(.unknownRole, "\(name): not delegated by this targets role")
        }
        return SignatureVerifier.verify(signedBytes: signedBytes, signatures: signatures, keyIDs: d.keyIDs,
                                        threshold: d.threshold, keys: delegations.keys)
    }

    /// Throws unless the delegated role `name` meets its threshold.
    public func requireDelegateVerified(_ name: String, signedBytes: [UInt8], signatures: [Signature]) throws(MetadataError) {
        let result = try verifyDelegate(name, signedBytes: signedBytes, signatures: signatures)
        guard result.isVerified else {
            throw MetadataError(.thresholdNotMet,
                                "\(name): signed by \(result.signedBy.count) of the \(result.threshold) distinct keys required")
        }
    }
}
