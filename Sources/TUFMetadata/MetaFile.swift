import TUFCanonicalJSON
import TUFCrypto

/// A metadata file as timestamp and snapshot describe it: its version, and optionally its
/// length and hashes.
public struct MetaFile: Sendable, Equatable {
    public var version: Int64
    public var length: Int64?
    /// Hash algorithm name → lowercase hex digest.
    public var hashes: [String: String]?
    public var unrecognized: JSONObject

    public init(version: Int64, length: Int64? = nil, hashes: [String: String]? = nil) {
        self.version = version; self.length = length; self.hashes = hashes; self.unrecognized = JSONObject()
    }

    /// A MetaFile describing `bytes` with the given hash algorithms.
    public init(version: Int64, describing bytes: [UInt8], hashAlgorithms: [HashAlgorithm]) {
        self.init(version: version, length: Int64(bytes.count),
                  hashes: hashAlgorithms.isEmpty ? nil : Dictionary(uniqueKeysWithValues: hashAlgorithms.map { ($0.rawValue, Hex.encode(Hash.digest($0, bytes))) }))
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        version = try r.int("version")
        guard version >= 1 else { throw MetadataError(.invalidValue, "\(context).version: must be at least 1, is \(version)") }
        length = try r.optionalInt("length")
        if let length, length < 0 { throw MetadataError(.invalidValue, "\(context).length: must not be negative") }
        if let h = r.take("hashes") {
            hashes = try TargetFile.readHashes(h, context: "\(context).hashes")
        }
        unrecognized = r.remaining
    }

    public var json: JSON {
        var members: [JSONObject.Member] = []
        if let hashes { members.append(.init(key: "hashes", value: encodeDictionary(hashes) { .string($0) })) }
        if let length { members.append(.init(key: "length", value: .int(length))) }
        members.append(.init(key: "version", value: .int(version)))
        return .object(JSONObject(members).appending(unrecognized))
    }
}
