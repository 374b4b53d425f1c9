import TUFCanonicalJSON
import TUFCrypto

/// A target as the targets role describes it: length, hashes and optional custom data.
public struct TargetFile: Sendable, Equatable {
    public var length: Int64
    /// Hash algorithm name → lowercase hex digest; never empty.
    public var hashes: [String: String]
    /// Application data such as `{"yanked": true}`.
    public var custom: JSON?
    public var unrecognized: JSONObject

    public init(length: Int64, hashes: [String: String], custom: JSON? = nil) {
        self.length = length; self.hashes = hashes; self.custom = custom; self.unrecognized = JSONObject()
    }

    /// A TargetFile describing `bytes` with the given hash algorithms.
    public init(describing bytes: some Collection<UInt8>, hashAlgorithms: [HashAlgorithm] = [.sha256], custom: JSON? = nil) {
        self.init(length: Int64(bytes.count),
                  hashes: Dictionary(uniqueKeysWithValues: hashAlgorithms.map { ($0.rawValue, Hex.encode(Hash.digest($0, bytes))) }),
                  custom: custom)
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        length = try r.int("length")
        guard length >= 0 else { throw MetadataError(.invalidValue, "\(context).length: must not be negative") }
        hashes = try Self.readHashes(try r.require("hashes"), context: "\(context).hashes")
        custom = r.take("custom")
        unrecognized = r.remaining
    }

    static func readHashes(_ value: JSON, context: String) throws(MetadataError) -> [String: String] {
        guard let object = value.objectValue else {
            throw MetadataError(.malformed, "\(context): expected an object, found \(value.kindName)")
        }
        guard object.count > 0 else { throw MetadataError(.invalidValue, "\(context): must list at least one hash") }
        return try FieldReader.dictionary(object, context) { (name, digest) throws(MetadataError) in
            guard let s = digest.stringValue else {
                throw MetadataError(.malformed, "\(context).\(name): expected a string, found \(digest.kindName)")
            }
            return s
        }
    }

    public var json: JSON {
        var members: [JSONObject.Member] = []
        if let custom { members.append(.init(key: "custom", value: custom)) }
        members.append(.init(key: "hashes", value: encodeDictionary(hashes) { .string($0) }))
        members.append(.init(key: "length", value: .int(length)))
        return .object(JSONObject(members).appending(unrecognized))
    }
}
