import Testing
import TUFCrypto

private let message = Array("{\"signed\":{\"_type\":\"root\"}}".utf8)

/// The P-384 key comes from the Python fixture: `generate` makes only P-256 ECDSA keys.
private func p384Key() throws -> PrivateKey {
    let (_, vector) = try PythonVectors.vector("ecdsa-p384")
    return try PrivateKey(pemRepresentation: vector.privatePem, passphrase: nil)
}

private func keys() throws -> [PrivateKey] {
    try KeyType.allCases.map(TestKeys.key) + [p384Key()]
}

@Test(arguments: KeyType.allCases)
func generatedKeysHaveSecuresystemslibNames(_ type: KeyType) throws {
    let key = try TestKeys.key(type).publicKey
    switch type {
    case .ed25519:
        #expect(key.keytype == "ed25519" && key.scheme == "ed25519")
        #expect(key.publicValue.count == 64 && Hex.decode(key.publicValue) != nil)
        #expect(key.publicValue == key.publicValue.lowercased())
    case .ecdsa:
        #expect(key.keytype == "ecdsa" && key.scheme == "ecdsa-sha2-nistp256")
        #expect(key.publicValue.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(key.publicValue.hasSuffix("\n-----END PUBLIC KEY-----\n"))
    case .rsa:
        #expect(key.keytype == "rsa" && key.scheme == "rsassa-pss-sha256")
        #expect(key.publicValue.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        // 3072-bit modulus: the SubjectPublicKeyInfo is 422 bytes, 564 base64 characters.
        let base64 = key.publicValue.split(separator: "\n").dropFirst().dropLast().joined()
        #expect(base64.count == 564)
    }
}

@Test func signVerifyRoundTripsForEveryKind() throws {
    for key in try keys() {
        let signature = try key.sign(message)
        #expect(key.publicKey.verify(signature: signature, message: message), "\(key.publicKey.scheme)")
        // The same check through a key parsed from its JSON fields, as metadata does it.
        let parsed = try PublicKey(keytype: key.publicKey.keytype, scheme: key.publicKey.scheme, publicValue: key.publicKey.publicValue)
        #expect(parsed == key.publicKey)
        #expect(parsed.verify(signature: signature, message: message[...]))
        #expect(try key.publicKey.verify(signature: key.sign([]), message: [UInt8]()))
    }
}

@Test func verifyRejectsTamperedMessage() throws {
    for key in try keys() {
        let signature = try key.sign(message)
        var tampered = message
        tampered[5] ^= 0x01
        #expect(!key.publicKey.verify(signature: signature, message: tampered), "\(key.publicKey.scheme)")
        #expect(!key.publicKey.verify(signature: signature, message: message.dropLast()))
        #expect(!key.publicKey.verify(signature: signature, message: message + [0]))
    }
}

@Test func verifyRejectsTamperedSignature() throws {
    for key in try keys() {
        let signature = try key.sign(message)
        for index in [0, signature.count / 2, signature.count - 1] {
            var tampered = signature
            tampered[index] ^= 0x80
            #expect(!key.publicKey.verify(signature: tampered, message: message), "\(key.publicKey.scheme) byte \(index)")
        }
        #expect(!key.publicKey.verify(signature: Array(signature.dropLast()), message: message))
        #expect(!key.publicKey.verify(signature: signature + [0], message: message))
    }
}

@Test(arguments: KeyType.allCases)
func verifyRejectsSignatureByAnotherKey(_ type: KeyType) throws {
    let signature = try TestKeys.otherKey(type).sign(message)
    #expect(!(try TestKeys.key(type)).publicKey.verify(signature: signature, message: message))
}

@Test func verifyRejectsGarbageSignaturesWithoutCrashing() throws {
    let garbage: [[UInt8]] = [[], [0], [UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xff, count: 64),
                              [UInt8](repeating: 0x30, count: 72), [UInt8](repeating: 0, count: 384),
                              [UInt8](repeating: 0xff, count: 384), [UInt8](repeating: 0x41, count: 100_000)]
    for key in try keys() {
        for signature in garbage {
            #expect(!key.publicKey.verify(signature: signature, message: message), "\(key.publicKey.scheme) \(signature.count) bytes")
        }
    }
}

@Test func signaturesCrossSchemesDoNotVerify() throws {
    let all = try keys()
    for signer in all {
        let signature = try signer.sign(message)
        for verifier in all where verifier.publicKey != signer.publicKey {
            #expect(!verifier.publicKey.verify(signature: signature, message: message))
        }
    }
}

@Test(arguments: [
    ("ed25519", "ecdsa-sha2-nistp256"), ("ecdsa", "ed25519"), ("rsa", "rsassa-pss-md5"), ("dsa", "dsa"),
    ("ecdsa", "ecdsa-sha2-nistp521"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384"), ("", ""), ("ED25519", "ed25519"),
])
func publicKeyRejectsUnknownTypeAndScheme(_ keytype: String, _ scheme: String) throws {
    let value = try TestKeys.key(.ed25519).publicKey.publicValue
    #expect(throws: CryptoError(.unsupportedKey, "")) { try PublicKey(keytype: keytype, scheme: scheme, publicValue: value) }
}

@Test func publicKeyRejectsMalformedValues() throws {
    let ed = try TestKeys.key(.ed25519).publicKey.publicValue
    let ec = try TestKeys.key(.ecdsa).publicKey.publicValue
    let rsa = try TestKeys.key(.rsa).publicKey.publicValue
    let p384 = try p384Key().publicKey.publicValue
    let malformed: [(String, String, String)] = [
        ("ed25519", "ed25519", String(ed.dropLast(2))),  // 31 bytes
        ("ed25519", "ed25519", ed + "00"),
        ("ed25519", "ed25519", String(ed.dropLast()) + "g"),
        ("ed25519", "ed25519", ec),
        ("ecdsa", "ecdsa-sha2-nistp256", ed),
        ("ecdsa", "ecdsa-sha2-nistp256", rsa),  // valid PEM of the wrong algorithm
        ("ecdsa", "ecdsa-sha2-nistp256", p384),  // valid EC PEM on the wrong curve
        ("ecdsa", "ecdsa-sha2-nistp384", ec),
        ("rsa", "rsassa-pss-sha256", ec),
        ("rsa", "rsassa-pss-sha256", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
        ("rsa", "rsassa-pss-sha256", ""),
    ]
    for (keytype, scheme, value) in malformed {
        #expect(throws: CryptoError(.malformedKey, "")) { try PublicKey(keytype: keytype, scheme: scheme, publicValue: value) }
    }
}

@Test func publicKeyAcceptsDeprecatedECDSAKeytypes() throws {
    let key = try TestKeys.key(.ecdsa)
    let legacy = try PublicKey(keytype: "ecdsa-sha2-nistp256", scheme: "ecdsa-sha2-nistp256", publicValue: key.publicKey.publicValue)
    #expect(legacy.verify(signature: try key.sign(message), message: message))
    // The keytype is part of the keyid, not of the key: both spellings are one key.
    #expect(legacy == key.publicKey)
}

@Test func publicKeysAreEqualByTheirKeyMaterial() throws {
    let a = try TestKeys.key(.ed25519).publicKey
    let b = try PublicKey(keytype: a.keytype, scheme: a.scheme, publicValue: a.publicValue)
    #expect(a == b)
    #expect(Set([a, b]).count == 1)
    #expect(a != (try TestKeys.otherKey(.ed25519)).publicKey)
}
