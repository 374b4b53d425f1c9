import Foundation
import TUFCrypto
import TUFMetadata

/// One public key written in several ways that all decode to the same key material, each with
/// its own keyid: the raw material of the threshold-bypass attack (one key listed twice).
/// TEST ONLY.
public enum KeySpellings {
    /// Test key `name` (an ed25519 key) with its `public` hex in upper case: another keyid.
    public static func upperHex(_ name: String) -> Key {
        let key = TestKeys.key(name).publicKey
        return Key(try! PublicKey(keytype: key.keytype, scheme: key.scheme, publicValue: key.publicValue.uppercased()))
    }

    /// The PEM of a PEM-encoded test key (`ec1`, `rsa1`) with its base64 re-wrapped at `width`
    /// characters a line and `newline` between lines.
    public static func rewrapped(_ name: String, width: Int, newline: String = "\n") -> String {
        let key = TestKeys.key(name).publicKey
        return pem(der(ofPEM: key.publicValue), width: width, newline: newline)
    }

    /// The SubjectPublicKeyInfo PEM of test key `ec1` (P-256) with its point compressed
    /// (SEC 1: 0x02 or 0x03 by the parity of y, then x).
    public static func compressedP256(_ name: String = "ec1") -> String {
        let der = der(ofPEM: TestKeys.key(name).publicKey.publicValue)
        // Uncompressed P-256 SPKI: 26 bytes of header, then 0x04 || x (32) || y (32).
        precondition(der.count == 91 && der[26] == 0x04, "not an uncompressed P-256 SPKI")
        let x = der[27..<59], y = der[59..<91]
        let algorithm = der[2..<23]  // SEQUENCE { id-ecPublicKey, prime256v1 }
        let compressed: [UInt8] = [0x30, 0x39] + algorithm + [0x03, 0x22, 0x00, 0x02 | (y.last! & 1)] + x
        return pem(compressed, width: 64)
    }

    /// A `Key` for the given spelling of a public key.
    public static func key(keytype: String, scheme: String, publicValue: String) -> Key {
        Key(try! PublicKey(keytype: keytype, scheme: scheme, publicValue: publicValue))
    }

    /// A root (version `version`) whose root role is 2-of-2 over `first` and `second`, two
    /// spellings of test key `signer`, signed by `signer` once under each keyid. Every other
    /// role uses `signer` with threshold 1.
    public static func rootSignedTwiceByOneKey(_ signer: String = "ed1", first: Key? = nil, second: Key? = nil,
                                               version: Int64 = 1) -> [UInt8] {
        let a = first ?? TestKeys.publicKey(signer), b = second ?? upperHex(signer)
        precondition(a.keyID != b.keyID, "the two spellings must have different keyids")
        let single = Role(keyIDs: [a.keyID], threshold: 1)
        let root = Root(common: SignedCommon(version: version, expires: MetadataFactory.farFuture),
                        keys: [a.keyID: a, b.keyID: b],
                        roles: [.root: Role(keyIDs: [a.keyID, b.keyID], threshold: 2),
                                .targets: single, .snapshot: single, .timestamp: single])
        var md = Metadata(signed: root)
        let raw = try! TestKeys.key(signer).sign(md.signedBytes())
        md.signatures = [Signature(keyID: a.keyID, signature: raw), Signature(keyID: b.keyID, signature: raw)]
        return md.encoded()
    }

    static func der(ofPEM pem: String) -> [UInt8] {
        let body = pem.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        return [UInt8](Data(base64Encoded: body)!)
    }

    static func pem(_ der: [UInt8], width: Int, newline: String = "\n") -> String {
        let b64 = Array(Data(der).base64EncodedString())
        let lines = stride(from: 0, to: b64.count, by: width).map { String(b64[$0..<min($0 + width, b64.count)]) }
        return (["-----BEGIN PUBLIC KEY-----"] + lines + ["-----END PUBLIC KEY-----"]).joined(separator: newline) + newline
    }
}
