import COpenSSL

/// Owns one OpenSSL `EVP_PKEY` and moves it in and out of PEM.
final class OpenSSLKey: @unchecked Sendable {
    // @unchecked: OpenSSL 3 allows concurrent signing and verifying with one EVP_PKEY as long
    // as nobody mutates it, and nothing does after init.
    let pkey: OpaquePointer

    init(taking pkey: OpaquePointer) {
        self.pkey = pkey
    }

    deinit {
        EVP_PKEY_free(pkey)
    }

    /// OpenSSL's algorithm id: EVP_PKEY_ED25519, EVP_PKEY_EC, EVP_PKEY_RSA, …
    var baseID: Int32 { EVP_PKEY_get_base_id(pkey) }

    /// The curve of an EC key as OpenSSL names it ("prime256v1", "secp384r1"); nil otherwise.
    var groupName: String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_group_name(pkey, &buffer, buffer.count, &length) == 1 else {
            OpenSSLError.clear()
            return nil
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Generation

    /// A fresh key of OpenSSL algorithm `name` ("EC", "RSA"); `configure` sets its parameters.
    static func generate(_ name: String, configure: (OpaquePointer) -> Int32) throws(CryptoError) -> OpenSSLKey {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw CryptoError(.keyGenerationFailed, "\(name) key generation: \(OpenSSLError.drain())")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_keygen_init(ctx) == 1, configure(ctx) == 1, EVP_PKEY_generate(ctx, &pkey) == 1, let pkey else {
            throw CryptoError(.keyGenerationFailed, "\(name) key generation: \(OpenSSLError.drain())")
        }
        return OpenSSLKey(taking: pkey)
    }

    /// An ed25519 key from its 32-byte seed, used only to write it as PKCS#8.
    static func ed25519(seed: UnsafeBufferPointer<UInt8>) throws(CryptoError) -> OpenSSLKey {
        guard let pkey = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, seed.baseAddress, seed.count) else {
            throw CryptoError(.encodingFailed, "ed25519 key: \(OpenSSLError.drain())")
        }
        return OpenSSLKey(taking: pkey)
    }

    /// Copies an ed25519 key's 32-byte seed into a buffer that the caller must zero.
    func ed25519Seed(into seed: inout [UInt8]) throws(CryptoError) {
        seed = [UInt8](repeating: 0, count: Ed25519.seedLength)
        var length = seed.count
        guard EVP_PKEY_get_raw_private_key(pkey, &seed, &length) == 1, length == Ed25519.seedLength else {
            throw CryptoError(.malformedKey, "ed25519 private key: \(OpenSSLError.drain())")
        }
    }

    // MARK: Reading PEM

    /// Parses a PEM SubjectPublicKeyInfo ("BEGIN PUBLIC KEY").
    convenience init(publicPEM: String) throws(CryptoError) {
        let bio = try Self.inputBIO(publicPEM, secret: false)
        defer { BIO_free(bio) }
        // The callback refuses any passphrase prompt: public keys are never encrypted, and a nil
        // callback would make OpenSSL prompt on the terminal.
        guard let pkey = PEM_read_bio_PUBKEY(bio, nil, { _, _, _, _ in -1 }, nil) else {
            throw CryptoError(.malformedKey, "not a PEM public key (\(OpenSSLError.drain()))")
        }
        self.init(taking: pkey)
    }

    /// Parses a PEM private key: PKCS#8, encrypted PKCS#8, or traditional EC/RSA.
    convenience init(privatePEM: String, passphrase: [UInt8]?) throws(CryptoError) {
        let bio = try Self.inputBIO(privatePEM, secret: true)
        try self.init(privateBIO: bio, passphrase: passphrase)
    }

    /// As `init(privatePEM:passphrase:)` from the bytes of a PEM file.
    convenience init(privatePEM: UnsafeRawBufferPointer, passphrase: [UInt8]?) throws(CryptoError) {
        let bio = try Self.inputBIO(privatePEM, secret: true)
        try self.init(privateBIO: bio, passphrase: passphrase)
    }

    /// Reads a private key from `bio` and frees it. The BIO is a secure-memory one, cleared when
    /// freed. The decrypted PKCS#8 DER never reaches Swift: OpenSSL decrypts and decodes it
    /// internally and cleanses that buffer itself (its code, which we cannot check from here).
    private convenience init(privateBIO bio: OpaquePointer, passphrase: [UInt8]?) throws(CryptoError) {
        defer { BIO_free(bio) }
        let prompt = PassphrasePrompt(passphrase)
        let pkey = withExtendedLifetime(prompt) {
            PEM_read_bio_PrivateKey(bio, nil, { buffer, size, _, userdata in
                guard let buffer, let userdata else { return -1 }
                return Unmanaged<PassphrasePrompt>.fromOpaque(userdata).takeUnretainedValue().answer(into: buffer, size: size)
            }, Unmanaged.passUnretained(prompt).toOpaque())
        }
        guard let pkey else {
            // OpenSSL asks for a passphrase only when the key is encrypted; after that any
            // failure (bad padding, then bad DER) means the passphrase was wrong.
            let reason = OpenSSLError.drain()
            if prompt.wasAsked {
                throw CryptoError(.badPassphrase, passphrase == nil
                    ? "the private key is encrypted and no passphrase was given"
                    : "wrong passphrase for the encrypted private key")
            }
            throw CryptoError(.malformedKey, "not a PEM private key (\(reason))")
        }
        self.init(taking: pkey)
        // OpenSSL takes a key file's parts as written: an RSA key whose CRT values do not fit
        // its modulus, or an EC key listing another public point, reads fine and then signs
        // what its public key never verifies (and a faulty RSA-CRT signature can reveal the
        // primes). Refuse such a file as it is read.
        guard let ctx = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else {
            throw CryptoError(.malformedKey, "EVP_PKEY_CTX_new_from_pkey failed")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_pairwise_check(ctx) == 1 else {
            throw CryptoError(.malformedKey, "the private key's parts do not match each other (\(OpenSSLError.drain()))")
        }
    }

    // MARK: Identity

    /// The public key as DER SubjectPublicKeyInfo (`i2d_PUBKEY`), with an EC point always
    /// uncompressed: a key read from a compressed point encodes the same as from an
    /// uncompressed one, so the DER names the key and not its spelling.
    func subjectPublicKeyInfoDER() throws(CryptoError) -> [UInt8] {
        // A copy, because setting the point format mutates the key and `pkey` may be shared.
        guard let copy = EVP_PKEY_dup(pkey) else {
            throw CryptoError(.malformedKey, "copying the public key: \(OpenSSLError.drain())")
        }
        defer { EVP_PKEY_free(copy) }
        if baseID == EVP_PKEY_EC,
           EVP_PKEY_set_utf8_string_param(copy, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1 {
            throw CryptoError(.malformedKey, "EC point format: \(OpenSSLError.drain())")
        }
        let length = i2d_PUBKEY(copy, nil)
        guard length > 0 else { throw CryptoError(.malformedKey, "public key DER: \(OpenSSLError.drain())") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(copy, &cursor)
        }
        guard written == length else { throw CryptoError(.malformedKey, "public key DER: \(OpenSSLError.drain())") }
        return der
    }

    // MARK: Writing PEM

    /// The public key as PEM SubjectPublicKeyInfo, 64-character base64 lines, trailing newline:
    /// byte for byte what pyca/cryptography writes, so securesystemslib keyids match.
    func publicPEM() throws(CryptoError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError(.encodingFailed, "BIO_new failed") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PUBKEY(bio, pkey) == 1 else {
            throw CryptoError(.encodingFailed, "public key PEM: \(OpenSSLError.drain())")
        }
        return Self.contents(of: bio)
    }

    /// The private key as PKCS#8 PEM; with a passphrase, "ENCRYPTED PRIVATE KEY" using PBES2
    /// (PBKDF2-HMAC-SHA256 with a 16-byte random salt, AES-256-CBC).
    /// The bytes are the caller's to zero.
    func privatePEM(passphrase: [UInt8]?, iterations: Int) throws(CryptoError) -> [UInt8] {
        // secmem BIOs clear their buffers when freed: an unencrypted key passes through here.
        guard let bio = BIO_new(BIO_s_secmem()) else { throw CryptoError(.encodingFailed, "BIO_new failed") }
        defer { BIO_free(bio) }
        guard let passphrase else {
            guard PEM_write_bio_PKCS8PrivateKey(bio, pkey, nil, nil, 0, nil, nil) == 1 else {
                throw CryptoError(.encodingFailed, "private key PEM: \(OpenSSLError.drain())")
            }
            return Self.bytes(of: bio)
        }
        guard !passphrase.isEmpty, passphrase.count <= Int(Int32.max) else {
            throw CryptoError(.badPassphrase, "an empty passphrase cannot encrypt a key")
        }
        guard iterations > 0, iterations <= Int(Int32.max) else {
            throw CryptoError(.encodingFailed, "PBKDF2 iteration count \(iterations) is out of range")
        }
        guard let info = EVP_PKEY2PKCS8(pkey) else {
            throw CryptoError(.encodingFailed, "PKCS#8: \(OpenSSLError.drain())")
        }
        // Freeing a PKCS8_PRIV_KEY_INFO clears its private key octets (ASN1_STRING_clear_free).
        defer { PKCS8_PRIV_KEY_INFO_free(info) }
        guard let pbes2 = PKCS5_pbe2_set_iv(EVP_aes_256_cbc(), Int32(iterations), nil, 16, nil, NID_hmacWithSHA256) else {
            throw CryptoError(.encodingFailed, "PBES2 parameters: \(OpenSSLError.drain())")
        }
        let sealed = passphrase.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PKCS8_set0_pbe($0.baseAddress, Int32($0.count), info, pbes2) }
        }
        guard let sealed else {
            X509_ALGOR_free(pbes2)  // PKCS8_set0_pbe takes ownership only on success
            throw CryptoError(.encodingFailed, "PKCS#8 encryption: \(OpenSSLError.drain())")
        }
        defer { X509_SIG_free(sealed) }
        guard PEM_write_bio_PKCS8(bio, sealed) == 1 else {
            throw CryptoError(.encodingFailed, "encrypted private key PEM: \(OpenSSLError.drain())")
        }
        return Self.bytes(of: bio)
    }

    // MARK: BIO helpers

    /// A memory BIO holding a copy of `text`; `secret` uses one that is cleared when freed.
    private static func inputBIO(_ text: String, secret: Bool) throws(CryptoError) -> OpaquePointer {
        guard let bio = BIO_new(secret ? BIO_s_secmem() : BIO_s_mem()) else {
            throw CryptoError(.malformedKey, "BIO_new failed")
        }
        let written = text.utf8.withContiguousStorageIfAvailable { BIO_write(bio, $0.baseAddress, Int32(clamping: $0.count)) }
            ?? Array(text.utf8).withUnsafeBufferPointer { BIO_write(bio, $0.baseAddress, Int32(clamping: $0.count)) }
        guard written == text.utf8.count else {
            BIO_free(bio)
            throw CryptoError(.malformedKey, "PEM text too large")
        }
        return bio
    }

    /// A memory BIO holding a copy of `bytes`; `secret` uses one that is cleared when freed.
    private static func inputBIO(_ bytes: UnsafeRawBufferPointer, secret: Bool) throws(CryptoError) -> OpaquePointer {
        guard let bio = BIO_new(secret ? BIO_s_secmem() : BIO_s_mem()) else {
            throw CryptoError(.malformedKey, "BIO_new failed")
        }
        guard bytes.count <= Int(Int32.max), BIO_write(bio, bytes.baseAddress, Int32(bytes.count)) == bytes.count else {
            BIO_free(bio)
            throw CryptoError(.malformedKey, "PEM data too large")
        }
        return bio
    }

    /// Everything written to a memory BIO, as text (PEM is ASCII).
    private static func contents(of bio: OpaquePointer) -> String {
        String(decoding: bytes(of: bio), as: UTF8.self)
    }

    /// Everything written to a memory BIO, as one array allocated at its final size (no growth,
    /// so no stray partial copies), for the caller to zero when it holds a secret.
    private static func bytes(of bio: OpaquePointer) -> [UInt8] {
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)
        guard let data, length > 0 else { return [] }
        return [UInt8](UnsafeRawBufferPointer(start: data, count: length))
    }
}

/// Answers OpenSSL's passphrase callback and records that it was asked. It holds the caller's
/// array (shared storage, not a copy); OpenSSL cleanses the buffer it lends to the callback.
private final class PassphrasePrompt {
    let passphrase: [UInt8]?
    private(set) var wasAsked = false

    init(_ passphrase: [UInt8]?) {
        self.passphrase = passphrase
    }

    /// Copies the passphrase into OpenSSL's buffer; -1 (refuse) when there is none or it does not fit.
    func answer(into buffer: UnsafeMutablePointer<CChar>, size: Int32) -> Int32 {
        wasAsked = true
        guard let passphrase, passphrase.count <= Int(size) else { return -1 }
        passphrase.withUnsafeBytes { UnsafeMutableRawPointer(buffer).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return Int32(passphrase.count)
    }
}
