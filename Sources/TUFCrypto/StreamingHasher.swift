import COpenSSL
import CSodium

/// Hashes input given in chunks, such as a large download, without holding it all in memory.
///
/// A class rather than a non-copyable struct so callers can keep it in a `let` and pass it
/// around; it is not `Sendable`, use it from one task at a time.
public final class StreamingHasher {
    private enum State {
        case sha2(OpaquePointer)  // EVP_MD_CTX*
        case blake2b(UnsafeMutableRawPointer)  // crypto_generichash_state, 64-byte aligned
    }

    /// The algorithm this hasher computes.
    public let algorithm: HashAlgorithm
    private let state: State
    private var result: [UInt8]?

    /// Starts hashing with `algorithm`.
    public init(_ algorithm: HashAlgorithm) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256, .sha512:
            let md = algorithm == .sha256 ? OpenSSLDigest.sha256.md : OpenSSLDigest.sha512.md
            guard let ctx = EVP_MD_CTX_new(), EVP_DigestInit_ex(ctx, md, nil) == 1 else {
                fatalError("EVP_DigestInit_ex failed")
            }
            state = .sha2(ctx)
        case .blake2b256:
            Sodium.ensureInitialized()
            // libsodium declares the state CRYPTO_ALIGN(64); Swift does not honour that for
            // imported structs, so allocate it by hand with the right alignment.
            let raw = UnsafeMutableRawPointer.allocate(byteCount: crypto_generichash_statebytes(), alignment: 64)
            let ok = crypto_generichash_init(OpaquePointer(raw), nil, 0, algorithm.digestLength)
            precondition(ok == 0, "crypto_generichash_init failed")
            state = .blake2b(raw)
        }
    }

    deinit {
        switch state {
        case .sha2(let ctx): EVP_MD_CTX_free(ctx)
        case .blake2b(let raw): raw.deallocate()
        }
    }

    /// Adds the next chunk of input; must not be called after `finalize()`.
    public func update(_ bytes: some Collection<UInt8>) {
        precondition(result == nil, "StreamingHasher.update after finalize")
        withContiguousBytes(bytes) { buffer in
            guard !buffer.isEmpty else { return }
            switch state {
            case .sha2(let ctx):
                precondition(EVP_DigestUpdate(ctx, buffer.baseAddress, buffer.count) == 1, "EVP_DigestUpdate failed")
            case .blake2b(let raw):
                let ok = crypto_generichash_update(OpaquePointer(raw), buffer.baseAddress, UInt64(buffer.count))
                precondition(ok == 0, "crypto_generichash_update failed")
            }
        }
    }

    /// The digest of everything passed to `update`; calling it again returns the same digest.
    public func finalize() -> [UInt8] {
        if let result { return result }
        var out = [UInt8](repeating: 0, count: algorithm.digestLength)
        switch state {
        case .sha2(let ctx):
            var length: UInt32 = 0
            precondition(EVP_DigestFinal_ex(ctx, &out, &length) == 1, "EVP_DigestFinal_ex failed")
        case .blake2b(let raw):
            let ok = crypto_generichash_final(OpaquePointer(raw), &out, out.count)
            precondition(ok == 0, "crypto_generichash_final failed")
        }
        result = out
        return out
    }
}
