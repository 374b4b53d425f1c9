import COpenSSL
import CSodium

/// One-shot hashing of bytes in memory.
public enum Hash {
    /// The digest of `bytes`; copies nothing for [UInt8], ArraySlice and Data.
    public static func digest(_ algorithm: HashAlgorithm, _ bytes: some Collection<UInt8>) -> [UInt8] {
        withContiguousBytes(bytes) { buffer in
            var out = [UInt8](repeating: 0, count: algorithm.digestLength)
            switch algorithm {
            case .sha256, .sha512:
                // OpenSSL over libsodium for SHA-2: it uses the SHA extensions and AVX2 assembly.
                let md = algorithm == .sha256 ? OpenSSLDigest.sha256.md : OpenSSLDigest.sha512.md
                var length: UInt32 = 0
                let ok = EVP_Digest(buffer.baseAddress, buffer.count, &out, &length, md, nil)
                precondition(ok == 1 && Int(length) == out.count, "EVP_Digest failed")
            case .blake2b256:
                Sodium.ensureInitialized()
                let ok = crypto_generichash(&out, out.count, buffer.baseAddress, UInt64(buffer.count), nil, 0)
                precondition(ok == 0, "crypto_generichash failed")
            }
            return out
        }
    }
}
