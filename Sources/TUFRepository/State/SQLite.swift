internal import CSQLite

/// One SQLite connection, owned by this object and closed when it is released. Used from one
/// thread at a time (the repository lock, or a single `enqueue` run).
final class SQLiteDatabase {
    let path: String
    fileprivate let handle: OpaquePointer

    /// Opens (creating when `create`) the database at `path`, with a busy timeout of
    /// `busyMilliseconds` for locks another connection holds.
    init(path: String, create: Bool, busyMilliseconds: Int32) throws(SQLiteError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "\(path): \(message)")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyMilliseconds)
    }

    deinit { sqlite3_close_v2(handle) }

    func error(_ rc: Int32) -> SQLiteError {
        SQLiteError(code: rc, message: "\(path): \(String(cString: sqlite3_errmsg(handle)))")
    }

    /// Runs SQL that returns no rows (several statements allowed).
    func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc) }
    }

    /// A prepared statement for `sql` (one statement).
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc) }
        return SQLiteStatement(self, stmt)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE` … `COMMIT` (the write lock is taken up front, so a
    /// busy database fails at the start, not half-way); rolls back when `body` throws.
    func transaction<T, E: Error>(_ body: () throws(E) -> T) throws(TransactionError<E>) -> T {
        do { try execute("BEGIN IMMEDIATE") } catch { throw .database(error) }
        let value: T
        do { value = try body() } catch {
            try? execute("ROLLBACK")
            throw .body(error)
        }
        do { try execute("COMMIT") } catch {
            try? execute("ROLLBACK")
            throw .database(error)
        }
        return value
    }

    /// The first column of the first row of `sql` as text, nil when there is no row.
    func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        let s = try prepare(sql)
        return try s.step() ? s.text(0) : nil
    }
}

/// Why a transaction failed: the database, or the body.
enum TransactionError<E: Error>: Error {
    case database(SQLiteError)
    case body(E)
}

/// A prepared statement: bind (1-based), step, read columns (0-based), reset to reuse.
final class SQLiteStatement {
    private let db: SQLiteDatabase
    private let stmt: OpaquePointer

    fileprivate init(_ db: SQLiteDatabase, _ stmt: OpaquePointer) { self.db = db; self.stmt = stmt }
    deinit { sqlite3_finalize(stmt) }

    /// SQLite copies bound text and blobs (SQLITE_TRANSIENT), so Swift buffers may go.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ i: Int32, _ v: Int64) throws(SQLiteError) { try check(sqlite3_bind_int64(stmt, i, v)) }
    func bind(_ i: Int32, _ v: String) throws(SQLiteError) { try check(sqlite3_bind_text(stmt, i, v, -1, Self.transient)) }
    func bind(_ i: Int32, _ v: [UInt8]) throws(SQLiteError) {
        let rc = v.withUnsafeBytes { sqlite3_bind_blob64(stmt, i, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64($0.count), Self.transient) }
        try check(rc)
    }

    /// Binds each value in order from parameter 1.
    func bind(_ values: SQLiteValue...) throws(SQLiteError) {
        for (i, v) in values.enumerated() {
            switch v {
            case .int(let x): try bind(Int32(i + 1), x)
            case .text(let x): try bind(Int32(i + 1), x)
            case .blob(let x): try bind(Int32(i + 1), x)
            }
        }
    }

    private func check(_ rc: Int32) throws(SQLiteError) { guard rc == SQLITE_OK else { throw db.error(rc) } }

    /// Steps once: true when a row is ready, false when done.
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        let e = db.error(rc)
        sqlite3_reset(stmt)
        throw e
    }

    /// Steps a statement that returns no rows, then resets it for the next use.
    func run() throws(SQLiteError) {
        defer { reset() }
        while try step() {}
    }

    /// Ready for new bindings.
    func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    func int64(_ col: Int32) -> Int64 { sqlite3_column_int64(stmt, col) }
    func text(_ col: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, col) else { return "" }
        return String(cString: p)
    }
    /// The text of column `col` as bytes in place, valid only inside `body` (no String made:
    /// a rescan reads every page's path this way).
    func withTextBytes<R>(_ col: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let p = sqlite3_column_text(stmt, col)
        return body(UnsafeBufferPointer(start: p, count: p == nil ? 0 : Int(sqlite3_column_bytes(stmt, col))))
    }
    func blob(_ col: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, col))
        guard n > 0, let p = sqlite3_column_blob(stmt, col) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

/// A value to bind.
enum SQLiteValue {
    case int(Int64)
    case text(String)
    case blob([UInt8])
}
