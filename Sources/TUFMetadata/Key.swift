import TUFCanonicalJSON
import TUFCrypto

/// A public key as TUF metadata lists it (`keytype`, `scheme`, `keyval`), with the parsed
/// crypto key ready for verification and any unknown fields kept.
public struct Key: Sendable, Equatable {
    public let keytype: String
    public let scheme: String
    /// `keyval`: holds `public`, plus whatever else the writer put there.
    public let keyval: JSONObject
    /// Fields of the key object this version does not know.
    public let unrecognized: JSONObject
    /// The verifying key.
    public let publicKey: PublicKey

    /// A key for `publicKey`, as securesystemslib writes it.
    public init(_ publicKey: PublicKey) {
        self.keytype = publicKey.keytype
        self.scheme = publicKey.scheme
        self.keyval = JSONObject([.init(key: "public", value: .string(publicKey.publicValue))])
        self.unrecognized = JSONObject()
        self.publicKey = publicKey
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        keytype = try r.string("keytype")
        scheme = try r.string("scheme")
        keyval = try r.object("keyval")
        unrecognized = r.remaining
        guard let value = keyval["public"]?.stringValue else {
            throw MetadataError(.malformed, "\(context).keyval: missing string field \"public\"")
        }
        do {
            publicKey = try PublicKey(keytype: keytype, scheme: scheme, publicValue: value)
        } catch {
            let code: MetadataError.Code = error.code == .unsupportedKey ? .unsupportedKey : .invalidValue
            throw MetadataError(code, "\(context): \(error.message)")
        }
    }

    /// The key as JSON.
    public var json: JSON {
        .object(JSONObject([
            .init(key: "keytype", value: .string(keytype)),
            .init(key: "keyval", value: .object(keyval)),
            .init(key: "scheme", value: .string(scheme)),
        ]).appending(unrecognized))
    }

    /// The keyid securesystemslib computes: hex SHA-256 of the canonical JSON of
    /// `keytype`, `scheme` and `keyval` (unknown top-level fields are not part of it).
    public var keyID: String {
        let body: JSON = .object(JSONObject([
            .init(key: "keytype", value: .string(keytype)),
            .init(key: "keyval", value: .object(keyval)),
            .init(key: "scheme", value: .string(scheme)),
        ]))
        return Hex.encode(Hash.digest(.sha256, CanonicalJSON.encode(body)))
    }

    public static func == (a: Key, b: Key) -> Bool { a.json == b.json }
}
