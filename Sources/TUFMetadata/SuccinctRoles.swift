import TUFCanonicalJSON
import TUFCrypto

/// TAP 15 succinct hashed bins: `2^bitLength` roles named `<prefix>-<hex>` that share keys,
/// each trusted for the targets whose path hash starts with its number.
public struct SuccinctRoles: Sendable, Equatable {
    public var keyIDs: [String]
    public var threshold: Int
    /// 1...32.
    public var bitLength: Int
    public var namePrefix: String
    public var unrecognized: JSONObject

    public init(keyIDs: [String], threshold: Int, bitLength: Int, namePrefix: String) {
        self.keyIDs = keyIDs; self.threshold = threshold; self.bitLength = bitLength
        self.namePrefix = namePrefix; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        keyIDs = try r.stringArray("keyids")
        threshold = try Int(r.int("threshold"))
        bitLength = try Int(r.int("bit_length"))
        namePrefix = try r.string("name_prefix")
        unrecognized = r.remaining
        guard (1...32).contains(bitLength) else {
            throw MetadataError(.invalidValue, "\(context).bit_length: must be 1 to 32, is \(bitLength)")
        }
        try Role.validate(keyIDs: keyIDs, threshold: threshold, context: context)
    }

    public var json: JSON {
        .object(JSONObject([
            .init(key: "bit_length", value: .int(Int64(bitLength))),
            .init(key: "keyids", value: .array(keyIDs.map { .string($0) })),
            .init(key: "name_prefix", value: .string(namePrefix)),
            .init(key: "threshold", value: .int(Int64(threshold))),
        ]).appending(unrecognized))
    }

    /// How many bins there are.
    public var numberOfBins: Int { 1 << bitLength }
    /// Hex digits in a bin name's suffix: those of the last bin number.
    public var suffixLength: Int { String(numberOfBins - 1, radix: 16).count }

    /// The name of bin `number`.
    public func roleName(bin number: Int) -> String {
        let hex = String(number, radix: 16)
        return "\(namePrefix)-\(String(repeating: "0", count: suffixLength - hex.count))\(hex)"
    }

    /// The bin number of `targetPath`: the first `bitLength` bits of its SHA-256.
    public func bin(for targetPath: String) -> Int {
        let digest = Hash.digest(.sha256, Array(targetPath.utf8))
        let first = UInt32(digest[0]) << 24 | UInt32(digest[1]) << 16 | UInt32(digest[2]) << 8 | UInt32(digest[3])
        return Int(first >> (32 - UInt32(bitLength)))
    }

    /// The role trusted for `targetPath`.
    public func roleName(for targetPath: String) -> String { roleName(bin: bin(for: targetPath)) }

    /// Every bin name in order.
    public var roleNames: [String] { (0..<numberOfBins).map(roleName(bin:)) }

    /// The bin number when `name` is one of these roles (lowercase hex suffix, as written).
    public func binNumber(ofRole name: String) -> Int? {
        RoleName.binNumber(name, prefix: namePrefix, digits: suffixLength, count: numberOfBins)
    }

    /// True when `name` is one of these roles.
    public func isDelegatedRole(_ name: String) -> Bool { binNumber(ofRole: name) != nil }
}
