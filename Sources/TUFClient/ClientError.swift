import TUFCanonicalJSON
import TUFFileSystem
import TUFMetadata

/// An error of the verifying client: bad or hostile metadata, a failed download, or a call
/// in the wrong order. The message names the role, file, key or attack (the `TUFError` shape).
public struct ClientError: TUFError {
    public enum Code: String, Sendable, CaseIterable {
        /// Not valid metadata (bad JSON, wrong shape or type, a bad field).
        case malformed
        /// Too few distinct keys of the role signed (a bad or missing signature).
        case thresholdNotMet
        /// A version lower than one already trusted (rollback attack).
        case rollback
        /// A version other than the one required (root N+1, the version snapshot or timestamp lists).
        case versionMismatch
        /// Metadata that has expired at the reference time (freeze attack).
        case expired
        /// Bytes whose length differs from the trusted length.
        case lengthMismatch
        /// Bytes whose hash differs from the trusted hash.
        case hashMismatch
        /// A hash algorithm this client cannot compute is listed.
        case unknownHashAlgorithm
        /// A role that trusted metadata should list is missing (removed from snapshot, or not listed).
        case missingRole
        /// The server has no such file (HTTP 404/403, no file), or no role lists the target.
        case notFound
        /// More bytes than allowed (endless data attack).
        case downloadTooLarge
        /// A download failed for another reason (network, timeout, HTTP error).
        case fetchFailed
        /// A served project page differs from the signed one only in yank state.
        case maliciousYank
        /// A method of the trusted set was called before what it depends on.
        case wrongOrder
        /// A target path or role name that would not be safe as a local file name.
        case unsafePath
        /// Reading or writing local files failed.
        case ioFailed
        /// Invalid configuration or arguments.
        case invalidArgument
    }

    public let code: Code
    public let message: String
    /// The file, URL or target path at fault, when the error was made from one.
    public let subject: String?

    /// Messages quote names, URLs and reasons from the network: terminal controls in them are
    /// escaped here, where every message passes, so no caller can forget (`DisplayText`).
    public init(_ code: Code, _ message: String, subject: String? = nil) {
        self.code = code; self.message = DisplayText.escaped(message); self.subject = subject
    }

    /// The kind of attack or fault, as the CLI names it.
    public var attack: String {
        switch code {
        case .malformed: "malformed metadata"
        case .thresholdNotMet: "bad signature (threshold not met)"
        case .rollback: "rollback attack"
        case .versionMismatch: "version mismatch (mix-and-match)"
        case .expired: "freeze attack (expired metadata)"
        case .lengthMismatch: "length mismatch"
        case .hashMismatch: "hash mismatch"
        case .unknownHashAlgorithm: "unknown hash algorithm"
        case .missingRole: "missing role"
        case .notFound: "not found"
        case .downloadTooLarge: "endless data attack (download too large)"
        case .fetchFailed: "download failed"
        case .maliciousYank: "malicious yank"
        case .wrongOrder: "wrong order of updates"
        case .unsafePath: "unsafe path"
        case .ioFailed: "local file error"
        case .invalidArgument: "invalid argument"
        }
    }

    /// Maps a model error: a failed check stays that check, everything else is malformed data.
    init(_ error: MetadataError) {
        let code: Code = switch error.code {
        case .thresholdNotMet: .thresholdNotMet
        case .lengthMismatch: .lengthMismatch
        case .hashMismatch: .hashMismatch
        case .unknownHashAlgorithm: .unknownHashAlgorithm
        default: .malformed
        }
        self.init(code, error.message)
    }

    /// A local file error: `.ioFailed`, with its message (which names the path).
    init(_ error: FileSystemError) { self.init(.ioFailed, error.message, subject: error.path) }

    /// Bytes of `file` that are not JSON: `.malformed`.
    init(_ error: JSONError, file: String) { self.init(.malformed, "\(file): not JSON: \(error)", subject: file) }

    /// A file URL of a page with no target path: `.unsafePath`.
    init(_ error: PackageIndex.PathError, url: String) { self.init(.unsafePath, "\(url): \(error)", subject: url) }

    /// A target path that is not safe as a local file name: `.unsafePath`.
    init(_ problem: TargetPath.Problem, path: String) { self.init(.unsafePath, "\"\(path)\": a target path that \(problem)", subject: path) }
}
