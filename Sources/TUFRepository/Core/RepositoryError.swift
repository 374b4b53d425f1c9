import TUFFileSystem

/// An error of the repository editor. The message names the file, role, entry or key at
/// fault (never key material); errors are equal by code so tests can match on it.
public struct RepositoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, independent of the message wording. A struct rather than an enum so
    /// that the test hooks' code stays out of the public API.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The kind of fault, as the CLI names it.
        public let kind: String
        init(_ kind: String) { self.kind = kind }
        public var description: String { kind }

        /// A bad argument or setting (duration, bin count, role name, threshold).
        public static let invalidArgument = Code("invalid argument")
        /// Reading or writing a file failed.
        public static let io = Code("file error")
        /// The index snapshot is malformed; nothing was published.
        public static let badIndex = Code("bad index snapshot")
        /// Another run holds the repository lock.
        public static let locked = Code("locked")
        /// A role must be signed but no given key can sign it.
        public static let missingKey = Code("missing key")
        /// A key file could not be read or decrypted.
        public static let badKey = Code("bad key")
        /// The key is not one of the role's keys.
        public static let notAuthorized = Code("key not authorized")
        /// The repository is not initialised, or a file it needs is missing.
        public static let notInitialized = Code("not initialized")
        /// Staged roles do not have their thresholds of signatures yet; nothing can publish.
        public static let awaitingSignatures = Code("awaiting signatures")
        /// Published or staged metadata is invalid.
        public static let invalidMetadata = Code("invalid metadata")
        /// Nothing is staged for the role.
        public static let nothingStaged = Code("nothing staged")
        /// `verify` found faults.
        public static let verificationFailed = Code("verification failed")
        /// A crash interrupted a publication and its journal cannot be completed as it is (a
        /// refused line, or a page copy that is missing); the message says how to recover.
        public static let interruptedPublication = Code("interrupted publication")
        /// A published bin (or the chain above it) does not verify, so a change cannot be built
        /// on its targets; `generate` re-signs from a full read of the index instead.
        static let unverifiedPublished = Code("unverified published metadata")
        /// The state store is damaged or disagrees with what is published: it is rebuilt.
        static let damagedState = Code("damaged state store")
        /// A failure injected by a test (`RepositoryStore.failBefore`).
        static let injectedFailure = Code("injected failure")
    }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) { self.code = code; self.message = message }

    /// The kind of fault, as the CLI names it (`tuf-repo: error: KIND: MESSAGE`).
    public var kind: String { code.kind }

    public var description: String { message }

    public static func == (lhs: RepositoryError, rhs: RepositoryError) -> Bool { lhs.code == rhs.code }

    /// A file-system error: `.io`, with its message (which names the path).
    init(_ error: FileSystemError) { self.init(.io, error.message) }
}
