import Glibc
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// The upload queue, `REPO/queue/queue.sqlite`: project names an upload hook appended
/// (`enqueue`) for a publisher to drain (`publish`). A database of its own, apart from the state
/// store and the repository lock, so that appending never waits for signing: only SQLite's
/// short write lock is shared. In a directory of its own, so that the hook's user needs write
/// access there only, never to the signer's `state/`, `metadata/` or keys: the queue says only
/// which pages to re-read. `synchronous=FULL`: an acknowledged name survives a power cut.
/// Entries leave only after the publication that covered them. The database is created
/// group-writable (0660; SQLite gives its WAL files the same mode), for a setgid directory.
final class UploadQueue {
    let db: SQLiteDatabase

    init(repository: String) throws(RepositoryError) {
        let layout = RepositoryLayout(root: repository)
        do { try FileSystem.makeDirectories(layout.queueDirectory) } catch { throw RepositoryError(error) }
        let path = layout.queuePath
        try Self.createGroupWritable(path)
        db = try Self.open(path, create: true)
    }

    private static func open(_ path: String, create: Bool) throws(RepositoryError) -> SQLiteDatabase {
        do {
            let db = try SQLiteDatabase(path: path, create: create, busyMilliseconds: 1000)
            _ = try db.scalarText("PRAGMA journal_mode=WAL")
            try db.execute("""
                PRAGMA synchronous=FULL;
                CREATE TABLE IF NOT EXISTS queue(seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);
                """)
            return db
        } catch {
            throw RepositoryError(.io, "upload queue \(path): \(error.message)")
        }
    }

    /// Creates an empty database file with mode 0660 whatever the umask, when there is none.
    private static func createGroupWritable(_ path: String) throws(RepositoryError) {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o660)
        guard fd >= 0 else {
            if errno == EEXIST { return }
            throw RepositoryError(.io, "upload queue \(path): cannot create it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        _ = fchmod(fd, 0o660)
    }

    /// Moves the entries of a queue at the old place (`state/queue.sqlite`) into this one, in
    /// their order, then deletes the old files (a crash in between queues some names twice,
    /// which republishes nothing). The publisher does this: the hook may not write `state/`.
    func migrateLegacy(repository: String) throws(RepositoryError) {
        // Where repositories before 2026-12 kept the queue.
        let old = RepositoryLayout(root: repository).legacyQueuePath
        guard FileSystem.exists(old) else { return }
        // Read, and closed, before its files go.
        let names = try Self.wrap { () throws(SQLiteError) -> [String] in
            let legacy = try SQLiteDatabase(path: old, create: false, busyMilliseconds: 1000)
            let s = try legacy.prepare("SELECT name FROM queue ORDER BY seq")
            var out: [String] = []
            while try s.step() { out.append(s.text(0)) }
            return out
        }
        if !names.isEmpty { try append(names) }
        for suffix in ["", "-wal", "-shm"] { _ = unlink(old + suffix) }
    }

    private static func wrap<T>(_ body: () throws(SQLiteError) -> T) throws(RepositoryError) -> T {
        do { return try body() } catch { throw RepositoryError(.io, "upload queue: \(error.message)") }
    }

    /// Appends `names` in one transaction.
    func append(_ names: [String]) throws(RepositoryError) {
        do {
            try db.transaction { () throws(SQLiteError) in
                let s = try db.prepare("INSERT INTO queue(name) VALUES(?)")
                for n in names {
                    try s.bind(.text(n))
                    try s.run()
                }
            }
        } catch {
            switch error {
            case .database(let e), .body(let e): throw RepositoryError(.io, "upload queue: \(e.message)")
            }
        }
    }

    /// The oldest `limit` entries (all when nil): their names and the last sequence number.
    func peek(limit: Int?) throws(RepositoryError) -> (names: [String], last: Int64)? {
        try Self.wrap { () throws(SQLiteError) -> (names: [String], last: Int64)? in
            let s = try db.prepare("SELECT seq, name FROM queue ORDER BY seq LIMIT ?")
            try s.bind(.int(Int64(limit ?? -1)))
            var names: [String] = [], last: Int64 = 0
            while try s.step() { last = s.int64(0); names.append(s.text(1)) }
            return names.isEmpty ? nil : (names, last)
        }
    }

    /// Removes the entries up to sequence number `last` (those a publication covered; later
    /// appends have higher numbers).
    func remove(through last: Int64) throws(RepositoryError) {
        try Self.wrap { () throws(SQLiteError) in
            let s = try db.prepare("DELETE FROM queue WHERE seq <= ?")
            try s.bind(.int(last))
            try s.run()
        }
    }

    /// Number of queued entries.
    func count() throws(RepositoryError) -> Int {
        try Self.wrap { () throws(SQLiteError) -> Int in Int(try db.scalarText("SELECT count(*) FROM queue") ?? "0") ?? 0 }
    }
}

extension Repository {
    /// Appends project names (checked and normalized, PEP 503) to the upload queue without
    /// taking the repository lock; returns how many were queued.
    public func enqueue(_ names: [String]) throws(RepositoryError) -> Int {
        _ = try policy()
        let normalized = try Self.normalizedProjectNames(names)
        guard !normalized.isEmpty else { return 0 }
        try UploadQueue(repository: path).append(normalized)
        return normalized.count
    }

    /// What one drain of the queue did.
    public struct QueueBatch: Sendable {
        /// Queue entries covered (and removed).
        public var entries = 0
        public var result = PublishResult()
    }

    /// Publishes the oldest `maxBatch` queued entries (all when nil) as one `generate
    /// --project` run (one snapshot, one timestamp; names neither listed nor published are
    /// skipped), then removes them from the queue: a publisher killed before that leaves them
    /// queued, and republishing an unchanged project publishes nothing. Nil when the queue is empty.
    public func publishQueue(index: String, signers: [any Signer], linkFiles: Bool = false, maxBatch: Int? = nil,
                             now: Expiry) throws(RepositoryError) -> QueueBatch? {
        _ = try policy()
        let queue = try UploadQueue(repository: path)
        try queue.migrateLegacy(repository: path)
        guard let (names, last) = try queue.peek(limit: maxBatch) else { return nil }
        let result = try generate(index: index, signers: signers, linkFiles: linkFiles, projects: Array(Set(names)).sorted(),
                                  skipUnknown: true, now: now)
        try queue.remove(through: last)
        return QueueBatch(entries: names.count, result: result)
    }
}
