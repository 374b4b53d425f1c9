import Testing
import TUFCrypto

// Keys and signatures made by pyca/cryptography and securesystemslib's CryptoSigner
// (Tests/Interop/crypto_vectors.py → Fixtures/python-keys.json).

@Test(arguments: PythonVectors.names)
func pythonSignatureVerifies(_ name: String) throws {
    let (vectors, vector) = try PythonVectors.vector(name)
    let key = try PublicKey(keytype: vector.keytype, scheme: vector.scheme, publicValue: vector.publicValue)
    let signature = try #require(Hex.decode(vector.signature))
    #expect(key.verify(signature: signature, message: vectors.message))
    #expect(!key.verify(signature: signature, message: vectors.message + [0x0a]))
}

@Test func pythonRSASignaturesWithOtherPaddingsVerify() throws {
    let (vectors, vector) = try PythonVectors.vector("rsa-3072")
    #expect(vector.extraSignatures.count == 2)
    for extra in vector.extraSignatures {
        let key = try PublicKey(keytype: "rsa", scheme: extra.scheme, publicValue: vector.publicValue)
        let signature = try #require(Hex.decode(extra.signature))
        #expect(key.verify(signature: signature, message: vectors.message), "\(extra.note)")
    }
}

/// The canonical JSON securesystemslib hashes for a keyid. OLPC canonical form escapes only
/// `\` and `"`: the PEM's newlines stay raw bytes. Built by hand here because TUFCrypto does not
/// depend on TUFCanonicalJSON.
private func keyid(_ key: PublicKey) -> String {
    func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
    let json = "{\"keytype\":\(quoted(key.keytype)),\"keyval\":{\"public\":\(quoted(key.publicValue))},\"scheme\":\(quoted(key.scheme))}"
    return Hex.encode(Hash.digest(.sha256, Array(json.utf8)))
}

@Test(arguments: PythonVectors.names)
func pythonPEMLoadsToTheSamePublicKey(_ name: String) throws {
    let (vectors, vector) = try PythonVectors.vector(name)
    let expected = try PublicKey(keytype: vector.keytype, scheme: vector.scheme, publicValue: vector.publicValue)
    let passphrase = Array(vectors.passphrase.utf8)
    var pems: [(String, [UInt8]?)] = [(vector.privatePem, nil), (vector.privatePemEncrypted, passphrase)]
    if let traditional = vector.privatePemTraditional {
        #expect(traditional.contains("-----BEGIN EC PRIVATE KEY-----") || traditional.contains("-----BEGIN RSA PRIVATE KEY-----"))
        pems.append((traditional, nil))
    }
    for (pem, passphrase) in pems {
        let key = try PrivateKey(pemRepresentation: pem, passphrase: passphrase)
        // Byte for byte, so the keyid computed from it is the one python-tuf computes.
        #expect(key.publicKey.keytype == vector.keytype)
        #expect(key.publicKey.scheme == vector.scheme)
        #expect(key.publicKey.publicValue == vector.publicValue)
        #expect(keyid(key.publicKey) == vector.keyid)
        #expect(key.publicKey == expected)
        let signature = try key.sign(Array("signed in Swift".utf8))
        #expect(expected.verify(signature: signature, message: Array("signed in Swift".utf8)))
    }
    #expect(throws: CryptoError(.badPassphrase, "")) {
        try PrivateKey(pemRepresentation: vector.privatePemEncrypted, passphrase: Array("hunter3".utf8))
    }
}
