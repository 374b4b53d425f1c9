import COpenSSL

/// SHA-2 implementations fetched from the default provider once: `EVP_sha256()` and friends
/// fetch implicitly on every use, a lookup under a lock that shows when hashing many small inputs.
final class OpenSSLDigest: @unchecked Sendable {
    // @unchecked: a fetched EVP_MD is immutable and OpenSSL documents it as safe to share
    // between threads; it lives for the whole process and is never freed.
    let md: OpaquePointer

    private init(_ name: String) {
        guard let md = EVP_MD_fetch(nil, name, nil) else {
            fatalError("OpenSSL has no \(name) implementation")
        }
        self.md = md
    }

    static let sha256 = OpenSSLDigest("SHA256")
    static let sha384 = OpenSSLDigest("SHA384")
    static let sha512 = OpenSSLDigest("SHA512")
}
