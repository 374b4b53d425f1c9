import Foundation
import TUFMetadata

/// Local file helpers of the updater: atomic writes and safe relative paths.
enum LocalFiles {
    /// Writes `bytes` to `path` so that a reader sees either the old file or all of the new
    /// one: a temporary file in the same folder, flushed to disk, then renamed over `path`.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws(ClientError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ClientError(.ioFailed, "\(folder): cannot create folder: \(error.localizedDescription)")
        }
        let temp = "\(folder)/.\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ClientError(.ioFailed, "\(temp): cannot create (errno \(errno))") }
        var ok = bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        ok = ok && fsync(fd) == 0
        ok = close(fd) == 0 && ok
        guard ok, rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw ClientError(.ioFailed, "\(path): cannot write (errno \(code))")
        }
    }

    /// The file's bytes, or nil when it does not exist or cannot be read.
    static func read(_ path: String) -> [UInt8]? {
        guard let fd = openRegularFile(path) else { return nil }
        return try? FileHandle(fileDescriptor: fd, closeOnDealloc: true).readToEnd().map { [UInt8]($0) } ?? []
    }

    /// A descriptor for reading `path` when it is a regular file; nil otherwise. Opened
    /// non-blocking, so a FIFO planted in the target or metadata folder cannot hang a run.
    static func openRegularFile(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { close(fd); return nil }
        return fd
    }

    /// Checks that a target path can be used as a path below the target folder, by the one
    /// path rule (`TargetPath.validate`, on bytes). Throws `.unsafePath` otherwise.
    static func requireSafeRelativePath(_ path: String) throws(ClientError) {
        do { try TargetPath.validate(path) } catch {
            throw ClientError(.unsafePath, "\"\(path)\": a target path that \(error)")
        }
    }
}
