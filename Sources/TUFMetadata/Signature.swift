import TUFCanonicalJSON
import TUFCrypto

/// One signature of a metadata envelope: the signing keyid and the hex signature.
public struct Signature: Sendable, Equatable {
    public let keyID: String
    /// The signature as hex, exactly as written.
    public let signature: String
    public let unrecognized: JSONObject

    public init(keyID: String, signature: [UInt8]) {
        self.keyID = keyID
        self.signature = Hex.encode(signature)
        self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        keyID = try r.string("keyid")
        signature = try r.string("sig")
        unrecognized = r.remaining
    }

    /// The signature as JSON.
    public var json: JSON {
        .object(JSONObject([
            .init(key: "keyid", value: .string(keyID)),
            .init(key: "sig", value: .string(signature)),
        ]).appending(unrecognized))
    }
}
