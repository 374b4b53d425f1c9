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
        RoleName.binNumber(name, prefix: namePrefix, digits: prefixLength, count: count)
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

extension RoleKeys {
    /// A short fingerprint of keyids and threshold: when it changes, the role must be re-signed.
    public var fingerprint: String {
        String(Hex.encode(Hash.digest(.sha256, Array(fingerprintText.utf8))).prefix(16))
    }

    /// What the fingerprint hashes: equal texts, equal fingerprints.
    var fingerprintText: String { keyIDs.sorted().joined(separator: ",") + "/\(threshold)" }
}
