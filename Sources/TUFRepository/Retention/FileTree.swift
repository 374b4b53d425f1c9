import Glibc
import TUFFileSystem

/// Walks and removes files below a repository folder without following any symbolic link:
/// each folder is opened with O_NOFOLLOW | O_DIRECTORY from the one before it, entries are
/// examined with `fstatat(AT_SYMLINK_NOFOLLOW)`, and a removal is an `unlinkat` of a regular
/// file in its held-open folder. A link planted in `targets/` is neither walked nor removed.
enum FileTree {
    /// A regular file found by `walk`.
    struct File {
        /// Path relative to the walked folder.
        var relative: String
        var size: Int64
        var device: UInt64
        var inode: UInt64
        var links: UInt64
    }

    /// Calls `body` for every regular file below `root` (a missing `root` has none).
    static func walk(_ root: String, _ body: (File) throws(RepositoryError) -> Void) throws(RepositoryError) {
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw failure(root, "cannot open")
        }
        try walk(fd, prefix: "", root: root, body)
    }

    /// Walks the folder `fd` (closed on return).
    private static func walk(_ fd: Int32, prefix: String, root: String, _ body: (File) throws(RepositoryError) -> Void) throws(RepositoryError) {
        guard let dir = fdopendir(fd) else {
            close(fd)
            throw failure("\(root)/\(prefix)", "cannot list")
        }
        defer { closedir(dir) }
        for name in FileSystem.entryNames(dir) {
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let relative = prefix + name
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                let sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                guard sub >= 0 else { throw failure("\(root)/\(relative)", "cannot open") }
                try walk(sub, prefix: relative + "/", root: root, body)
            case S_IFREG:
                try body(File(relative: relative, size: Int64(st.st_size), device: UInt64(st.st_dev), inode: UInt64(st.st_ino),
                              links: UInt64(st.st_nlink)))
            default:
                continue
            }
        }
    }

    /// Removes the regular file `relative` below `root`, reached without following links;
    /// true when it was removed, false when it was not there or is not a regular file.
    static func remove(_ relative: String, below root: String) throws(RepositoryError) -> Bool {
        let parts = relative.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard !parts.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return false }
        var fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        for part in parts.dropLast() {
            let next = openat(fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard next >= 0 else { return false }
            close(fd)
            fd = next
        }
        var st = stat()
        guard fstatat(fd, parts.last!, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        guard unlinkat(fd, parts.last!, 0) == 0 else {
            if errno == ENOENT { return false }
            throw failure("\(root)/\(relative)", "cannot remove")
        }
        return true
    }

    /// The error of a failed call on `path`, with the system's reason for `errno`.
    private static func failure(_ path: String, _ what: String) -> RepositoryError {
        RepositoryError(FileSystemError(.failed, path, "\(what): \(FileSystem.reason())"))
    }

    /// True for the temporary names `AtomicWriter` uses (`.NAME.tmp-<hex>`): left only by a
    /// run that was killed, since every writer holds the repository lock.
    static func isTemporary(_ name: String) -> Bool {
        let b = Array(name.utf8), marker = Array(".tmp-".utf8)
        guard b.first == UInt8(ascii: "."), b.count > marker.count + 1 else { return false }
        for start in stride(from: b.count - marker.count - 1, through: 1, by: -1) where Array(b[start..<start + marker.count]) == marker {
            return b[(start + marker.count)...].allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
        }
        return false
    }
}
