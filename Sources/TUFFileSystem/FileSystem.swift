import Glibc

/// Small POSIX helpers shared by the client and the repository: bounded reads of regular
/// files, status checks, directories and listings. Paths are split on `/` bytes, as every path
/// rule of the project is. (Linux only: the package builds and tests on Linux.)
package enum FileSystem {
    /// The system's text for `error` (by default the current `errno`).
    package static func reason(_ error: Int32 = errno) -> String { String(cString: strerror(error)) }

    /// The bytes of the regular file `path`: opened non-blocking, so a FIFO in its place is
    /// refused instead of hanging the run, and never more than `limit` bytes.
    package static func read(_ path: String, limit: Int) throws(FileSystemError) -> [UInt8] {
        let fd = try openRegularFile(path)
        defer { close(fd.fd) }
        guard fd.status.st_size <= limit else {
            throw FileSystemError(.tooLarge, path, "\(fd.status.st_size) bytes, larger than the limit of \(limit) bytes")
        }
        return try read(fd.fd, path, sizeHint: Int(fd.status.st_size), limit: limit)
    }

    /// The bytes of `path`, or nil when nothing is there.
    package static func readIfPresent(_ path: String, limit: Int) throws(FileSystemError) -> [UInt8]? {
        guard exists(path) else { return nil }
        return try read(path, limit: limit)
    }

    /// Opens `path` (following links in it: the caller chose it) for reading, non-blocking,
    /// and checks that it is a regular file. The caller closes the descriptor.
    package static func openRegularFile(_ path: String) throws(FileSystemError) -> (fd: Int32, status: stat) {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .system(path, "cannot open") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let error = FileSystemError.system(path, "cannot stat")
            close(fd)
            throw error
        }
        guard st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileSystemError(.wrongType, path, "is \(kind(st.st_mode)), not a regular file")
        }
        return (fd, st)
    }

    /// The rest of the open file `fd` (named `path` in messages): at most `limit` bytes, an
    /// error past them. `sizeHint` (what fstat said) sizes the buffer.
    package static func read(_ fd: Int32, _ path: String, sizeHint: Int, limit: Int) throws(FileSystemError) -> [UInt8] {
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
                throw .system(path, "cannot read")
            }
            if n == 0 { break }
            done += n
        }
        guard done <= limit else { throw FileSystemError(.tooLarge, path, "larger than the limit of \(limit) bytes") }
        out.removeSubrange(done...)
        return out
    }

    /// Calls `body` with each chunk of the rest of open file `fd` (named `path` in messages),
    /// so a large file is never held whole, until the file ends or `body` returns false.
    package static func readChunks(_ fd: Int32, _ path: String, _ body: (ArraySlice<UInt8>) -> Bool) throws(FileSystemError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .system(path, "cannot read")
            }
            if n == 0 || !body(buffer[..<n]) { return }
        }
    }

    /// What kind of file `mode` describes, for messages.
    package static func kind(_ mode: mode_t) -> String {
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

    /// True when anything (a dangling link included) is at `path`.
    package static func exists(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    package static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// Device and inode of `path`, to tell whether two names are one file.
    package static func identity(_ path: String) -> (UInt64, UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    /// The permission bits of `path`, following links; nil when it does not exist.
    package static func mode(_ path: String) -> UInt32? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt32(st.st_mode) & 0o7777
    }

    /// Creates `path` and its parents (mode 0755).
    package static func makeDirectories(_ path: String) throws(FileSystemError) {
        // Try the folder itself first and climb only when its parent is missing: one mkdir
        // per new folder instead of one per path component (tens of thousands per generate).
        if mkdir(path, 0o755) == 0 { return }
        switch errno {
        case EEXIST:
            guard isDirectory(path) else { throw FileSystemError(.wrongType, path, "exists and is not a directory") }
        case ENOENT:
            let parent = self.parent(path)
            guard parent != path, !parent.isEmpty else { throw .system(path, "cannot create directory") }
            try makeDirectories(parent)
            if mkdir(path, 0o755) != 0, errno != EEXIST { throw .system(path, "cannot create directory") }
        default:
            throw .system(path, "cannot create directory")
        }
    }

    /// Names in directory `path` (not `.` or `..`), sorted; empty when it does not exist.
    package static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        return entryNames(dir).sorted()
    }

    /// The names in the open directory stream `dir` (not `.` or `..`), in directory order.
    package static func entryNames(_ dir: OpaquePointer) -> [String] {
        // Each name is read in place up to its NUL: readdir's records are only as long as their
        // name, so copying a whole `dirent` (256 bytes of d_name) reads past the last record
        // of the buffer (AddressSanitizer caught it in prune's listing of 16,384 bins).
        let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// Removes file `path`; nothing there is not an error.
    package static func remove(_ path: String) throws(FileSystemError) {
        if unlink(path) != 0, errno != ENOENT { throw .system(path, "cannot remove") }
    }

    /// Splits `path` at its last `/` byte: the part before it (nil when there is none) and
    /// the part after it.
    package static func splitLast(_ path: String) -> (folder: String?, name: String) {
        let bytes = path.utf8
        guard let i = bytes.lastIndex(of: UInt8(ascii: "/")) else { return (nil, path) }
        return (String(decoding: bytes[..<i], as: UTF8.self), String(decoding: bytes[bytes.index(after: i)...], as: UTF8.self))
    }

    /// The parent directory of `path`.
    package static func parent(_ path: String) -> String {
        guard let folder = splitLast(path).folder else { return "." }
        return folder.isEmpty ? "/" : folder
    }
}
