import CSodium

/// Ed25519 through libsodium.
enum Ed25519 {
    static let publicKeyLength = Int(crypto_sign_PUBLICKEYBYTES)
    static let signatureLength = Int(crypto_sign_BYTES)
    static let seedLength = Int(crypto_sign_SEEDBYTES)

    /// Checks a detached signature; false on any malformed input.
    @inline(__always)
    static func verify(signature: [UInt8], message: UnsafeBufferPointer<UInt8>, publicKey: [UInt8]) -> Bool {
        guard signature.count == signatureLength, publicKey.count == publicKeyLength else { return false }
        Sodium.ensureInitialized()
        return crypto_sign_verify_detached(signature, message.baseAddress, UInt64(message.count), publicKey) == 0
    }
}

/// An ed25519 secret key in memory that this class alone owns and zeroes when freed.
final class Ed25519SecretKey: @unchecked Sendable {
    // @unchecked: the buffer is written only in init and then only read (by signing and
    // export), so sharing it between threads is safe.
    private let secret: UnsafeMutablePointer<UInt8>  // libsodium's 64 bytes: seed || public key
    let publicKey: [UInt8]

    /// Derives the key pair from a 32-byte seed (the RFC 8032 private key, what PKCS#8 holds).
    init(seed: UnsafeBufferPointer<UInt8>) throws(CryptoError) {
        guard seed.count == Ed25519.seedLength, let base = seed.baseAddress else {
            throw CryptoError(.malformedKey, "an ed25519 private key is \(Ed25519.seedLength) bytes, got \(seed.count)")
        }
        Sodium.ensureInitialized()
        secret = .allocate(capacity: Int(crypto_sign_SECRETKEYBYTES))
        var publicKey = [UInt8](repeating: 0, count: Ed25519.publicKeyLength)
        guard crypto_sign_seed_keypair(&publicKey, secret, base) == 0 else {
            sodium_memzero(secret, Int(crypto_sign_SECRETKEYBYTES))
            secret.deallocate()
            throw CryptoError(.malformedKey, "libsodium rejected the ed25519 seed")
        }
        self.publicKey = publicKey
    }

    /// A fresh key pair from libsodium's CSPRNG.
    static func generate() throws(CryptoError) -> Ed25519SecretKey {
        Sodium.ensureInitialized()
        var seed = [UInt8](repeating: 0, count: Ed25519.seedLength)
        defer { sodium_memzero(&seed, seed.count) }
        randombytes_buf(&seed, seed.count)
        return try seed.withUnsafeBufferPointer { (buffer) throws(CryptoError) in try Ed25519SecretKey(seed: buffer) }
    }

    deinit {
        sodium_memzero(secret, Int(crypto_sign_SECRETKEYBYTES))
        secret.deallocate()
    }

    /// Lends the 32-byte seed; the caller must not keep or copy it.
    func withSeed<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        try body(UnsafeBufferPointer(start: secret, count: Ed25519.seedLength))
    }

    /// A detached signature over `message`.
    func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Ed25519.signatureLength)
        guard crypto_sign_detached(&signature, nil, message, UInt64(message.count), secret) == 0 else {
            throw CryptoError(.signingFailed, "crypto_sign_detached failed")
        }
        return signature
    }
}
