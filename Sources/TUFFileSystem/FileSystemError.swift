import Glibc
import TUFBase

/// An error of a file-system call (the `TUFError` shape). The message names the path and the
/// system's reason, never file contents; each layer maps it to its own error
/// (`RepositoryError`, `ClientError`).
package struct FileSystemError: TUFError {
    package enum Code: String, Sendable, CaseIterable {
        /// Nothing is at the path.
        case notFound
        /// Something other than what was asked for is at the path (a link, FIFO, folder…).
        case wrongType
        /// The file is larger than the limit of the read.
        case tooLarge
        /// A system call failed for another reason.
        case failed
    }
    package let code: Code
    /// The path at fault, as given (not escaped: it is also what was opened).
    package let path: String
    /// Starts with `path`; a path can hold any byte but NUL and `/` parts, so it is escaped.
    package let message: String

    /// `message` starts with `path`, as every message of this module does.
    package init(_ code: Code, _ path: String, _ reason: String) {
        self.code = code; self.path = path; self.message = DisplayText.escaped("\(path): \(reason)")
    }

    package var subject: String? { path }

    /// A failed call on `path`: `what` and the system's reason for the current `errno`.
    static func system(_ path: String, _ what: String, errno error: Int32 = errno) -> FileSystemError {
        FileSystemError(error == ENOENT ? .notFound : .failed, path, "\(what): \(FileSystem.reason(error))")
    }
}
