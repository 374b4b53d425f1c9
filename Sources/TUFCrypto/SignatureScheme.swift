import COpenSSL

/// A TUF (keytype, scheme) pair resolved to the primitive that verifies it.
enum SignatureScheme: Sendable, Equatable {
    enum Curve: Sendable, Equatable {
        case p256, p384

        /// The group name OpenSSL reports for a key on this curve.
        var openSSLGroupName: String { self == .p256 ? "prime256v1" : "secp384r1" }
    }

    enum Digest: Sendable, Equatable {
        case sha256, sha384, sha512

        var md: OpaquePointer {
            switch self {
            case .sha256: OpenSSLDigest.sha256.md
            case .sha384: OpenSSLDigest.sha384.md
            case .sha512: OpenSSLDigest.sha512.md
            }
        }
    }

    case ed25519
    /// The curve fixes the digest, as in securesystemslib: SHA-256 for P-256, SHA-384 for P-384.
    case ecdsa(Curve)
    case rsaPSS(Digest)
    case rsaPKCS1v15(Digest)

    /// The combinations securesystemslib registers (minus P-521 and ML-DSA); nil otherwise.
    init?(keytype: String, scheme: String) {
        switch (keytype, scheme) {
        case ("ed25519", "ed25519"): self = .ed25519
        // "ecdsa-sha2-nistp256" as a keytype is the deprecated spelling securesystemslib still accepts.
        case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"): self = .ecdsa(.p256)
        case ("ecdsa", "ecdsa-sha2-nistp384"), ("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"): self = .ecdsa(.p384)
        case ("rsa", "rsassa-pss-sha256"): self = .rsaPSS(.sha256)
        case ("rsa", "rsassa-pss-sha384"): self = .rsaPSS(.sha384)
        case ("rsa", "rsassa-pss-sha512"): self = .rsaPSS(.sha512)
        case ("rsa", "rsa-pkcs1v15-sha256"): self = .rsaPKCS1v15(.sha256)
        case ("rsa", "rsa-pkcs1v15-sha384"): self = .rsaPKCS1v15(.sha384)
        case ("rsa", "rsa-pkcs1v15-sha512"): self = .rsaPKCS1v15(.sha512)
        default: return nil
        }
    }

    /// The digest used with EVP_DigestSign/Verify; nil for ed25519, which hashes internally.
    var digest: Digest? {
        switch self {
        case .ed25519: nil
        case .ecdsa(.p256): .sha256
        case .ecdsa(.p384): .sha384
        case .rsaPSS(let digest), .rsaPKCS1v15(let digest): digest
        }
    }
}
