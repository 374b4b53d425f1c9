#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TUFMetadata

/// The steps of a publication, in the order they reach the disk. A crash between two steps
/// leaves the previous repository valid: every file before `timestamp` has a new versioned
/// name that nothing references until the timestamp (or root) that names it is renamed in.
public enum PublicationStep: String, Sendable, CaseIterable {
    case targetFiles, delegatedRoles, snapshot, root, timestamp
    /// After the timestamp: the plain page names (journaled, so the next command completes them).
    case plainNames
}

/// Atomic, ordered writes of repository files: each batch is written to temporary names,
/// made durable, renamed into place, and its directories synced.
public struct RepositoryStore: Sendable {
    /// How writes are made durable before they are renamed into place.
    public enum Durability: String, Sendable, CaseIterable {
        /// fsync every file: durable, slowest on many small files.
        case perFile = "per-file"
        /// One `syncfs` of the file system per batch of writes, and one after its renames.
        case batch
        /// No syncing (tests, scratch repositories).
        case none
    }

    /// The repository directory.
    public let root: String
    public var durability: Durability
    /// Test hook: fail (as a crash would) just before this step is written.
    public var failBefore: PublicationStep?

    public init(root: String, durability: Durability = .batch, failBefore: PublicationStep? = nil) {
        self.root = root; self.durability = durability; self.failBefore = failBefore
    }

    /// Runs the fault-injection hook for `step`.
    func reach(_ step: PublicationStep) throws(RepositoryError) {
        if failBefore == step { throw RepositoryError(.injectedFailure, "injected failure before the \(step.rawValue) step") }
    }

    /// Writes `files` (paths relative to `root`) atomically and durably as one batch. Each is
    /// written to a fresh temporary file (`FileIO.createTemporary`) and renamed into place; on
    /// any failure the temporary files not yet renamed are removed.
    public func write(_ files: [(path: String, bytes: [UInt8])]) throws(RepositoryError) {
        guard !files.isEmpty else { return }
        var temps: [(temp: String, final: String)] = []
        temps.reserveCapacity(files.count)
        var renamed = 0
        defer { for (temp, _) in temps[renamed...] { _ = unlink(temp) } }
        var directories = Set<String>()
        for (path, bytes) in files {
            let final = root + "/" + path
            let dir = FileIO.parent(final)
            if directories.insert(dir).inserted { try FileIO.makeDirectories(dir) }
            let (fd, temp) = try FileIO.createTemporary(for: final, mode: 0o644)
            defer { close(fd) }
            temps.append((temp, final))
            try FileIO.writeAll(fd, bytes, temp)
            if durability == .perFile, fsync(fd) != 0 { throw RepositoryError(.io, "\(temp): fsync failed: \(FileIO.reason())") }
        }
        try syncBatch()
        for (temp, final) in temps {
            guard rename(temp, final) == 0 else { throw RepositoryError(.io, "\(final): cannot rename into place: \(FileIO.reason())") }
            renamed += 1
        }
        try syncDirectories(directories)
    }

    /// Hard-links `source` to `path` (relative to `root`), atomically replacing what was there.
    public func hardLink(_ source: String, to path: String) throws(RepositoryError) {
        try linkIntoPlace(path, from: source) { temp in link(source, temp) }
    }

    /// Hard-links the open file `fd` (named `source` in messages) to `path`, like `hardLink`.
    /// Linking `/proc/self/fd/N` with AT_SYMLINK_FOLLOW links the inode the descriptor holds,
    /// the one the caller checked, whatever the name `source` points at by now; linking the
    /// name again, or re-checking it just before, leaves a window to swap it. (Linux only;
    /// AT_EMPTY_PATH would do the same but needs CAP_DAC_READ_SEARCH.)
    func hardLink(file fd: Int32, named source: String, to path: String) throws(RepositoryError) {
        try linkIntoPlace(path, from: source) { temp in linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, temp, AT_SYMLINK_FOLLOW) }
    }

    /// Links to a fresh temporary name next to `path` with `makeLink` (a link never follows
    /// or replaces what is at its new name), then renames it into place.
    private func linkIntoPlace(_ path: String, from source: String, _ makeLink: (String) -> Int32) throws(RepositoryError) {
        let final = root + "/" + path
        try FileIO.makeDirectories(FileIO.parent(final))
        let temp = FileIO.temporaryName(for: final)
        guard makeLink(temp) == 0 else {
            throw RepositoryError(.io, "\(source): cannot hard-link into \(final): \(FileIO.reason())")
        }
        guard rename(temp, final) == 0 else {
            let error = RepositoryError(.io, "\(final): cannot rename into place: \(FileIO.reason())")
            _ = unlink(temp)
            throw error
        }
    }

    /// Makes everything written so far durable (after links, which `write` does not cover).
    public func syncAll(directories: Set<String>) throws(RepositoryError) {
        try syncBatch()
        try syncDirectories(Set(directories.map { root + "/" + $0 }))
    }

    private func syncBatch() throws(RepositoryError) {
        guard durability == .batch else { return }
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw RepositoryError(.io, "\(root): cannot open: \(FileIO.reason())") }
        defer { close(fd) }
        guard Self.syncFileSystem(fd) == 0 else { throw RepositoryError(.io, "\(root): syncfs failed: \(FileIO.reason())") }
    }

    /// `syncfs(2)`, which Glibc's Swift overlay does not export; `sync(2)` where it is missing.
    private static let syncfsFunction: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    private static func syncFileSystem(_ fd: Int32) -> Int32 {
        if let f = syncfsFunction { return f(fd) }
        sync()
        return 0
    }

    private func syncDirectories(_ directories: Set<String>) throws(RepositoryError) {
        switch durability {
        case .none: return
        // One more syncfs commits every directory entry the renames changed (thousands of
        // page folders in a full generate) at the cost of one.
        case .batch: return try syncBatch()
        case .perFile: break
        }
        for dir in directories {
            let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw RepositoryError(.io, "\(dir): cannot open: \(FileIO.reason())") }
            defer { close(fd) }
            // Some file systems refuse fsync on directories; the rename is still atomic there.
            if fsync(fd) != 0, errno != EINVAL { throw RepositoryError(.io, "\(dir): fsync failed: \(FileIO.reason())") }
        }
    }
}
