import Glibc

/// How writes are made durable before they are renamed into place.
public enum Durability: String, Sendable, CaseIterable {
    /// fsync every file and, after the renames, every folder they changed: durable, slowest
    /// on many small files.
    case perFile = "per-file"
    /// One `syncfs` of the file system per batch of writes, and one after its renames.
    case batch
    /// No syncing (tests, scratch repositories).
    case none
}

/// The one atomic writer of the project, for the client's metadata and downloads and the
/// repository's files: each file is created exclusively under a fresh temporary name beside
/// its destination (`TemporaryFile`), written, made durable per `durability`, renamed into
/// place, and its folder synced. A reader sees the old file or all of the new one.
package struct AtomicWriter: Sendable {
    /// A directory on the file system written to: what `.batch` syncs.
    package let root: String
    package var durability: Durability

    package init(root: String, durability: Durability) {
        self.root = root; self.durability = durability
    }

    /// Writes `files` (full paths) as one batch: all temporary files first (their folders
    /// created), one sync, the renames, one sync. On any failure the temporary files not yet
    /// renamed are removed.
    package func write(_ files: [(path: String, bytes: [UInt8])], mode: mode_t = 0o644) throws(FileSystemError) {
        guard !files.isEmpty else { return }
        var temps: [TemporaryFile] = []
        temps.reserveCapacity(files.count)
        defer { for temp in temps { temp.discard() } }
        var directories = Set<String>()
        for (path, bytes) in files {
            let dir = FileSystem.parent(path)
            if directories.insert(dir).inserted { try FileSystem.makeDirectories(dir) }
            let temp = try TemporaryFile(for: path, mode: mode)
            temps.append(temp)
            try temp.write(bytes)
            try temp.close(sync: durability == .perFile)
        }
        try commit(temps, directories: directories)
    }

    /// A new temporary file for `destination`, its folder created; written by the caller and
    /// committed (or discarded) later, as a streamed download is.
    package func create(_ destination: String, mode: mode_t = 0o644) throws(FileSystemError) -> TemporaryFile {
        try FileSystem.makeDirectories(FileSystem.parent(destination))
        return try TemporaryFile(for: destination, mode: mode)
    }

    /// Makes `temps` durable, renames them into place in order, and syncs their folders. On
    /// a failure the ones not yet renamed are removed.
    package func commit(_ temps: [TemporaryFile]) throws(FileSystemError) {
        try commit(temps, directories: Set(temps.map { FileSystem.parent($0.destination) }))
    }

    private func commit(_ temps: [TemporaryFile], directories: Set<String>) throws(FileSystemError) {
        defer { for temp in temps { temp.discard() } }
        for temp in temps { try temp.close(sync: durability == .perFile) }
        try syncBatch()
        for temp in temps { try temp.rename() }
        try sync(directories: directories)
    }

    /// Puts a link at `destination` atomically: `makeLink` makes it at a fresh temporary
    /// name beside it (a link never follows or replaces what is at its new name), then it is
    /// renamed into place. `source` names the linked file in messages. Not synced: call
    /// `syncAll` after a run of links.
    package func link(_ source: String, at destination: String, _ makeLink: (String) -> Int32) throws(FileSystemError) {
        try FileSystem.makeDirectories(FileSystem.parent(destination))
        let temp = TemporaryFile.temporaryName(for: destination)
        guard makeLink(temp) == 0 else {
            throw FileSystemError(errno == ENOENT ? .notFound : .failed, source,
                                  "cannot hard-link into \(destination): \(FileSystem.reason())")
        }
        guard rename(temp, destination) == 0 else {
            let error = FileSystemError.system(destination, "cannot rename into place")
            _ = unlink(temp)
            throw error
        }
    }

    /// Makes everything written so far durable, with `directories` (full paths) synced.
    package func syncAll(directories: Set<String>) throws(FileSystemError) {
        try syncBatch()
        try sync(directories: directories)
    }

    private func syncBatch() throws(FileSystemError) {
        guard durability == .batch else { return }
        let fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(root, "cannot open") }
        defer { close(fd) }
        guard Self.syncFileSystem(fd) == 0 else { throw .system(root, "syncfs failed") }
    }

    /// `syncfs(2)`, which Glibc's Swift overlay does not export; `sync(2)` where it is missing.
    private static let syncfsFunction: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    private static func syncFileSystem(_ fd: Int32) -> Int32 {
        if let f = syncfsFunction { return f(fd) }
        Glibc.sync()
        return 0
    }

    private func sync(directories: Set<String>) throws(FileSystemError) {
        switch durability {
        case .none: return
        // One more syncfs commits every directory entry the renames changed (thousands of
        // page folders in a full generate) at the cost of one.
        case .batch: return try syncBatch()
        case .perFile: break
        }
        for dir in directories {
            let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw .system(dir, "cannot open") }
            defer { close(fd) }
            // Some file systems refuse fsync on directories; the rename is still atomic there.
            if fsync(fd) != 0, errno != EINVAL { throw .system(dir, "fsync failed") }
        }
    }
}
