internal import CSQLite
import TUFMetadata

/// An error of the SQLite layer (the `TUFError` shape): SQLite's result code and message,
/// with the database's path. The caller rebuilds a store whose code is `.damaged`.
struct SQLiteError: TUFError {
    enum Code: String, Sendable, CaseIterable {
        /// The file is damaged, not a database, or cannot be opened or read.
        case damaged
        /// Any other failure (busy, full, a constraint).
        case failed
    }
    let code: Code
    /// SQLite's extended result code.
    let resultCode: Int32
    let message: String
    let subject: String?

    /// `message` names the database or the page; it can quote a page name from an index file.
    init(code rc: Int32, message: String, subject: String? = nil) {
        let primary = rc & 0xFF
        let damaged = primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB || primary == SQLITE_CANTOPEN
            || primary == SQLITE_IOERR || primary == SQLITE_FORMAT
        self.code = damaged ? .damaged : .failed
        self.resultCode = rc; self.message = DisplayText.escaped(message); self.subject = subject
    }

    /// True when SQLite says the file is damaged or not a database: the caller rebuilds it.
    var isDamage: Bool { code == .damaged }
}

extension RepositoryError {
    /// A failure of the state store: `.damagedState` (the caller rebuilds it) or `.io`.
    init(_ error: SQLiteError) {
        self.init(error.isDamage ? .damagedState : .io, "state store: \(error.message)", subject: error.subject)
    }
}
