import TUFCrypto

/// PEM keys: private (plain, with the fixed passphrase, and traditional), then public under
/// each scheme. A key that reads must sign and verify, and read back from the PEM we write.
enum PEMFuzz {
    /// The passphrase of the encrypted keys in Tests/TUFCryptoTests/Fixtures/python-keys.json.
    static let passphrase = Array("hunter2".utf8)
    static let message = Array("swift-tuf fuzz".utf8)
    static let schemes = [("ed25519", "ed25519"), ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa", "ecdsa-sha2-nistp384"),
                          ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"), ("rsa", "rsassa-pss-sha256")]

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        let text = String(decoding: bytes, as: UTF8.self)
        if let key = (try? PrivateKey(pemRepresentation: text, passphrase: nil))
            ?? (try? PrivateKey(pemRepresentation: text, passphrase: passphrase)) {
            try checkPrivate(key)
        }
        for (keytype, scheme) in schemes {
            guard let key = try? PublicKey(keytype: keytype, scheme: scheme, publicValue: text) else { continue }
            try require(!key.verify(signature: Array(bytes.prefix(512)), message: message), "\(scheme): the input verifies as a signature of its own key")
            // Reading the same text again gives an equal key.
            try require((try? PublicKey(keytype: keytype, scheme: scheme, publicValue: text)) == key, "\(scheme): reading twice differs")
        }
    }

    static func checkPrivate(_ key: PrivateKey) throws(FuzzFailure) {
        let scheme = key.publicKey.scheme
        let signature: [UInt8]
        do { signature = try key.sign(message) } catch { return }  // e.g. an RSA key too small for PSS
        try require(key.publicKey.verify(signature: signature, message: message), "\(scheme): own signature does not verify")
        // The PEM we write reads back as the same key (one PBKDF2 round: only the format matters here).
        for passphrase in [nil, passphrase] {
            let pem: String
            do { pem = try key.pemRepresentation(passphrase: passphrase, iterations: 1) } catch {
                throw FuzzFailure("\(scheme): a key that was read cannot be written: \(error)")
            }
            let back: PrivateKey
            do { back = try PrivateKey(pemRepresentation: pem, passphrase: passphrase) } catch {
                throw FuzzFailure("\(scheme): written PEM does not read back: \(error)")
            }
            try require(back.publicKey == key.publicKey, "\(scheme): written PEM reads back as another key")
        }
        // The public key we derive reads as a public key of the same scheme.
        let reread = try? PublicKey(keytype: key.publicKey.keytype, scheme: scheme, publicValue: key.publicKey.publicValue)
        try require(reread == key.publicKey, "\(scheme): derived public key does not read back")
    }
}
