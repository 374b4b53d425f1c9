import Foundation
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// Checks bytes against a trusted length and hashes (MetaFile or TargetFile entries).
enum LengthAndHashes {
    /// Throws unless `bytes` has `length` (when given) and every listed hash (the rule in
    /// TUFMetadata's `LengthAndHashes`, errors as the client's).
    static func verify(_ bytes: some Collection<UInt8>, length: Int64?, hashes: [String: String]?, name: String) throws(ClientError) {
        do { try TUFMetadata.LengthAndHashes.check(bytes, length: length, hashes: hashes, name: name) } catch { throw ClientError(error) }
    }

    /// True when the file at `path` has `length` bytes and every listed hash, read in chunks
    /// (a large local target is not loaded whole); false when it is missing or differs.
    static func fileMatches(_ path: String, length: Int64, hashes: [String: String]) -> Bool {
        (try? checkFile(path, length: length, hashes: hashes, name: path)) != nil
    }

    /// Throws unless the file at `path` has `length` bytes and every listed hash: `.ioFailed`
    /// when it cannot be read as a regular file, else the check that failed. Read in chunks,
    /// and no further than one byte past `length`.
    static func checkFile(_ path: String, length: Int64, hashes: [String: String], name: String) throws(ClientError) {
        guard let fd = LocalFiles.openRegularFile(path) else { throw ClientError(.ioFailed, "\(path): cannot be read as a regular file") }
        defer { close(fd) }
        try checkFile(descriptor: fd, path: path, length: length, hashes: hashes, name: name)
    }

    /// `checkFile` of the file open as `fd` (named `path` in messages), read from where it
    /// stands: so that the caller can go on to use the very descriptor that was checked.
    static func checkFile(descriptor fd: Int32, path: String, length: Int64, hashes: [String: String], name: String) throws(ClientError) {
        var hashers: [(String, StreamingHasher)] = []
        for (algorithm, _) in hashes {
            guard let known = HashAlgorithm(rawValue: algorithm) else {
                throw ClientError(.unknownHashAlgorithm, "\(name): cannot verify hash algorithm \"\(algorithm)\"")
            }
            hashers.append((algorithm, StreamingHasher(known)))
        }
        var total: Int64 = 0
        do {
            try FileSystem.readChunks(fd, path) { chunk in
                total += Int64(chunk.count)
                guard total <= length else { return false }
                for (_, hasher) in hashers { hasher.update(chunk) }
                return true
            }
        } catch { throw ClientError(error) }
        guard total <= length else { throw ClientError(.lengthMismatch, "\(name): more than the signed \(length) bytes") }
        let digests = Dictionary(hashers.map { ($0.0, $0.1.finalize()) }, uniquingKeysWith: { a, _ in a })
        do {
            try TUFMetadata.LengthAndHashes.check(actualLength: total, digest: { digests[$0.rawValue] ?? [] }, length: length,
                                                  hashes: hashes, name: name)
        } catch { throw ClientError(error) }
    }

    /// The most bytes to read of a file whose trusted metadata lists `listed` bytes (nil when
    /// it lists none): the listed length, never above the configured `limit`. A listed
    /// length above the limit is `.downloadTooLarge` before any byte is fetched (a file of
    /// that length could not be read anyway); negative lengths were refused at parse.
    static func downloadBound(listed: Int64?, limit: Int, name: String) throws(ClientError) -> Int {
        guard let listed else { return max(0, limit) }
        guard listed <= Int64(limit) else {
            throw ClientError(.downloadTooLarge, "\(name): listed length \(listed) is above the limit of \(limit) bytes")
        }
        return Int(max(0, listed))
    }

    /// Rejects unknown algorithms before any byte is downloaded.
    static func requireKnownAlgorithms(_ hashes: [String: String], name: String) throws(ClientError) {
        do { try TUFMetadata.LengthAndHashes.requireKnownAlgorithms(hashes, name: name) } catch { throw ClientError(error) }
    }
}
