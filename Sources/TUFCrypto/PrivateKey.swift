import COpenSSL
import CSodium

/// A private key held in memory: ed25519 (libsodium), ECDSA P-256/P-384 or RSA (OpenSSL).
public struct PrivateKey: Signer {
    /// The matching public key, with the keytype and scheme securesystemslib gives this key.
    public let publicKey: PublicKey

    private enum Backing: Sendable {
        case ed25519(Ed25519SecretKey)
        case openSSL(OpenSSLKey, SignatureScheme)
    }

    private let backing: Backing

    /// PBKDF2 rounds for encrypted PEM: OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    /// (pyca/cryptography's BestAvailableEncryption uses only 2048; both read either.)
    public static let defaultPBKDF2Iterations = 600_000

    private init(publicKey: PublicKey, backing: Backing) {
        self.publicKey = publicKey
        self.backing = backing
    }

    /// A new random key: ed25519, ECDSA P-256, or RSA 3072.
    public static func generate(_ type: KeyType) throws(CryptoError) -> PrivateKey {
        switch type {
        case .ed25519:
            return try PrivateKey(ed25519: Ed25519SecretKey.generate())
        case .ecdsa:
            return try PrivateKey(openSSL: OpenSSLKey.generate("EC") { EVP_PKEY_CTX_set_group_name($0, "P-256") })
        case .rsa:
            return try PrivateKey(openSSL: OpenSSLKey.generate("RSA") { EVP_PKEY_CTX_set_rsa_keygen_bits($0, 3072) })
        }
    }

    /// Reads a PEM private key: PKCS#8 "PRIVATE KEY" or "ENCRYPTED PRIVATE KEY", or traditional
    /// "EC PRIVATE KEY" / "RSA PRIVATE KEY"; a wrong or missing passphrase is `.badPassphrase`.
    public init(pemRepresentation: String, passphrase: [UInt8]?) throws(CryptoError) {
        try self.init(reading: OpenSSLKey(privatePEM: pemRepresentation, passphrase: passphrase))
    }

    /// As `init(pemRepresentation:passphrase:)` from the bytes of a PEM file, which are handed
    /// to OpenSSL without a Swift `String` copy, so that the caller can zero them afterwards.
    public init(pemBytes: [UInt8], passphrase: [UInt8]?) throws(CryptoError) {
        let key = pemBytes.withUnsafeBytes { buffer in
            Result { () throws(CryptoError) in try OpenSSLKey(privatePEM: buffer, passphrase: passphrase) }
        }
        try self.init(reading: key.get())
    }

    /// Takes an ed25519 key out of OpenSSL into libsodium, or keeps an ECDSA or RSA key.
    private init(reading key: OpenSSLKey) throws(CryptoError) {
        if key.baseID == EVP_PKEY_ED25519 {
            var seed: [UInt8] = []
            defer { sodium_memzero(&seed, seed.count) }
            try key.ed25519Seed(into: &seed)
            let secret = try seed.withUnsafeBufferPointer { (buffer) throws(CryptoError) in try Ed25519SecretKey(seed: buffer) }
            try self.init(ed25519: secret)
        } else {
            try self.init(openSSL: key)
        }
    }

    /// The key as PKCS#8 PEM, encrypted with PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) when a
    /// passphrase is given.
    public func pemRepresentation(passphrase: [UInt8]?) throws(CryptoError) -> String {
        try pemRepresentation(passphrase: passphrase, iterations: Self.defaultPBKDF2Iterations)
    }

    /// As `pemRepresentation(passphrase:)` with an explicit PBKDF2 iteration count.
    public func pemRepresentation(passphrase: [UInt8]?, iterations: Int) throws(CryptoError) -> String {
        var bytes = try pemBytes(passphrase: passphrase, iterations: iterations)
        defer { secureZero(&bytes) }
        // The String is a copy that cannot be zeroed; key files are written from `pemBytes`.
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The PEM as bytes, for writing a key file; the caller zeroes them with `secureZero`.
    public func pemBytes(passphrase: [UInt8]?, iterations: Int = PrivateKey.defaultPBKDF2Iterations) throws(CryptoError) -> [UInt8] {
        switch backing {
        case .ed25519(let secret):
            // The temporary EVP_PKEY holds the seed; OpenSSL clears private keys when freeing them.
            let key = try secret.withSeed { (seed) throws(CryptoError) in try OpenSSLKey.ed25519(seed: seed) }
            return try key.privatePEM(passphrase: passphrase, iterations: iterations)
        case .openSSL(let key, _):
            return try key.privatePEM(passphrase: passphrase, iterations: iterations)
        }
    }

    /// A signature over `message` under `publicKey.scheme`.
    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        switch backing {
        case .ed25519(let secret): try secret.sign(message)
        case .openSSL(let key, let scheme): try key.sign(message, scheme: scheme)
        }
    }

    private init(ed25519 secret: Ed25519SecretKey) throws(CryptoError) {
        let publicKey = try PublicKey(keytype: "ed25519", scheme: "ed25519", publicValue: Hex.encode(secret.publicKey))
        self.init(publicKey: publicKey, backing: .ed25519(secret))
    }

    /// Names the key as securesystemslib's `SSlibKey.from_crypto` does: "ecdsa" with the
    /// curve's scheme, or "rsa" with "rsassa-pss-sha256".
    private init(openSSL key: OpenSSLKey) throws(CryptoError) {
        let keytype: String, scheme: String
        switch (key.baseID, key.groupName) {
        case (EVP_PKEY_EC, "prime256v1"): (keytype, scheme) = ("ecdsa", "ecdsa-sha2-nistp256")
        case (EVP_PKEY_EC, "secp384r1"): (keytype, scheme) = ("ecdsa", "ecdsa-sha2-nistp384")
        case (EVP_PKEY_EC, let group): throw CryptoError(.unsupportedKey, "unsupported EC curve \(group ?? "unknown")")
        case (EVP_PKEY_RSA, _): (keytype, scheme) = ("rsa", "rsassa-pss-sha256")
        default: throw CryptoError(.unsupportedKey, "unsupported private key algorithm (OpenSSL id \(key.baseID))")
        }
        let publicKey = try PublicKey(keytype: keytype, scheme: scheme, publicValue: key.publicPEM())
        guard let parsed = SignatureScheme(keytype: keytype, scheme: scheme) else {
            throw CryptoError(.unsupportedKey, "unsupported keytype/scheme \(keytype)/\(scheme)")
        }
        self.init(publicKey: publicKey, backing: .openSSL(key, parsed))
    }
}
