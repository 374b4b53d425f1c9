import Foundation
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// Streams a target download into a temporary file beside its destination (`AtomicWriter`)
/// while hashing it with every listed algorithm; `commit` checks length and hashes (5.7.3)
/// and only then renames the file into place. Anything else leaves no file behind (`discard`).
final class TargetFileWriter: DownloadSink, @unchecked Sendable {
    // Unchecked: chunks arrive one at a time from one fetcher; the lock makes that explicit.
    private let lock = NSLock()
    private let writer: AtomicWriter
    private let file: TemporaryFile
    private var hashers: [(name: String, hasher: StreamingHasher)]
    private var length: Int64 = 0

    init(destination: String, algorithms: [String]) throws(ClientError) {
        var hashers: [(String, StreamingHasher)] = []
        for name in algorithms.sorted() {
            guard let algorithm = HashAlgorithm(rawValue: name) else {
                throw ClientError(.unknownHashAlgorithm, "\(destination): cannot verify hash algorithm \"\(name)\"")
            }
            hashers.append((name, StreamingHasher(algorithm)))
        }
        self.hashers = hashers
        writer = LocalFiles.writer(for: destination)
        do { file = try writer.create(destination) } catch { throw ClientError(error) }
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws(ClientError) {
        lock.lock()
        defer { lock.unlock() }
        for entry in hashers { entry.hasher.update(chunk.bindMemory(to: UInt8.self)) }
        do { try file.write(chunk) } catch { throw ClientError(error) }
        length += Int64(chunk.count)
    }

    /// Checks the whole download against the signed length and hashes, then moves it into
    /// place. On failure the partial file is removed.
    func commit(length expected: Int64, hashes: [String: String], name: String) throws(ClientError) {
        do throws(ClientError) {
            try finish(length: expected, hashes: hashes, name: name)
        } catch {
            discard()
            throw error
        }
    }

    private func finish(length expected: Int64, hashes: [String: String], name: String) throws(ClientError) {
        lock.lock()
        defer { lock.unlock() }
        let digests = Dictionary(hashers.map { ($0.name, $0.hasher.finalize()) }, uniquingKeysWith: { a, _ in a })
        do {
            try TUFMetadata.LengthAndHashes.check(actualLength: length, digest: { digests[$0.rawValue] ?? [] }, length: expected,
                                                  hashes: hashes, name: name)
        } catch { throw ClientError(error) }
        do { try writer.commit([file]) } catch { throw ClientError(error) }
    }

    /// Removes the partial file (safe to call more than once).
    func discard() {
        lock.withLock { file.discard() }
    }
}
