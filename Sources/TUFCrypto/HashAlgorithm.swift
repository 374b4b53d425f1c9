/// A hash algorithm named as in TUF metadata `hashes` objects.
public enum HashAlgorithm: String, Sendable, CaseIterable, Hashable {
    case sha256 = "sha256"
    case sha512 = "sha512"
    /// BLAKE2b with a 32-byte digest: Python's `hashlib.blake2b(digest_size=32)`, PyPI's file hash.
    case blake2b256 = "blake2b-256"

    /// Length of the digest in bytes.
    public var digestLength: Int {
        switch self {
        case .sha256, .blake2b256: 32
        case .sha512: 64
        }
    }
}
