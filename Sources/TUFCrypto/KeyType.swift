/// The kinds of key `PrivateKey.generate` makes.
public enum KeyType: String, Sendable, CaseIterable {
    /// Ed25519, scheme "ed25519".
    case ed25519
    /// ECDSA on NIST P-256, scheme "ecdsa-sha2-nistp256".
    case ecdsa
    /// RSA 3072 bits, scheme "rsassa-pss-sha256".
    case rsa
}
