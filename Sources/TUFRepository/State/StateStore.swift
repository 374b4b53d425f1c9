internal import CSQLite
import Glibc
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// The repository's state between runs, in `REPO/state/state.sqlite` (SQLite, WAL): each
/// page's status, hash and targets, each bin's version, expiry and digest, and which snapshot
/// they describe. An update costs O(changed): a page or bin is one row, rewritten alone.
///
/// The store is a cache of published truth, never a source of it: it is trusted only while
/// its header names the published snapshot version and the policy's hash algorithms and bin
/// count; bin rows are checked against the snapshot's versions, and a bin's digest against the
/// signed bin whenever its targets are read. Missing, damaged (SQLite reports corruption, or
/// the schema is not ours) or stale, it is deleted and rebuilt from the published metadata and
/// a full read of the index. Hence `synchronous=NORMAL`: a commit lost to a power cut leaves an
/// older, consistent store whose snapshot version no longer matches, which is rebuilt.
final class StateStore {
    /// 2: `pages_status`, the covering index a rescan's status scan reads instead of the rows.
    static let schemaVersion = 2

    /// What the stored state describes.
    struct Header: Equatable {
        var snapshotVersion: Int64
        var algorithms: String
        var binCount: Int
        var linkFiles: Bool

        static func algorithmNames(_ a: [HashAlgorithm]) -> String { a.map(\.rawValue).joined(separator: ",") }
    }

    let db: SQLiteDatabase
    /// True when the store was just created (missing or damaged before).
    let fresh: Bool

    private init(db: SQLiteDatabase, fresh: Bool) { self.db = db; self.fresh = fresh }

    /// Opens the store of `repository`, creating it, or recreating it when it is damaged or of
    /// another schema. Throws only when the store cannot be created at all.
    static func open(repository: String) throws(RepositoryError) -> StateStore {
        if let existing = openIfPresent(repository: repository) { return existing }
        remove(repository: repository)
        let layout = RepositoryLayout(root: repository)
        do { try FileSystem.makeDirectories(layout.stateDirectory) } catch { throw RepositoryError(error) }
        do {
            let db = try SQLiteDatabase(path: layout.stateStorePath, create: true, busyMilliseconds: 2000)
            try configure(db)
            try db.execute(schema)
            return StateStore(db: db, fresh: true)
        } catch {
            throw RepositoryError(.io, "cannot create the state store: \(error.message)")
        }
    }

    /// The store of `repository` when it exists and is of this schema; nil otherwise (and
    /// nothing is created: for readers such as `status`).
    static func openIfPresent(repository: String) -> StateStore? {
        let path = RepositoryLayout(root: repository).stateStorePath
        guard FileSystem.exists(path), let db = try? SQLiteDatabase(path: path, create: false, busyMilliseconds: 2000),
              (try? configure(db)) != nil, (try? db.scalarText("PRAGMA user_version")) == String(schemaVersion),
              (try? db.scalarText("SELECT value FROM meta WHERE key = 'schema'")) == String(schemaVersion) else { return nil }
        return StateStore(db: db, fresh: false)
    }

    /// Deletes the store's files (its WAL and shared-memory files too).
    static func remove(repository: String) {
        let path = RepositoryLayout(root: repository).stateStorePath
        for suffix in ["", "-wal", "-shm", "-journal"] { _ = unlink(path + suffix) }
    }

    private static func configure(_ db: SQLiteDatabase) throws(SQLiteError) {
        _ = try db.scalarText("PRAGMA journal_mode=WAL")
        try db.execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536")
    }

    private static let schema = """
        BEGIN;
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE pages(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
            length INTEGER NOT NULL, hashes TEXT NOT NULL, entries BLOB NOT NULL);
        CREATE INDEX pages_status ON pages(path, size, mtime_ns, ctime_ns, inode);
        CREATE TABLE listings(h INTEGER NOT NULL, page INTEGER NOT NULL, PRIMARY KEY(h, page)) WITHOUT ROWID;
        CREATE TABLE bins(name TEXT PRIMARY KEY, version INTEGER NOT NULL, expires INTEGER NOT NULL,
            digest TEXT NOT NULL, fingerprint TEXT NOT NULL) WITHOUT ROWID;
        CREATE INDEX bins_expires ON bins(expires);
        INSERT INTO meta VALUES('schema', '\(schemaVersion)');
        PRAGMA user_version = \(schemaVersion);
        COMMIT;
        """

    /// A `RepositoryError` for a failure of the store (the caller rebuilds on `.damagedState`).
    static func failure(_ error: SQLiteError) -> RepositoryError {
        RepositoryError(error.isDamage ? .damagedState : .io, "state store: \(error.message)")
    }

    func wrap<T>(_ body: () throws(SQLiteError) -> T) throws(RepositoryError) -> T {
        do { return try body() } catch { throw Self.failure(error) }
    }

    // MARK: header

    /// The header, nil when the store holds no published state.
    func header() throws(RepositoryError) -> Header? {
        try wrap { () throws(SQLiteError) -> Header? in
            let s = try db.prepare("SELECT key, value FROM meta")
            var m: [String: String] = [:]
            while try s.step() { m[s.text(0)] = s.text(1) }
            guard let v = m["snapshot_version"].flatMap(Int64.init), let a = m["algorithms"], let n = m["bin_count"].flatMap(Int.init),
                  let l = m["link_files"] else { return nil }
            return Header(snapshotVersion: v, algorithms: a, binCount: n, linkFiles: l == "1")
        }
    }

    func setHeader(_ h: Header) throws(RepositoryError) {
        try wrap { () throws(SQLiteError) in
            let s = try db.prepare("INSERT OR REPLACE INTO meta VALUES(?, ?)")
            for (k, v) in [("snapshot_version", String(h.snapshotVersion)), ("algorithms", h.algorithms),
                           ("bin_count", String(h.binCount)), ("link_files", h.linkFiles ? "1" : "0")] {
                try s.bind(.text(k), .text(v))
                try s.run()
            }
        }
    }

    /// Runs `body` in one write transaction: every change of a run becomes visible at once.
    func transaction<T>(_ body: () throws(RepositoryError) -> T) throws(RepositoryError) -> T {
        do { return try db.transaction(body) } catch {
            switch error {
            case .database(let e): throw Self.failure(e)
            case .body(let e): throw e
            }
        }
    }

    /// Starts the run's write transaction (`commit` makes it visible, `rollback` drops it).
    func begin() throws(RepositoryError) { try wrap { () throws(SQLiteError) in try db.execute("BEGIN IMMEDIATE") } }
    func commit() throws(RepositoryError) { try wrap { () throws(SQLiteError) in try db.execute("COMMIT") } }
    func rollback() { try? db.execute("ROLLBACK") }

    /// `PRAGMA quick_check`: false when SQLite finds the file damaged.
    func isIntact() -> Bool { (try? db.scalarText("PRAGMA quick_check")) == "ok" }

    // MARK: bins

    /// The stored bins named in `names` (every stored bin when nil).
    func bins(_ names: [String]?) throws(RepositoryError) -> [String: BinStates.Entry] {
        try wrap { () throws(SQLiteError) -> [String: BinStates.Entry] in
            var out: [String: BinStates.Entry] = [:]
            func row(_ s: SQLiteStatement) { out[s.text(0)] = .init(version: s.int64(1), expires: s.int64(2), digest: s.text(3), fingerprint: s.text(4)) }
            guard let names else {
                let s = try db.prepare("SELECT name, version, expires, digest, fingerprint FROM bins")
                while try s.step() { row(s) }
                return out
            }
            let s = try db.prepare("SELECT name, version, expires, digest, fingerprint FROM bins WHERE name = ?")
            for n in names {
                try s.bind(.text(n))
                if try s.step() { row(s) }
                s.reset()
            }
            return out
        }
    }

    /// Names of the stored bins that expire at or before `limit` or were signed for keys
    /// other than `fingerprint`: those a publication must re-sign whatever their content.
    func binsDue(expiringBy limit: Int64, unless fingerprint: String) throws(RepositoryError) -> [String] {
        try wrap { () throws(SQLiteError) -> [String] in
            let s = try db.prepare("SELECT name FROM bins WHERE expires <= ? OR fingerprint != ?")
            try s.bind(.int(limit), .text(fingerprint))
            var out: [String] = []
            while try s.step() { out.append(s.text(0)) }
            return out
        }
    }

    /// Number of stored bins.
    func binCount() throws(RepositoryError) -> Int {
        try wrap { () throws(SQLiteError) -> Int in Int(try db.scalarText("SELECT count(*) FROM bins")!)! }
    }

    func setBins(_ entries: [String: BinStates.Entry]) throws(RepositoryError) {
        guard !entries.isEmpty else { return }
        try wrap { () throws(SQLiteError) in
            let s = try db.prepare("INSERT OR REPLACE INTO bins VALUES(?, ?, ?, ?, ?)")
            for (name, e) in entries {
                try s.bind(.text(name), .int(e.version), .int(e.expires), .text(e.digest), .text(e.fingerprint))
                try s.run()
            }
        }
    }

    // MARK: pages

    private static let pageColumns = "path, size, mtime_ns, ctime_ns, inode, length, hashes, entries"

    private static func record(_ s: SQLiteStatement, from col: Int32 = 0) throws(SQLiteError) -> PageRecord {
        guard let hashes = PageRecord.hashes(Array(s.text(col + 6).utf8)) else {
            throw SQLiteError(code: SQLITE_CORRUPT, message: "page \(s.text(col)): damaged hashes")
        }
        return PageRecord(path: s.text(col), status: .init(size: s.int64(col + 1), mtimeNanoseconds: s.int64(col + 2),
                                                           ctimeNanoseconds: s.int64(col + 3), inode: s.int64(col + 4)),
                          file: TargetFile(length: s.int64(col + 5), hashes: hashes), encodedEntries: s.blob(col + 7))
    }

    /// The stored record of each page in `paths` that has one.
    func pages(_ paths: [String]) throws(RepositoryError) -> [String: PageRecord] {
        try wrap { () throws(SQLiteError) -> [String: PageRecord] in
            let s = try db.prepare("SELECT \(Self.pageColumns) FROM pages WHERE path = ?")
            var out: [String: PageRecord] = [:]
            for p in paths {
                try s.bind(.text(p))
                if try s.step() { out[p] = try Self.record(s) }
                s.reset()
            }
            return out
        }
    }

    /// The stored status of every page, in one statement, packed (a rescan compares each
    /// page's status with it: one row step and one stat per page, no per-page query).
    func pageStatuses() throws(RepositoryError) -> PageStatusTable {
        try wrap { () throws(SQLiteError) -> PageStatusTable in
            let s = try db.prepare("SELECT path, size, mtime_ns, ctime_ns, inode FROM pages INDEXED BY pages_status")
            var table = PageStatusTable()
            while try s.step() {
                let status = PageRecord.Status(size: s.int64(1), mtimeNanoseconds: s.int64(2), ctimeNanoseconds: s.int64(3), inode: s.int64(4))
                s.withTextBytes(0) { table.append($0, status: status) }
            }
            return table
        }
    }

    /// Number of stored pages.
    func pageCount() throws(RepositoryError) -> Int {
        try wrap { () throws(SQLiteError) -> Int in Int(try db.scalarText("SELECT count(*) FROM pages")!)! }
    }

    /// The records of other pages that list any of `targets` (the listing index), excluding
    /// the pages in `excluding`.
    func pagesListing(_ targets: Set<String>, excluding: Set<String>) throws(RepositoryError) -> [PageRecord] {
        try wrap { () throws(SQLiteError) -> [PageRecord] in
            let s = try db.prepare("SELECT \(Self.pageColumns) FROM listings JOIN pages ON pages.id = listings.page WHERE listings.h = ?")
            var seen = Set<String>()
            var out: [PageRecord] = []
            for t in targets {
                try s.bind(.int(PageRecord.pathKey(t)))
                while try s.step() {
                    let r = try Self.record(s)
                    if !excluding.contains(r.path), seen.insert(r.path).inserted { out.append(r) }
                }
                s.reset()
            }
            return out
        }
    }

    /// A writer of page rows for one transaction (statements prepared once).
    final class PageWriter {
        private let upsert: SQLiteStatement
        private let idOf: SQLiteStatement
        private let deleteListings: SQLiteStatement
        private let insertListing: SQLiteStatement
        private let deletePage: SQLiteStatement

        fileprivate init(_ db: SQLiteDatabase) throws(SQLiteError) {
            upsert = try db.prepare("""
                INSERT INTO pages(path, size, mtime_ns, ctime_ns, inode, length, hashes, entries) VALUES(?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns,
                inode = excluded.inode, length = excluded.length, hashes = excluded.hashes, entries = excluded.entries RETURNING id
                """)
            idOf = try db.prepare("SELECT id, entries FROM pages WHERE path = ?")
            deleteListings = try db.prepare("DELETE FROM listings WHERE h = ? AND page = ?")
            insertListing = try db.prepare("INSERT OR IGNORE INTO listings VALUES(?, ?)")
            deletePage = try db.prepare("DELETE FROM pages WHERE id = ?")
        }

        /// The id and old entries of `path`, when stored.
        private func existing(_ path: String) throws(SQLiteError) -> (Int64, [UInt8])? {
            defer { idOf.reset() }
            try idOf.bind(.text(path))
            return try idOf.step() ? (idOf.int64(0), idOf.blob(1)) : nil
        }

        private func dropListings(id: Int64, entries: [UInt8]) throws(SQLiteError) {
            for path in Self.paths(entries) {
                try deleteListings.bind(.int(PageRecord.pathKey(path)), .int(id))
                try deleteListings.run()
            }
        }

        private static func paths(_ entries: [UInt8]) -> [String] {
            entries.split(separator: 0x0A).compactMap { line in
                let f = line.split(separator: 0x09, maxSplits: 2, omittingEmptySubsequences: false)
                return f.count >= 2 ? PageRecord.unescape(f[1]) : nil
            }
        }

        /// Stores `r`, replacing what was stored for its path; `fresh` skips the look-up of
        /// old listings (a full rebuild into an emptied table).
        func put(_ r: PageRecord, fresh: Bool = false) throws(SQLiteError) {
            let old = fresh ? nil : try existing(r.path)
            if let (id, entries) = old, entries == r.entries {
                // Only its status or own hash changed: one row, no listing.
                try write(r)
                _ = id
                return
            }
            if let (id, entries) = old { try dropListings(id: id, entries: entries) }
            let id = try write(r)
            for path in Self.paths(r.entries) {
                try insertListing.bind(.int(PageRecord.pathKey(path)), .int(id))
                try insertListing.run()
            }
        }

        @discardableResult
        private func write(_ r: PageRecord) throws(SQLiteError) -> Int64 {
            defer { upsert.reset() }
            try upsert.bind(.text(r.path), .int(r.status.size), .int(r.status.mtimeNanoseconds), .int(r.status.ctimeNanoseconds),
                            .int(r.status.inode), .int(r.file.length), .text(PageRecord.hashesText(r.file.hashes)), .blob(r.entries))
            guard try upsert.step() else { throw SQLiteError(code: SQLITE_ERROR, message: "no id returned for page \(r.path)") }
            let id = upsert.int64(0)
            while try upsert.step() {}
            return id
        }

        /// Forgets page `path` and its listings.
        func remove(_ path: String) throws(SQLiteError) {
            guard let (id, entries) = try existing(path) else { return }
            try dropListings(id: id, entries: entries)
            try deletePage.bind(.int(id))
            try deletePage.run()
        }
    }

    func pageWriter() throws(RepositoryError) -> PageWriter { try wrap { () throws(SQLiteError) -> PageWriter in try PageWriter(db) } }

    /// Empties the page tables (before a full read refills them).
    func clearPages() throws(RepositoryError) {
        try wrap { () throws(SQLiteError) in try db.execute("DELETE FROM listings; DELETE FROM pages;") }
    }
}
