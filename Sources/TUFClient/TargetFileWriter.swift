import Foundation
import TUFCrypto
import TUFMetadata

/// Streams a target download into a temporary file beside its destination while hashing it
/// with every listed algorithm; `commit` checks length and hashes (5.7.3) and only then
/// renames the file into place. Anything else leaves no file behind (`discard`).
final class TargetFileWriter: DownloadSink, @unchecked Sendable {
    // Unchecked: chunks arrive one at a time from one fetcher; the lock makes that explicit.
    private let lock = NSLock()
    private let destination: String
    private let temp: String
    private var fd: Int32
    private var hashers: [(name: String, hasher: StreamingHasher)]
    private var length: Int64 = 0

    init(destination: String, algorithms: [String]) throws(ClientError) {
        self.destination = destination
        let url = URL(fileURLWithPath: destination)
        let folder = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ClientError(.ioFailed, "\(folder): cannot create folder: \(error.localizedDescription)")
        }
        temp = "\(folder)/.\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).part"
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ClientError(.ioFailed, "\(temp): cannot create (errno \(errno))") }
        var hashers: [(String, StreamingHasher)] = []
        for name in algorithms.sorted() {
            guard let algorithm = HashAlgorithm(rawValue: name) else {
                close(fd)
                unlink(temp)
                throw ClientError(.unknownHashAlgorithm, "\(destination): cannot verify hash algorithm \"\(name)\"")
            }
            hashers.append((name, StreamingHasher(algorithm)))
        }
        self.hashers = hashers
    }

    func write(_ chunk: UnsafeRawBufferPointer) throws(ClientError) {
        lock.lock()
        defer { lock.unlock() }
        guard fd >= 0 else { throw ClientError(.ioFailed, "\(temp): already closed") }
        let bytes = chunk.bindMemory(to: UInt8.self)
        for entry in hashers { entry.hasher.update(bytes) }
        var offset = 0
        while offset < chunk.count {
            let n = Foundation.write(fd, chunk.baseAddress! + offset, chunk.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw ClientError(.ioFailed, "\(temp): cannot write (errno \(errno))")
            }
            offset += n
        }
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
        let synced = fsync(fd) == 0
        let closed = close(fd) == 0
        fd = -1
        guard synced, closed, rename(temp, destination) == 0 else {
            throw ClientError(.ioFailed, "\(destination): cannot write (errno \(errno))")
        }
    }

    /// Removes the partial file (safe to call more than once).
    func discard() {
        lock.withLock {
            if fd >= 0 { close(fd); fd = -1 }
            unlink(temp)
        }
    }
}
