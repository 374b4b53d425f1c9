import Glibc
import TUFFileSystem

/// The points of a publication at which files reach the disk, in order (`PlanStep`). A crash
/// between two leaves the previous repository valid: every file before `timestamp` has a new
/// versioned name that nothing references until the timestamp (or root) that names it is renamed in.
enum PublicationStep: String, Sendable, CaseIterable {
    case delegatedRoles, snapshot, root, timestamp
    /// After the timestamp: the plain page names (journaled, so the next command completes them).
    case plainNames
}

/// Atomic, ordered writes of repository files through the one `AtomicWriter`: each batch is
/// written to temporary names, made durable, renamed into place, and its directories synced.
public struct RepositoryStore: Sendable {
    /// How writes are made durable before they are renamed into place.
    public typealias Durability = TUFFileSystem.Durability

    /// The repository directory.
    public let root: String
    public var durability: Durability {
        get { writer.durability }
        set { writer.durability = newValue }
    }
    private var writer: AtomicWriter
    /// Joins the relative paths a plan carries to `root`.
    private var layout: RepositoryLayout { RepositoryLayout(root: root) }
    /// Test hook: fail (as a crash would) just before this step is written.
    var failBefore: PublicationStep?

    public init(root: String, durability: Durability = .batch) {
        self.root = root
        self.writer = AtomicWriter(root: root, durability: durability)
    }

    /// Runs the fault-injection hook for `step`.
    func reach(_ step: PublicationStep) throws(RepositoryError) {
        if failBefore == step { throw RepositoryError(.injectedFailure, "injected failure before the \(step.rawValue) step") }
    }

    /// Writes `files` (paths relative to `root`) atomically and durably as one batch
    /// (`AtomicWriter.write`); on any failure the temporary files not yet renamed are removed.
    public func write(_ files: [(path: String, bytes: [UInt8])]) throws(RepositoryError) {
        do { try writer.write(files.map { (layout.absolute($0.path), $0.bytes) }) } catch { throw RepositoryError(error) }
    }

    /// Hard-links `source` to `path` (relative to `root`), atomically replacing what was there.
    public func hardLink(_ source: String, to path: String) throws(RepositoryError) {
        do { try writer.link(source, at: layout.absolute(path)) { temp in Glibc.link(source, temp) } } catch { throw RepositoryError(error) }
    }

    /// Hard-links the open file `fd` (named `source` in messages) to `path`, like `hardLink`.
    /// Linking `/proc/self/fd/N` with AT_SYMLINK_FOLLOW links the inode the descriptor holds,
    /// the one the caller checked, whatever the name `source` points at by now; linking the
    /// name again, or re-checking it just before, leaves a window to swap it. (Linux only;
    /// AT_EMPTY_PATH would do the same but needs CAP_DAC_READ_SEARCH.)
    func hardLink(file fd: Int32, named source: String, to path: String) throws(RepositoryError) {
        do {
            try writer.link(source, at: layout.absolute(path)) { temp in linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, temp, AT_SYMLINK_FOLLOW) }
        } catch { throw RepositoryError(error) }
    }

    /// Makes everything written so far durable (after links, which `write` does not cover);
    /// `directories` are relative to `root`.
    public func syncAll(directories: Set<String>) throws(RepositoryError) {
        do { try writer.syncAll(directories: Set(directories.map { layout.absolute($0) })) } catch { throw RepositoryError(error) }
    }
}

extension RepositoryStore: PublicationWriter {
    func put(_ batch: WriteBatch) throws(RepositoryError) {
        try reach(batch.step)
        try write(batch.files)
    }

    func remove(_ paths: [String]) {
        for p in paths { _ = try? FileIO.remove(layout.absolute(p)) }
    }

    /// Hard-links each plain name to its hash-prefixed copy (writing the copy first should it
    /// be missing: this also repairs names a crash left behind), then syncs their folders.
    func linkPlainNames(_ pages: [PlainPage]) throws(RepositoryError) {
        try reach(.plainNames)
        let missing = unwrittenCopies(pages.map { ($0.path, $0.sha256, $0.bytes) })
        if !missing.isEmpty { try write(missing) }
        try relinkPlainNames(pages.map { ($0.path, $0.sha256) })
    }

    /// The hash-prefixed copies of `pages` not on disk yet, as files to write: the one rule of
    /// the copies written before a publication and of those a plain-name step repairs.
    func unwrittenCopies(_ pages: [(path: String, sha256: String, bytes: [UInt8])]) -> [(path: String, bytes: [UInt8])] {
        pages.compactMap { page in
            let prefixed = RepositoryLayout.hashPrefixedTarget(page.path, sha256: page.sha256)
            return FileSystem.exists(layout.absolute(prefixed)) ? nil : (prefixed, page.bytes)
        }
    }

    /// Hard-links the plain name of each page to its hash-prefixed copy of `sha256` (which
    /// exists), then syncs the folders: the one relink of a publication and of a journal replay.
    func relinkPlainNames(_ pages: [(path: String, sha256: String)]) throws(RepositoryError) {
        var directories = Set<String>()
        for (page, sha) in pages {
            let plain = RepositoryLayout.target(page)
            try hardLink(layout.absolute(RepositoryLayout.hashPrefixedTarget(page, sha256: sha)), to: plain)
            directories.insert(FileSystem.parent(plain))
        }
        if !directories.isEmpty { try syncAll(directories: directories) }
    }
}
