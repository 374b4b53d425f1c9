import Testing
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// A key is its decoded material, not the text that spells it: one key written two ways
/// under two keyids counts once toward a threshold (STYLE habit 7).
@Suite struct KeyIdentityTests {
    /// Two spellings of one public key, and the test key that signs for both.
    struct Spelling: CustomTestStringConvertible, Sendable {
        let name: String
        let signer: String
        let first: (keytype: String, scheme: String, publicValue: String)
        let second: (keytype: String, scheme: String, publicValue: String)
        var testDescription: String { name }
    }

    static let spellings: [Spelling] = {
        let ed = TestKeys.key("ed1").publicKey, ec = TestKeys.key("ec1").publicKey, rsa = TestKeys.key("rsa1").publicKey
        let p256 = "ecdsa-sha2-nistp256"
        return [
            Spelling(name: "ed25519 hex lower and upper case", signer: "ed1",
                     first: ("ed25519", "ed25519", ed.publicValue), second: ("ed25519", "ed25519", ed.publicValue.uppercased())),
            Spelling(name: "ECDSA PEM wrapped at 64 and at 40 characters", signer: "ec1",
                     first: ("ecdsa", p256, ec.publicValue), second: ("ecdsa", p256, KeySpellings.rewrapped("ec1", width: 40))),
            Spelling(name: "ECDSA PEM with CRLF line ends", signer: "ec1",
                     first: ("ecdsa", p256, ec.publicValue), second: ("ecdsa", p256, KeySpellings.rewrapped("ec1", width: 64, newline: "\r\n"))),
            Spelling(name: "RSA PEM wrapped at 64 and at 76 characters", signer: "rsa1",
                     first: ("rsa", rsa.scheme, rsa.publicValue), second: ("rsa", rsa.scheme, KeySpellings.rewrapped("rsa1", width: 76))),
            Spelling(name: "P-256 point uncompressed and compressed", signer: "ec1",
                     first: ("ecdsa", p256, ec.publicValue), second: ("ecdsa", p256, KeySpellings.compressedP256())),
            Spelling(name: "keytype ecdsa and ecdsa-sha2-nistp256", signer: "ec1",
                     first: ("ecdsa", p256, ec.publicValue), second: (p256, p256, ec.publicValue)),
            Spelling(name: "compressed point under the deprecated keytype", signer: "ec1",
                     first: ("ecdsa", p256, ec.publicValue), second: (p256, p256, KeySpellings.compressedP256())),
        ]
    }()

    func keys(_ s: Spelling) -> (Key, Key) {
        (KeySpellings.key(keytype: s.first.keytype, scheme: s.first.scheme, publicValue: s.first.publicValue),
         KeySpellings.key(keytype: s.second.keytype, scheme: s.second.scheme, publicValue: s.second.publicValue))
    }

    @Test(arguments: spellings) func oneKeySpelledTwoWaysIsOneKey(_ s: Spelling) throws {
        let (a, b) = keys(s)
        #expect(a.keyID != b.keyID, "the spellings must differ for the test to mean anything")
        #expect(a.publicKey == b.publicKey)
        #expect(Set([a.publicKey, b.publicKey]).count == 1)
        #expect(a.publicKey.material == b.publicKey.material)
    }

    @Test(arguments: spellings) func oneKeySpelledTwoWaysCountsOnceTowardAThreshold(_ s: Spelling) throws {
        let (a, b) = keys(s)
        let message = Array("signed bytes".utf8)
        let raw = try TestKeys.key(s.signer).sign(message)
        // Both spellings verify the signature: the key really is the same.
        #expect(a.publicKey.verify(signature: raw, message: message))
        #expect(b.publicKey.verify(signature: raw, message: message))
        let result = RoleKeys(keyIDs: [a.keyID, b.keyID], threshold: 2, keys: [a.keyID: a, b.keyID: b]).verifies(
            signedBytes: message, signatures: [Signature(keyID: a.keyID, signature: raw), Signature(keyID: b.keyID, signature: raw)])
        #expect(result.signedBy.count == 1)
        #expect(!result.isVerified)
    }

    @Test func differentKeysStayDifferent() {
        let names = ["ed1", "ed2", "ec1", "rsa1"]
        let keys = names.map { TestKeys.key($0).publicKey }
        #expect(Set(keys).count == names.count)
        #expect(Set(keys.map(\.material)).count == names.count)
    }

    @Test func ed25519MaterialIsTheRaw32Bytes() {
        let key = TestKeys.key("ed1").publicKey
        #expect(key.material == Hex.decode(key.publicValue))
    }

    @Test func ecdsaAndRSAMaterialIsTheDERSubjectPublicKeyInfo() {
        // Uncompressed P-256 SPKI is 91 bytes, a SEQUENCE; the compressed form re-encodes to it.
        let ec = TestKeys.key("ec1").publicKey
        #expect(ec.material.count == 91 && ec.material.first == 0x30)
        let compressed = KeySpellings.key(keytype: "ecdsa", scheme: "ecdsa-sha2-nistp256", publicValue: KeySpellings.compressedP256())
        #expect(compressed.publicKey.material == ec.material)
        #expect(TestKeys.key("rsa1").publicKey.material.first == 0x30)
    }
}
