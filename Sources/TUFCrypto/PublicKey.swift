import COpenSSL

/// A public key as TUF key JSON describes it, parsed once so that verifying is cheap.
/// Two values are equal when they hold the same key `material`, however the JSON spells it.
public struct PublicKey: Sendable, Hashable {
    /// The key JSON `keytype`: "ed25519", "ecdsa" (or the deprecated "ecdsa-sha2-nistp256/384"), "rsa".
    public let keytype: String
    /// The key JSON `scheme`: "ed25519", "ecdsa-sha2-nistp256/384", "rsassa-pss-sha256", ….
    public let scheme: String
    /// The key JSON `keyval.public`, kept exactly as given: keyids hash these bytes.
    public let publicValue: String
    /// The decoded key, which alone decides identity: the raw 32 bytes of an ed25519 key, the
    /// DER SubjectPublicKeyInfo (EC points uncompressed) of an ECDSA or RSA key. One key spelled
    /// two ways (hex case, PEM line wrapping, compressed point, "ecdsa" or
    /// "ecdsa-sha2-nistp256" keytype) under two keyids is one key and counts once toward a threshold.
    public let material: [UInt8]

    private enum Verifier: Sendable {
        case ed25519([UInt8])
        case openSSL(OpenSSLKey, SignatureScheme)
    }

    private let verifier: Verifier

    /// Parses and validates a key: hex for ed25519, PEM SubjectPublicKeyInfo for ecdsa and rsa.
    public init(keytype: String, scheme: String, publicValue: String) throws(CryptoError) {
        guard let kind = SignatureScheme(keytype: keytype, scheme: scheme) else {
            throw CryptoError(.unsupportedKey, "unsupported keytype/scheme \(keytype)/\(scheme)")
        }
        switch kind {
        case .ed25519:
            // Either case, as securesystemslib's bytes.fromhex accepts.
            guard let bytes = Hex.decode(publicValue), bytes.count == Ed25519.publicKeyLength else {
                throw CryptoError(.malformedKey, "an ed25519 public key is \(2 * Ed25519.publicKeyLength) hex characters")
            }
            (verifier, material) = (.ed25519(bytes), bytes)
        case .ecdsa(let curve):
            let key = try OpenSSLKey(publicPEM: publicValue)
            guard key.baseID == EVP_PKEY_EC, key.groupName == curve.openSSLGroupName else {
                throw CryptoError(.malformedKey, "the PEM is not a \(curve.openSSLGroupName) key, as scheme \(scheme) needs")
            }
            (verifier, material) = (.openSSL(key, kind), try key.subjectPublicKeyInfoDER())
        case .rsaPSS, .rsaPKCS1v15:
            let key = try OpenSSLKey(publicPEM: publicValue)
            guard key.baseID == EVP_PKEY_RSA else {
                throw CryptoError(.malformedKey, "the PEM is not an RSA key, as scheme \(scheme) needs")
            }
            (verifier, material) = (.openSSL(key, kind), try key.subjectPublicKeyInfoDER())
        }
        self.keytype = keytype
        self.scheme = scheme
        self.publicValue = publicValue
    }

    /// True when `signature` is a valid signature of `message` by this key; false on any garbage.
    public func verify(signature: [UInt8], message: some Collection<UInt8>) -> Bool {
        withContiguousBytes(message) { message in
            switch verifier {
            case .ed25519(let key): Ed25519.verify(signature: signature, message: message, publicKey: key)
            case .openSSL(let key, let scheme): key.verify(signature, message: message, scheme: scheme)
            }
        }
    }

    /// Same key material; keytype, scheme and spelling do not matter (an ed25519 key is 32
    /// bytes and a DER SubjectPublicKeyInfo is longer, so the two kinds never collide).
    public static func == (lhs: PublicKey, rhs: PublicKey) -> Bool {
        lhs.material == rhs.material
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(material)
    }
}
