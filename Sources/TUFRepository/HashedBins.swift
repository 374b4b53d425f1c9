import TUFCrypto
import TUFMetadata

/// The PEP 458 hashed bins: `count` roles named `<prefix>-<hex>`, bin n holding the targets
/// whose path's SHA-256 starts with n in its first log2(count) bits. Explicit
/// `path_hash_prefixes` roles and TAP 15 succinct roles give the same names and the same bins.
public struct HashedBins: Sendable, Equatable {
    /// Number of bins, a power of two.
    public let count: Int
    public let namePrefix: String

    public init(count: Int, namePrefix: String = "bin") { self.count = count; self.namePrefix = namePrefix }

    /// log2(count).
    public var bitLength: Int { count.trailingZeroBitCount }
    /// Hex digits of a bin suffix and of a path hash prefix: ceil(bitLength / 4).
    public var prefixLength: Int { (bitLength + 3) / 4 }

    /// The name of bin `n`.
    public func name(ofBin n: Int) -> String { "\(namePrefix)-\(Self.hex(n, digits: prefixLength))" }

    /// Every bin name, in bin order.
    public var names: [String] { (0..<count).map(name(ofBin:)) }

    /// The bin of `targetPath`.
    public func bin(for targetPath: String) -> Int {
        let d = Hash.digest(.sha256, Array(targetPath.utf8))
        let first = UInt32(d[0]) << 24 | UInt32(d[1]) << 16 | UInt32(d[2]) << 8 | UInt32(d[3])
        return Int(first >> (32 - UInt32(bitLength)))
    }

    /// The hex path-hash prefixes bin `n` is delegated (explicit layout).
    public func pathHashPrefixes(ofBin n: Int) -> [String] {
        let perBin = (1 << (4 * prefixLength)) / count
        return (n * perBin..<(n + 1) * perBin).map { Self.hex($0, digits: prefixLength) }
    }

    /// The bin number of `name`, if it is one of these bins.
    public func number(ofBin name: String) -> Int? {
        guard name.hasPrefix(namePrefix + "-") else { return nil }
        let suffix = name.dropFirst(namePrefix.count + 1)
        guard suffix.count == prefixLength, suffix.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
              let n = Int(suffix, radix: 16), n < count else { return nil }
        return n
    }

    /// The delegations of the `bins` role to every bin, signed by `keys` with `threshold`.
    public func delegations(keys: [Key], threshold: Int, succinct: Bool) -> Delegations {
        let ids = keys.map(\.keyID)
        let keyMap = Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { a, _ in a })
        if succinct {
            return Delegations(keys: keyMap, succinctRoles: SuccinctRoles(keyIDs: ids, threshold: threshold,
                                                                          bitLength: bitLength, namePrefix: namePrefix))
        }
        let roles = (0..<count).map {
            DelegatedRole(name: name(ofBin: $0), keyIDs: ids, threshold: threshold, terminating: true,
                          pathHashPrefixes: pathHashPrefixes(ofBin: $0))
        }
        return Delegations(keys: keyMap, roles: roles)
    }

    static func hex(_ n: Int, digits: Int) -> String {
        let s = String(n, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}

/// The keys and threshold with which a delegator trusts one delegated role.
public struct RoleKeys: Sendable, Equatable {
    public var keyIDs: [String]
    public var threshold: Int
    public var keys: [String: Key]

    public init(keyIDs: [String], threshold: Int, keys: [String: Key]) {
        self.keyIDs = keyIDs; self.threshold = threshold; self.keys = keys
    }

    /// A short fingerprint of keyids and threshold: when it changes, the role must be re-signed.
    public var fingerprint: String {
        let text = keyIDs.sorted().joined(separator: ",") + "/\(threshold)"
        return String(Hex.encode(Hash.digest(.sha256, Array(text.utf8))).prefix(16))
    }

    /// How many distinct keys of the role (by key material, as a threshold counts them) the
    /// keyids `ids` stand for; keyids that are not the role's count for nothing.
    public func distinctKeyCount(_ ids: some Sequence<String>) -> Int {
        Set(ids.compactMap { keyIDs.contains($0) ? keys[$0]?.publicKey.material : nil }).count
    }

    /// True when `signatures` over `signedBytes` meet the threshold.
    public func verifies(signedBytes: [UInt8], signatures: [Signature]) -> VerificationResult {
        SignatureVerifier.verify(signedBytes: signedBytes, signatures: signatures, keyIDs: keyIDs, threshold: threshold, keys: keys)
    }

    /// The keys of top-level role `type` in `root`.
    public init(root: Root, _ type: RoleType) {
        let role = root.roles[type] ?? Role(keyIDs: [], threshold: 1)
        self.init(keyIDs: role.keyIDs, threshold: role.threshold, keys: root.keys)
    }

    /// The keys of the role `name` delegated by `targets`, if delegated.
    public init?(delegator targets: Targets, _ name: String) {
        guard let d = targets.delegations, let (ids, threshold) = d.delegation(for: name) else { return nil }
        self.init(keyIDs: ids, threshold: threshold, keys: d.keys)
    }
}
