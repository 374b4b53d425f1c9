import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// An error of the repository editor (the `TUFError` shape). The message names the file,
/// role, entry or key at fault (never key material), escaped for the terminal; the CLI prints
/// `tuf-repo: error: KIND: MESSAGE`.
public struct RepositoryError: TUFError {
    /// What went wrong, independent of the message wording.
    public enum Code: String, Sendable, CaseIterable {
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
        /// A crash interrupted a publication and its journal cannot be completed as it is (a
        /// refused line, or a page copy that is missing); the message says how to recover.
        case interruptedPublication
        /// A published bin (or the chain above it) does not verify, so a change cannot be built
        /// on its targets; `generate` catches it and re-signs from a full read of the index.
        case unverifiedPublished
        /// The state store is damaged or disagrees with what is published: the caller rebuilds it.
        case damagedState
        /// A failure injected by a test (`RepositoryStore.failBefore`); never raised otherwise.
        case injectedFailure
        /// A request to the bucket published to failed (after its retries); the message names
        /// the object and the store's answer.
        case bucket
        /// A versioned object already in the bucket holds other bytes than the ones to publish.
        case bucketConflict
        /// Another publisher holds the bucket's lease, or changed the bucket during the run.
        case publisherBusy

        /// The kind of fault, as the CLI names it.
        public var kind: String {
            switch self {
            case .invalidArgument: "invalid argument"
            case .io: "file error"
            case .badIndex: "bad index snapshot"
            case .locked: "locked"
            case .missingKey: "missing key"
            case .badKey: "bad key"
            case .notAuthorized: "key not authorized"
            case .notInitialized: "not initialized"
            case .awaitingSignatures: "awaiting signatures"
            case .invalidMetadata: "invalid metadata"
            case .nothingStaged: "nothing staged"
            case .verificationFailed: "verification failed"
            case .interruptedPublication: "interrupted publication"
            case .unverifiedPublished: "unverified published metadata"
            case .damagedState: "damaged state store"
            case .injectedFailure: "injected failure"
            case .bucket: "bucket error"
            case .bucketConflict: "bucket conflict"
            case .publisherBusy: "publisher busy"
            }
        }
    }
    public let code: Code
    public let message: String
    public let subject: String?

    /// Names, paths and reasons in `message` come from files and arguments: terminal controls
    /// are escaped here, where every message passes (`DisplayText`).
    public init(_ code: Code, _ message: String, subject: String? = nil) {
        self.code = code; self.message = DisplayText.escaped(message); self.subject = subject
    }

    /// The kind of fault, as the CLI names it (`tuf-repo: error: KIND: MESSAGE`).
    public var kind: String { code.kind }

    /// A file-system error: `.io`, with its message and path.
    init(_ error: FileSystemError) { self.init(.io, error.message, subject: error.path) }

    /// Metadata that does not parse or verify: `.invalidMetadata`, with its message (which
    /// names the role or file).
    init(_ error: MetadataError) { self.init(.invalidMetadata, error.message) }

    /// A key that cannot be used: `.badKey`, or `.invalidArgument` for a PKCS#11 URI that
    /// does not parse. The message names the key file or token, never key material.
    init(_ error: CryptoError) { self.init(error.code == .badURI ? .invalidArgument : .badKey, error.message) }

    /// Bytes of `file` that are not JSON: `code` (`.invalidMetadata` unless said).
    init(_ error: JSONError, file: String, code: Code = .invalidMetadata) {
        self.init(code, "\(file): not valid JSON: \(error)", subject: file)
    }
}
