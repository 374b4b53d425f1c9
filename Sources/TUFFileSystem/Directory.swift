import Glibc

/// A directory held open, so that files below it are opened relative to it
/// (`openRegularFile`) however its path changes meanwhile. Closed when released.
package final class Directory: Sendable {
    package let path: String
    package let fd: Int32
    package let device: UInt64

    /// Opens directory `path`, following links in `path` itself: the caller chose it.
    package init(_ path: String) throws(FileSystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError(errno == ENOENT ? .notFound : .wrongType, path, "not a directory: \(FileSystem.reason())") }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let error = FileSystemError.system(path, "cannot stat")
            close(fd)
            throw error
        }
        self.path = path; self.fd = fd; self.device = UInt64(st.st_dev)
    }

    deinit { close(fd) }

    /// Opens `relative` (a path of plain names, no `.`, `..` or empty parts) below this
    /// directory for reading, following no symbolic link on any part: each folder is opened
    /// with O_NOFOLLOW | O_DIRECTORY from the one before it, the file with O_NOFOLLOW |
    /// O_NONBLOCK (so a FIFO does not block the open; regular files ignore the flag), and it
    /// must be a regular file. Returns the open descriptor, which the caller closes, and its
    /// status. The message names the part at fault.
    package func openRegularFile(_ relative: String) throws(FileSystemError) -> (fd: Int32, status: stat) {
        // Split on `/` bytes: a Swift Character can hide a `/` in a grapheme, and openat would
        // then walk that hidden folder without O_NOFOLLOW.
        let parts = relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        var fd = self.fd
        var walked = ""
        func fault(_ code: FileSystemError.Code, _ message: String) -> FileSystemError {
            if fd != self.fd { close(fd) }
            return FileSystemError(code, "\(path)/\(walked)", message)
        }
        for (i, part) in parts.enumerated() {
            walked += (i == 0 ? "" : "/") + part
            guard !part.isEmpty, part != ".", part != ".." else { throw fault(.wrongType, "not a plain relative path") }
            let last = i == parts.count - 1
            let next = openat(fd, part, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (last ? O_NONBLOCK : O_DIRECTORY))
            guard next >= 0 else {
                let error = errno
                // A link is ELOOP as the last part and ENOTDIR as a folder (O_DIRECTORY): ask.
                var st = stat()
                if error == ELOOP || error == ENOTDIR, fstatat(fd, part, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                    throw fault(.wrongType, (st.st_mode & S_IFMT) == S_IFLNK ? "is a symbolic link, not followed in the index"
                                                                             : "is not a directory (\(FileSystem.kind(st.st_mode)))")
                }
                throw fault(error == ENOENT ? .notFound : .failed, "cannot open: \(FileSystem.reason(error))")
            }
            if fd != self.fd { close(fd) }
            fd = next
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw fault(.failed, "cannot stat: \(FileSystem.reason())") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw fault(.wrongType, "is not a regular file (\(FileSystem.kind(st.st_mode)))") }
        return (fd, st)
    }

    /// The bytes of regular file `relative` below this directory (see `openRegularFile`); a
    /// file of more than `limit` bytes is refused before it is read.
    package func readRegularFile(_ relative: String, limit: Int) throws(FileSystemError) -> [UInt8] {
        try readRegularFileAndStatus(relative, limit: limit).bytes
    }

    /// `readRegularFile`, with the status of the file that was read (fstat of the descriptor).
    package func readRegularFileAndStatus(_ relative: String, limit: Int) throws(FileSystemError) -> (bytes: [UInt8], status: stat) {
        let (fd, st) = try openRegularFile(relative)
        defer { close(fd) }
        let file = path + "/" + relative
        guard st.st_size <= limit else {
            throw FileSystemError(.tooLarge, file, "\(st.st_size) bytes, larger than the limit of \(limit) bytes")
        }
        return (try FileSystem.read(fd, file, sizeHint: Int(st.st_size), limit: limit), st)
    }

    /// The status of `relative` below this directory without following a final link (for a
    /// rescan's comparison only: what is read is always opened with `openRegularFile`).
    package func status(_ relative: String) -> stat? {
        var st = stat()
        return fstatat(fd, relative, &st, AT_SYMLINK_NOFOLLOW) == 0 ? st : nil
    }
}
