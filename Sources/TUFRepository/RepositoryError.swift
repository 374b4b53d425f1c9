import TUFFileSystem

/// An error of the repository editor. The message names the file, role, entry or key at
/// fault (never key material); errors are equal by code so tests can match on it.
public struct RepositoryError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A bad argument or setting (duration, bin count, role name, threshold).
        case invalidArgument
        /// Reading or writing a file failed.
        case io
        /// The index snapshot is malformed; nothing was published.
        case badIndex
        /// Another run holds the repository lock.
        case locked
        /// A role must be signed but no given key can sign it.
        case missingKey
        /// A key file could not be read or decrypted.
        case badKey
        /// The key is not one of the role's keys.
        case notAuthorized
        /// The repository is not initialised, or a file it needs is missing.
        case notInitialized
        /// Staged roles do not have their thresholds of signatures yet; nothing can publish.
        case awaitingSignatures
        /// Published or staged metadata is invalid.
        case invalidMetadata
        /// Nothing is staged for the role.
        case nothingStaged
        /// `verify` found faults.
        case verificationFailed
        /// A failure injected by a test.
        case injectedFailure
    }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    public var description: String { message }

    public static func == (lhs: RepositoryError, rhs: RepositoryError) -> Bool { lhs.code == rhs.code }

    /// A file-system error: `.io`, with its message (which names the path).
    init(_ error: FileSystemError) { self.init(.io, error.message) }
}
