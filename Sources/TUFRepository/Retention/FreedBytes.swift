import Glibc

/// Counts the bytes a removal frees: a file's size once its last link is gone.
struct FreedBytes {
    var bytes: Int64 = 0
    var linksLeft: [[UInt64]: UInt64] = [:]

    mutating func remove(_ relative: String, below root: String, dryRun: Bool) throws(RepositoryError) -> Bool {
        var st = stat()
        guard lstat(root + "/" + relative, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        let id = [UInt64(st.st_dev), UInt64(st.st_ino)]
        if !dryRun { guard try FileTree.remove(relative, below: root) else { return false } }
        let left = (linksLeft[id] ?? UInt64(st.st_nlink)) - 1
        linksLeft[id] = left
        if left == 0 { bytes += Int64(st.st_size) }
        return true
    }
}
