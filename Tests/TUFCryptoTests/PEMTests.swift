import Testing
import TUFCrypto

private let passphrase = Array("correct horse battery staple".utf8)
private let message = Array("pem round trip".utf8)

@Test(arguments: KeyType.allCases)
func pemRoundTripsUnencrypted(_ type: KeyType) throws {
    let key = try TestKeys.key(type)
    let pem = try key.pemRepresentation(passphrase: nil)
    #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
    #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
    let loaded = try PrivateKey(pemRepresentation: pem, passphrase: nil)
    #expect(loaded.publicKey == key.publicKey)
    #expect(key.publicKey.verify(signature: try loaded.sign(message), message: message))
    // A passphrase given for an unencrypted key is not needed and is ignored.
    #expect(try PrivateKey(pemRepresentation: pem, passphrase: passphrase).publicKey == key.publicKey)
}

@Test(arguments: KeyType.allCases)
func pemRoundTripsEncrypted(_ type: KeyType) throws {
    let key = try TestKeys.key(type)
    let pem = try key.pemRepresentation(passphrase: passphrase, iterations: 10_000)
    #expect(pem.hasPrefix("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"))
    #expect(!pem.contains(try key.pemRepresentation(passphrase: nil).split(separator: "\n")[1]))
    let loaded = try PrivateKey(pemRepresentation: pem, passphrase: passphrase)
    #expect(loaded.publicKey == key.publicKey)
    #expect(key.publicKey.verify(signature: try loaded.sign(message), message: message))
}

@Test func pemWithDefaultIterationsRoundTrips() throws {
    let key = try TestKeys.key(.ed25519)
    let pem = try key.pemRepresentation(passphrase: passphrase)
    #expect(try PrivateKey(pemRepresentation: pem, passphrase: passphrase).publicKey == key.publicKey)
}

@Test(arguments: KeyType.allCases)
func wrongOrMissingPassphraseIsBadPassphrase(_ type: KeyType) throws {
    let pem = try TestKeys.key(type).pemRepresentation(passphrase: passphrase, iterations: 1_000)
    for wrong: [UInt8]? in [nil, [], Array("hunter2".utf8), passphrase.dropLast() + [0x21], passphrase + passphrase] {
        #expect(throws: CryptoError(.badPassphrase, "")) { try PrivateKey(pemRepresentation: pem, passphrase: wrong) }
    }
}

@Test func errorsNeverContainThePassphrase() throws {
    let secret = Array("s3cret-passphrase-do-not-log".utf8)
    let pem = try TestKeys.key(.ed25519).pemRepresentation(passphrase: secret, iterations: 1_000)
    do {
        _ = try PrivateKey(pemRepresentation: pem, passphrase: secret.reversed())
        Issue.record("a wrong passphrase was accepted")
    } catch {
        #expect(error.code == .badPassphrase)
        #expect(!error.description.contains("s3cret"))
        #expect(!error.description.contains("terces"))
    }
}

@Test func emptyPassphraseIsRefusedForWriting() throws {
    #expect(throws: CryptoError(.badPassphrase, "")) { try TestKeys.key(.ed25519).pemRepresentation(passphrase: []) }
}

@Test(arguments: [
    "", "garbage", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
])
func garbagePEMIsMalformedKey(_ pem: String) {
    #expect(throws: CryptoError(.malformedKey, "")) { try PrivateKey(pemRepresentation: pem, passphrase: nil) }
}

@Test func publicKeyPEMIsNotAPrivateKey() throws {
    let pem = try TestKeys.key(.ecdsa).publicKey.publicValue
    #expect(throws: CryptoError(.malformedKey, "")) { try PrivateKey(pemRepresentation: pem, passphrase: nil) }
}

@Test func truncatedPEMIsMalformedKey() throws {
    let pem = try TestKeys.key(.rsa).pemRepresentation(passphrase: nil)
    let truncated = String(pem.prefix(pem.count / 2)) + "\n-----END PRIVATE KEY-----\n"
    #expect(throws: CryptoError(.malformedKey, "")) { try PrivateKey(pemRepresentation: truncated, passphrase: nil) }
}
