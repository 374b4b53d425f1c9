#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// Small POSIX file helpers: whole-file reads, existence and identity checks, directories.
/// Errors name the path and the system's reason, never file contents.
enum FileIO {
    static func reason() -> String { String(cString: strerror(errno)) }

    /// The bytes of the regular file `path` (a key, staged or published metadata): opened
    /// non-blocking, so a FIFO in its place is refused instead of hanging a run that holds the
    /// lock, and never more than the JSON parser takes.
    static func read(_ path: String) throws(RepositoryError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw RepositoryError(.io, "\(path): cannot open: \(reason())") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw RepositoryError(.io, "\(path): cannot stat: \(reason())") }
        guard st.st_mode & S_IFMT == S_IFREG else { throw RepositoryError(.io, "\(path): is \(kind(st.st_mode)), not a regular file") }
        let limit = JSONParser().maxBytes
        guard st.st_size <= limit else { throw RepositoryError(.io, "\(path): \(st.st_size) bytes, larger than the limit of \(limit) bytes") }
        return try read(fd, path, sizeHint: Int(st.st_size), limit: limit)
    }

    /// The rest of the open file `fd` (named `path` in messages): at most `limit` bytes, an
    /// error past them. `sizeHint` (what fstat said) sizes the buffer.
    static func read(_ fd: Int32, _ path: String, sizeHint: Int, limit: Int) throws(RepositoryError) -> [UInt8] {
        // Never more than `limit + 1` bytes in memory: the extra byte tells a file over the limit.
        let cap = limit == .max ? limit : limit + 1
        var out = [UInt8](repeating: 0, count: min(max(sizeHint, 0), cap - 1) + 1)
        var done = 0
        while true {
            if done == out.count {
                guard out.count < cap else { break }
                out.append(contentsOf: repeatElement(0, count: min(max(4096, out.count), cap - out.count)))
            }
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RepositoryError(.io, "\(path): cannot read: \(reason())")
            }
            if n == 0 { break }
            done += n
        }
        guard done <= limit else { throw RepositoryError(.io, "\(path): larger than the limit of \(limit) bytes") }
        out.removeSubrange(done...)
        return out
    }

    /// A directory held open, so that files below it are opened relative to it
    /// (`openRegularFile`) however its path changes meanwhile. Closed when released.
    final class Directory: Sendable {
        let path: String
        let fd: Int32
        let device: UInt64

        /// Opens directory `path`, following links in `path` itself: the caller chose it.
        init(_ path: String) throws(RepositoryError) {
            let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw RepositoryError(.io, "\(path): not a directory: \(reason())") }
            var st = stat()
            guard fstat(fd, &st) == 0 else {
                let error = RepositoryError(.io, "\(path): cannot stat: \(reason())")
                close(fd)
                throw error
            }
            self.path = path; self.fd = fd; self.device = UInt64(st.st_dev)
        }

        deinit { close(fd) }
    }

    /// Opens `relative` (a path of plain names, no `.`, `..` or empty parts) below `directory`
    /// for reading, following no symbolic link on any part: each folder is opened with
    /// O_NOFOLLOW | O_DIRECTORY from the one before it, the file with O_NOFOLLOW | O_NONBLOCK
    /// (so a FIFO does not block the open; regular files ignore the flag), and it must be a
    /// regular file. Returns the open descriptor, which the caller closes, and its status.
    /// The message names the part at fault.
    static func openRegularFile(_ relative: String, in directory: Directory) throws(RepositoryError) -> (fd: Int32, status: stat) {
        // Split on `/` bytes: a Swift Character can hide a `/` in a grapheme, and openat would
        // then walk that hidden folder without O_NOFOLLOW.
        let parts = TargetPath.segments(relative).map { String(decoding: $0, as: UTF8.self) }
        var fd = directory.fd
        var walked = ""
        func fault(_ message: String) -> RepositoryError {
            if fd != directory.fd { close(fd) }
            return RepositoryError(.io, "\(directory.path)/\(walked): \(message)")
        }
        for (i, part) in parts.enumerated() {
            walked += (i == 0 ? "" : "/") + part
            guard !part.isEmpty, part != ".", part != ".." else { throw fault("not a plain relative path") }
            let last = i == parts.count - 1
            let next = openat(fd, String(part), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY))
            guard next >= 0 else {
                let error = errno
                // A link is ELOOP as the last part and ENOTDIR as a folder (O_DIRECTORY): ask.
                var st = stat()
                if error == ELOOP || error == ENOTDIR, fstatat(fd, String(part), &st, AT_SYMLINK_NOFOLLOW) == 0 {
                    throw fault((st.st_mode & S_IFMT) == S_IFLNK ? "is a symbolic link, not followed in the index"
                                                                 : "is not a directory (\(kind(st.st_mode)))")
                }
                throw fault("cannot open: \(String(cString: strerror(error)))")
            }
            if fd != directory.fd { close(fd) }
            fd = next
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw fault("cannot stat: \(reason())") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw fault("is not a regular file (\(kind(st.st_mode)))") }
        return (fd, st)
    }

    /// The bytes of regular file `relative` below `directory` (see `openRegularFile`); a file
    /// of more than `limit` bytes is refused before it is read.
    static func readRegularFile(_ relative: String, in directory: Directory, limit: Int) throws(RepositoryError) -> [UInt8] {
        let (fd, st) = try openRegularFile(relative, in: directory)
        defer { close(fd) }
        let path = directory.path + "/" + relative
        guard st.st_size <= limit else {
            throw RepositoryError(.io, "\(path): \(st.st_size) bytes, larger than the limit of \(limit) bytes")
        }
        return try read(fd, path, sizeHint: Int(st.st_size), limit: limit)
    }

    /// The `algorithm` digest of the rest of open file `fd` (named `name` in messages), read in
    /// chunks so a large file is never held whole.
    static func digest(_ fd: Int32, _ algorithm: HashAlgorithm, name: String) throws(RepositoryError) -> [UInt8] {
        let hasher = StreamingHasher(algorithm)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RepositoryError(.io, "\(name): cannot read: \(reason())")
            }
            if n == 0 { return hasher.finalize() }
            hasher.update(buffer[..<n])
        }
    }

    /// What kind of file `mode` describes, for messages.
    static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        default: "of unknown type"
        }
    }

    /// The bytes of `path`, or nil when it does not exist.
    static func readIfPresent(_ path: String) throws(RepositoryError) -> [UInt8]? {
        guard exists(path) else { return nil }
        return try read(path)
    }

    static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Device and inode of `path`, to tell whether two names are one file.
    static func identity(_ path: String) -> (UInt64, UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// Creates `path` and its parents (mode 0755).
    static func makeDirectories(_ path: String) throws(RepositoryError) {
        // Try the folder itself first and climb only when its parent is missing: one mkdir
        // per new folder instead of one per path component (tens of thousands per generate).
        if mkdir(path, 0o755) == 0 { return }
        switch errno {
        case EEXIST:
            guard isDirectory(path) else { throw RepositoryError(.io, "\(path): exists and is not a directory") }
        case ENOENT:
            let parent = self.parent(path)
            guard parent != path, !parent.isEmpty else { throw RepositoryError(.io, "\(path): cannot create directory: \(reason())") }
            try makeDirectories(parent)
            if mkdir(path, 0o755) != 0, errno != EEXIST {
                throw RepositoryError(.io, "\(path): cannot create directory: \(reason())")
            }
        default:
            throw RepositoryError(.io, "\(path): cannot create directory: \(reason())")
        }
    }

    /// Names in directory `path` (not `.` or `..`); empty when it does not exist.
    static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func remove(_ path: String) throws(RepositoryError) {
        if unlink(path) != 0, errno != ENOENT { throw RepositoryError(.io, "\(path): cannot remove: \(reason())") }
    }

    /// Writes `bytes` to a new file `path` with `mode`, failing if it exists (or is a link);
    /// removes it again when writing fails.
    static func createExclusive(_ path: String, _ bytes: [UInt8], mode: mode_t) throws(RepositoryError) {
        let fd = try createNew(path, mode: mode)
        do throws(RepositoryError) {
            defer { close(fd) }
            try writeAll(fd, bytes, path)
            guard fsync(fd) == 0 else { throw RepositoryError(.io, "\(path): fsync failed: \(reason())") }
        } catch {
            _ = unlink(path)
            throw error
        }
    }

    /// Creates file `path` for writing with `mode`. O_EXCL with O_CREAT never opens what is
    /// already at the name, a symbolic link included (O_NOFOLLOW says so twice); so a name
    /// planted in a shared folder makes this fail instead of writing where the link points.
    static func createNew(_ path: String, mode: mode_t) throws(RepositoryError) -> Int32 {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw RepositoryError(.io, "\(path): cannot create: \(reason())") }
        return fd
    }

    /// A fresh name for a temporary file or link next to `final`: `.NAME.tmp-` and 128 random
    /// bits (the system's secure generator), so nobody can plant anything at it beforehand.
    static func temporaryName(for final: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let random = String(rng.next() as UInt64, radix: 16) + String(rng.next() as UInt64, radix: 16)
        let (dir, name) = TargetPath.splitLast(final)
        return "\(dir.map { $0 + "/" } ?? "").\(name).tmp-\(random)"
    }

    /// Creates a temporary file next to `final` (see `temporaryName` and `createNew`), mode
    /// 0600 for keys and 0644 for metadata. Returns its descriptor and name; the caller closes
    /// it, and removes it on every failure.
    static func createTemporary(for final: String, mode: mode_t) throws(RepositoryError) -> (fd: Int32, path: String) {
        let path = temporaryName(for: final)
        return (try createNew(path, mode: mode), path)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(RepositoryError) {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RepositoryError(.io, "\(path): cannot write: \(reason())")
            }
            done += n
        }
    }

    /// The permission bits of `path`, following links; nil when it does not exist.
    static func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o7777
    }

    /// The parent directory of `path`.
    static func parent(_ path: String) -> String {
        guard let folder = TargetPath.splitLast(path).folder else { return "." }
        return folder.isEmpty ? "/" : folder
    }
}
