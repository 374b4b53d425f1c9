import TUFCanonicalJSON
import TUFCrypto

/// A signed metadata document: the `signed` payload and its signatures.
public struct Metadata<Payload: SignedPayload>: Sendable, Equatable {
    public var signed: Payload
    /// Signatures in order; keyids are unique.
    public var signatures: [Signature]
    /// Unknown fields of the envelope.
    public var unrecognized: JSONObject

    public init(signed: Payload, signatures: [Signature] = []) {
        self.signed = signed; self.signatures = signatures; self.unrecognized = JSONObject()
    }

    /// Parses metadata bytes, checking that `_type` is this payload's role type. `name`
    /// names the document in errors (a role or file name).
    public init(bytes: some Collection<UInt8>, name: String? = nil) throws(MetadataError) {
        // No canonical bytes here: a caller that verifies goes through `Envelope` and keeps
        // them; one that only reads the model should not pay for encoding a large file.
        let envelope = try Envelope(bytes: bytes, name: name ?? Payload.type.rawValue, parser: JSONParser(), canonicalize: false)
        try self.init(envelope: envelope)
    }

    /// Decodes the payload of an envelope that has already been parsed.
    public init(envelope: Envelope) throws(MetadataError) {
        signed = try Payload(json: envelope.signedJSON, context: envelope.name)
        signatures = envelope.signatures
        unrecognized = envelope.unrecognized
    }

    /// The canonical bytes of `signed`: what is signed and verified.
    public func signedBytes() -> [UInt8] { CanonicalJSON.encode(signed.json) }

    /// The whole document as JSON.
    public var json: JSON {
        .object(JSONObject([
            .init(key: "signatures", value: .array(signatures.map(\.json))),
            .init(key: "signed", value: signed.json),
        ]).appending(unrecognized))
    }

    /// The bytes to write: python-tuf's default (`to_bytes`/`to_file`: compact, sorted keys,
    /// ASCII escapes), so our files are byte-identical to its output.
    public func encoded(style: PythonJSONEncoder.Style = .compact) -> [UInt8] {
        PythonJSONEncoder.encode(json, style: style)
    }

    /// Signs `signed` with `signer`, replacing an earlier signature by the same key.
    @discardableResult
    public mutating func sign(with signer: any Signer) throws(MetadataError) -> Signature {
        try sign(with: signer, signedBytes: signedBytes())
    }

    /// Signs with precomputed canonical bytes (which must be `signedBytes()`); lets a caller
    /// sign with several keys while encoding once.
    @discardableResult
    public mutating func sign(with signer: any Signer, signedBytes: [UInt8]) throws(MetadataError) -> Signature {
        let keyID = Key(signer.publicKey).keyID
        let raw: [UInt8]
        do { raw = try signer.sign(signedBytes) } catch {
            throw MetadataError(.signingFailed, "\(Payload.type.rawValue): signing with key \(keyID) failed: \(error.message)")
        }
        let signature = Signature(keyID: keyID, signature: raw)
        signatures.removeAll { $0.keyID == keyID }
        signatures.append(signature)
        return signature
    }
}

/// The outer layer of any metadata file, before the payload is decoded: lets a verifier
/// check signatures and `_type` first, and hands out the canonical signed bytes.
public struct Envelope: Sendable {
    /// Names the document in errors.
    public let name: String
    public let signedJSON: JSON
    public let signatures: [Signature]
    public let unrecognized: JSONObject
    /// Canonical JSON of `signed`, as read (unknown fields included).
    public let signedBytes: [UInt8]

    /// Parses the envelope; rejects bad JSON, missing parts and duplicate signature keyids.
    public init(bytes: some Collection<UInt8>, name: String, parser: JSONParser = JSONParser()) throws(MetadataError) {
        try self.init(bytes: bytes, name: name, parser: parser, canonicalize: true)
    }

    /// With `canonicalize` false, `signedBytes` is left empty: only for decoding the model.
    init(bytes: some Collection<UInt8>, name: String, parser: JSONParser, canonicalize: Bool) throws(MetadataError) {
        self.name = name
        let json: JSON
        do { json = try parser.parse(bytes) } catch { throw MetadataError(error, file: name) }
        var r = try FieldReader(json, context: name)
        signedJSON = try r.require("signed")
        guard signedJSON.objectValue != nil else {
            throw MetadataError(.malformed, "\(name).signed: expected an object, found \(signedJSON.kindName)")
        }
        let sigs = try r.require("signatures")
        guard let array = sigs.arrayValue else {
            throw MetadataError(.malformed, "\(name).signatures: expected an array, found \(sigs.kindName)")
        }
        var signatures: [Signature] = []
        var seen = Set<ExactKey>()
        for (i, element) in array.enumerated() {
            let signature = try FieldReader.inContext(name, ".signatures[\(i)]") { (c) throws(MetadataError) in try Signature(json: element, context: c) }
            // Two signatures under one keyid are ambiguous; python-tuf rejects them too.
            guard seen.insert(ExactKey(signature.keyID)).inserted else {
                throw MetadataError(.duplicateKeyID, "\(name).signatures: more than one signature for keyid \(signature.keyID)")
            }
            signatures.append(signature)
        }
        self.signatures = signatures
        unrecognized = r.remaining
        signedBytes = canonicalize ? CanonicalJSON.encode(signedJSON) : []
    }

    /// The `_type` of the payload, if it is a string.
    public var type: String? { signedJSON.objectValue?["_type"]?.stringValue }
}
