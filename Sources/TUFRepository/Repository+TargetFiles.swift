import TUFMetadata

extension Repository {
    /// `dir/name` → `dir/<sha256>.name`, the consistent-snapshot name of a target file.
    public static func hashPrefixed(_ targetPath: String, sha256: String) -> String {
        TargetPath.hashPrefixed(targetPath, digest: sha256)
    }

    /// True when `targets/` already serves this page with these bytes: the hash-prefixed copy
    /// exists and the plain name is a link to it.
    func isTargetCurrent(_ targetPath: String, sha256: String) -> Bool {
        Self.isTargetCurrent(targetPath, sha256: sha256, targetsDirectory: path + "/targets/")
    }

    /// `isTargetCurrent` for the repository whose `targets/` is `base` (ending in `/`); no
    /// state, so pages are checked on every core.
    static func isTargetCurrent(_ targetPath: String, sha256: String, targetsDirectory base: String) -> Bool {
        guard let a = FileIO.identity(base + hashPrefixed(targetPath, sha256: sha256)),
              let b = FileIO.identity(base + targetPath) else { return false }
        return a == b
    }

    /// Writes, before the metadata that names them, the hash-prefixed copies of the pages that
    /// changed and, with `linkFiles`, hard links of the index's distribution files under
    /// hash-prefixed names. New names only: nothing a client can see yet changes.
    func writeTargetFiles(_ snapshot: IndexSnapshot, index: String, linkFiles: Bool) throws(RepositoryError) {
        var copies: [(path: String, bytes: [UInt8])] = []
        for (p, bytes) in snapshot.pageBytes {
            let prefixed = "targets/" + Self.hashPrefixed(p, sha256: snapshot.pages[p]!)
            if !FileIO.exists(path + "/" + prefixed) { copies.append((prefixed, bytes)) }
        }
        try store.write(copies)
        guard linkFiles else { return }
        var directories = Set<String>()
        for (p, file) in snapshot.targets where snapshot.pages[p] == nil {
            let sha = file.hashes["sha256"]!
            let dest = "targets/" + Self.hashPrefixed(p, sha256: sha)
            if FileIO.exists(path + "/" + dest) { continue }
            let source = index + "/" + p
            guard let size = FileIO.size(source) else {
                throw RepositoryError(.badIndex, "index \(index): \(p) is listed but missing (needed by --link-files)")
            }
            guard size == file.length else {
                throw RepositoryError(.badIndex, "index \(index): \(p) has \(size) bytes, its page says \(file.length)")
            }
            try store.hardLink(source, to: dest)
            directories.insert(FileIO.parent(dest))
        }
        if !directories.isEmpty { try store.syncAll(directories: directories) }
    }

    /// Points the plain page names at the new copies, after the timestamp that describes them
    /// (clients that do not prefix fetch these). Also repairs names a crash left behind.
    func linkPlainPageNames(_ snapshot: IndexSnapshot) throws(RepositoryError) {
        var directories = Set<String>()
        for (p, bytes) in snapshot.pageBytes {
            let prefixed = "targets/" + Self.hashPrefixed(p, sha256: snapshot.pages[p]!)
            if !FileIO.exists(path + "/" + prefixed) { try store.write([(prefixed, bytes)]) }
            try store.hardLink(path + "/" + prefixed, to: "targets/" + p)
            directories.insert(FileIO.parent("targets/" + p))
        }
        if !directories.isEmpty { try store.syncAll(directories: directories) }
    }
}
