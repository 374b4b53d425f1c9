import Glibc

/// An error of a file-system call. The message names the path and the system's reason, never
/// file contents; each layer maps it to its own error (`RepositoryError`, `ClientError`).
/// Errors are equal by code.
package struct FileSystemError: Error, Equatable, Sendable, CustomStringConvertible {
    package enum Code: String, Sendable {
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
    /// The path at fault.
    package let path: String
    package let message: String

    /// `message` starts with `path`, as every message of this module does.
    package init(_ code: Code, _ path: String, _ reason: String) {
        self.code = code; self.path = path; self.message = "\(path): \(reason)"
    }

    /// A failed call on `path`: `what` and the system's reason for the current `errno`.
    static func system(_ path: String, _ what: String, errno error: Int32 = errno) -> FileSystemError {
        FileSystemError(error == ENOENT ? .notFound : .failed, path, "\(what): \(FileSystem.reason(error))")
    }

    package var description: String { message }

    package static func == (lhs: FileSystemError, rhs: FileSystemError) -> Bool { lhs.code == rhs.code }
}
