import Glibc
import TUFCrypto
import TUFFileSystem
import TUFMetadata

extension Repository {
    /// True when the plain name of `targetPath` in `layout` is its hash-prefixed copy of
    /// `sha256` (one file, hard-linked); no state, so pages are checked on every core.
    static func isTargetCurrent(_ targetPath: String, sha256: String, in layout: RepositoryLayout) -> Bool {
        guard let a = FileSystem.identity(layout.absolute(RepositoryLayout.hashPrefixedTarget(targetPath, sha256: sha256))),
              let b = FileSystem.identity(layout.absolute(RepositoryLayout.target(targetPath))) else { return false }
        return a == b
    }

    /// Writes, before the metadata that names them, the hash-prefixed copies of the pages that
    /// changed and, with `linkFiles`, hard links of the index's distribution files under
    /// hash-prefixed names. New names only: nothing a client can see yet changes.
    /// The index is untrusted: a file to link must be a regular file reached from the index
    /// root without following a link, on the file system of the index and of `targets/`, with
    /// the size and sha256 its page lists. Any fault is a `.badIndex` error naming the file and
    /// entry, and the links this run made are removed again before the page copies are written.
    /// Returns the names it created, for the caller to remove should the publication fail.
    @discardableResult
    func writeTargetFiles(_ snapshot: IndexSnapshot, index: String, linkFiles: Bool) throws(RepositoryError) -> [String] {
        var created: [String] = []
        if linkFiles {
            let root: Directory
            do { root = try FileIO.directory(index) } catch { throw RepositoryError(.badIndex, "index \(index): not a directory") }
            try FileIO.makeDirectories(layout.targetsDirectory)
            guard FileSystem.identity(layout.targetsDirectory)?.0 == root.device else {
                throw RepositoryError(.badIndex, "index \(index) is not on the file system of \(layout.targetsDirectory): --link-files makes hard links, which cannot cross file systems")
            }
            var linked: [String] = []
            var directories = Set<String>()
            do throws(RepositoryError) {
                for (p, file) in snapshot.targets where snapshot.pages[p] == nil {
                    let sha = file.hashes["sha256"]!
                    let dest = RepositoryLayout.hashPrefixedTarget(p, sha256: sha)
                    let entry = snapshot.entry(listing: p).map { " (listed by \($0))" } ?? ""
                    func fault(_ message: String) -> RepositoryError {
                        RepositoryError(.badIndex, "index \(index): \(p)\(entry): \(message) (needed by --link-files)")
                    }
                    // Every listed file is reached without links, also one linked by an earlier
                    // run: a symlink planted since is refused, not silently kept.
                    let fd: Int32, st: stat
                    do { (fd, st) = try FileIO.openRegularFile(p, in: root) } catch { throw fault(error.message) }
                    defer { close(fd) }
                    guard UInt64(st.st_dev) == root.device else { throw fault("is on another file system than the index") }
                    // Already linked, and still that very file: nothing to check or write.
                    let existing = FileSystem.identity(layout.absolute(dest))
                    if let existing, existing == (UInt64(st.st_dev), UInt64(st.st_ino)) { continue }
                    guard st.st_size == file.length else { throw fault("has \(st.st_size) bytes, its page says \(file.length)") }
                    // Hashed from the descriptor that is linked, so the bytes checked are the bytes
                    // published; streamed, so a large wheel is never held in memory.
                    let actual: String
                    do { actual = Hex.encode(try FileIO.digest(fd, .sha256, name: index + "/" + p)) } catch { throw fault(error.message) }
                    guard actual == sha else { throw fault("its sha256 is \(actual), its page says \(sha)") }
                    // Published already with these very bytes (from another copy of the file): keep it.
                    if existing != nil { continue }
                    try store.hardLink(file: fd, named: index + "/" + p, to: dest)
                    linked.append(dest)
                    directories.insert(FileSystem.parent(dest))
                }
            } catch {
                for dest in linked { _ = unlink(layout.absolute(dest)) }
                throw error
            }
            if !directories.isEmpty { try store.syncAll(directories: directories) }
            created += linked
        }
        let copies = store.unwrittenCopies(snapshot.pageBytes.map { ($0.key, snapshot.pages[$0.key]!, $0.value) })
        do { try store.write(copies) } catch {
            for p in created { _ = unlink(layout.absolute(p)) }
            throw error
        }
        return created + copies.map(\.path)
    }
}
