import Glibc

/// A file being written under a fresh temporary name beside its destination, which it reaches
/// only when an `AtomicWriter` commits it. One that is discarded, or released uncommitted,
/// removes itself: a failure never leaves a temporary file or a partial destination behind.
package final class TemporaryFile {
    /// Where the file goes when committed.
    package let destination: String
    /// The temporary name it is written under.
    package let path: String
    private var fd: Int32
    private var placed = false

    /// Creates the file exclusively (`createNew`) under `temporaryName(for: destination)`
    /// (through `AtomicWriter.create` or `write`).
    /// The destination's folder must exist.
    init(for destination: String, mode: mode_t) throws(FileSystemError) {
        self.destination = destination
        self.path = Self.temporaryName(for: destination)
        self.fd = try Self.createNew(path, mode: mode)
    }

    deinit { discard() }

    /// Appends `bytes`.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(FileSystemError) {
        guard fd >= 0 else { throw FileSystemError(.failed, path, "cannot write: already closed") }
        let fd = self.fd
        try Self.writeAll(bytes.count, path) { done in Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done) }
    }

    package func write(_ bytes: [UInt8]) throws(FileSystemError) {
        guard fd >= 0 else { throw FileSystemError(.failed, path, "cannot write: already closed") }
        try Self.writeAll(fd, bytes, path)
    }

    /// Ends writing: fsyncs the file when `sync` is set, then closes it. A batch closes each
    /// file as it goes, so thousands of files never hold thousands of descriptors.
    func close(sync: Bool) throws(FileSystemError) {
        guard fd >= 0 else { return }
        let synced = !sync || fsync(fd) == 0
        let error = errno
        let closed = Glibc.close(fd) == 0
        fd = -1
        guard synced else { throw .system(path, "fsync failed", errno: error) }
        guard closed else { throw .system(path, "cannot close") }
    }

    /// Renames the file over its destination (atomically replacing what was there).
    func rename() throws(FileSystemError) {
        guard Glibc.rename(path, destination) == 0 else { throw .system(destination, "cannot rename into place") }
        placed = true
    }

    /// Closes and removes the temporary file unless it was renamed into place (safe to call
    /// more than once).
    package func discard() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        if !placed { unlink(path); placed = true }
    }

    /// A fresh name for a temporary file or link next to `final`: `.NAME.tmp-` and 128 random
    /// bits (the system's secure generator), so nobody can plant anything at it beforehand.
    package static func temporaryName(for final: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let random = String(rng.next() as UInt64, radix: 16) + String(rng.next() as UInt64, radix: 16)
        let (dir, name) = FileSystem.splitLast(final)
        return "\(dir.map { $0 + "/" } ?? "").\(name).tmp-\(random)"
    }

    /// Creates file `path` for writing with `mode`. O_EXCL with O_CREAT never opens what is
    /// already at the name, a symbolic link included (O_NOFOLLOW says so twice); so a name
    /// planted in a shared folder makes this fail instead of writing where the link points.
    package static func createNew(_ path: String, mode: mode_t) throws(FileSystemError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .system(path, "cannot create") }
        return fd
    }

    /// Writes `bytes` to a new file `path` with `mode` and fsyncs it, failing if anything is
    /// at the name (a link included); removes it again when writing fails. For files that are
    /// never replaced (a new key pair), so no rename.
    package static func createExclusive(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(FileSystemError) {
        let fd = try createNew(path, mode: mode)
        var ok = false
        defer { if !ok { _ = unlink(path) } }
        defer { Glibc.close(fd) }
        try writeAll(fd, bytes, path)
        guard fsync(fd) == 0 else { throw .system(path, "fsync failed") }
        ok = true
    }

    /// Writes all of `bytes` to `fd` (named `path` in messages).
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(FileSystemError) {
        try writeAll(bytes.count, path) { done in bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) } }
    }

    /// Calls `write` (which writes the bytes from the given offset on) until `count` bytes
    /// are written, resuming short and interrupted writes; `path` names the file in messages.
    private static func writeAll(_ count: Int, _ path: String, _ write: (Int) -> Int) throws(FileSystemError) {
        var done = 0
        while done < count {
            let n = write(done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(path, "cannot write")
            }
            done += n
        }
    }
}
