import TUFCanonicalJSON
import TUFMetadata

/// Whether a release file is yanked (PEP 592), and why.
public enum YankState: Sendable, Equatable, CustomStringConvertible {
    case notYanked
    /// Yanked, with the reason when one was given.
    case yanked(reason: String?)

    public var description: String {
        switch self {
        case .notYanked: "not yanked"
        case .yanked(let reason?): "yanked (\(reason))"
        case .yanked(nil): "yanked"
        }
    }

    /// The state a page's `yanked` value or a target's `custom.yanked` gives; absent or
    /// `false` is not yanked. Nil for a value of another kind.
    init?(json: JSON?) {
        switch json {
        case nil, .bool(false)?: self = .notYanked
        case .bool(true)?: self = .yanked(reason: nil)
        case .string(let reason)?: self = .yanked(reason: reason)
        default: return nil
        }
    }
}

/// One distribution file of a project page with its signed yank state.
public struct ProjectFile: Sendable, Equatable {
    public let filename: String
    /// The file's target path, relative to the index root (`packages/…`).
    public let targetPath: String
    /// The yank state signed in the file's target entry.
    public let yank: YankState

    public init(filename: String, targetPath: String, yank: YankState) {
        self.filename = filename; self.targetPath = targetPath; self.yank = yank
    }
}

/// Verification of yank state (pure): project pages (PEP 691 JSON) against the signed
/// target entries of their files, which carry `custom.yanked` when yanked.
public enum YankVerifier {
    /// A file entry as a served page lists it.
    public struct PageFile: Sendable, Equatable {
        public let filename: String
        public let targetPath: String
        public let sha256: String?
        public let size: Int64?
        public let yank: YankState
        /// The entry's `requires-python`, when it has one.
        public let requiresPython: String?
    }

    /// PEP 503 normalization (see `PackageIndex.normalize`).
    public static func normalize(_ name: String) -> String { PackageIndex.normalize(name) }

    /// Parses a project page; every file URL is resolved against `pagePath` to its target path.
    public static func parsePage(_ bytes: [UInt8], pagePath: String) throws(ClientError) -> [PageFile] {
        try parsePage(try parseJSON(bytes, name: pagePath), pagePath: pagePath)
    }

    /// The JSON of a page or the project list named `name`; `.malformed` when it is not JSON.
    public static func parseJSON(_ bytes: [UInt8], name: String) throws(ClientError) -> JSON {
        do { return try JSONParser().parse(bytes) } catch { throw ClientError(error, file: name) }
    }

    /// `parsePage` of a page already parsed.
    public static func parsePage(_ json: JSON, pagePath: String) throws(ClientError) -> [PageFile] {
        guard let files = json.objectValue?["files"]?.arrayValue else {
            throw ClientError(.malformed, "\(pagePath): no \"files\" array")
        }
        var out: [PageFile] = []
        for (i, entry) in files.enumerated() {
            guard let object = entry.objectValue, let filename = object["filename"]?.stringValue,
                  let url = object["url"]?.stringValue else {
                throw ClientError(.malformed, "\(pagePath): files[\(i)] lacks a filename or url")
            }
            guard let yank = YankState(json: object["yanked"]) else {
                throw ClientError(.malformed, "\(pagePath): files[\(i)] (\(filename)): \"yanked\" is not a boolean or string")
            }
            out.append(PageFile(filename: filename, targetPath: try resolve(url, against: pagePath),
                                sha256: object["hashes"]?.objectValue?["sha256"]?.stringValue,
                                size: object["size"]?.intValue, yank: yank, requiresPython: object["requires-python"]?.stringValue))
        }
        return out
    }

    /// The target path of a file URL on a page, resolved exactly as the repository resolved it
    /// when it signed the index (`PackageIndex.targetPath`).
    public static func resolve(_ url: String, against pagePath: String) throws(ClientError) -> String {
        do { return try PackageIndex.targetPath(ofFileURL: url, onPage: pagePath) } catch { throw ClientError(error, url: url) }
    }

    /// The yank state signed in a target entry (`custom.yanked`).
    public static func signedYank(_ file: TargetFile, path: String) throws(ClientError) -> YankState {
        guard let state = YankState(json: file.custom?.objectValue?["yanked"]) else {
            throw ClientError(.malformed, "\(path): custom.yanked is not a boolean or string")
        }
        return state
    }

    /// Explains a served page whose hash does not match the signed one. When it parses and
    /// each file's hash and size agree with the signed target entries but some yank states
    /// do not, it is a malicious yank naming those files; any other difference is a hash
    /// mismatch (`original`). `signedFile` gives the signed entry of a target path.
    public static func classifyMismatch(servedPage: [UInt8], pagePath: String, original: ClientError,
                                        signedFile: (String) async throws(ClientError) -> TargetFile?) async -> ClientError {
        guard let files = try? parsePage(servedPage, pagePath: pagePath), !files.isEmpty else { return original }
        var forged: [String] = []
        for file in files {
            guard let signed = try? await signedFile(file.targetPath),
                  file.sha256.map({ signed.hashes["sha256"] == $0 }) ?? true,
                  file.size.map({ signed.length == $0 }) ?? true,
                  let signedState = try? signedYank(signed, path: file.targetPath) else { return original }
            if signedState != file.yank {
                forged.append("\(file.filename) (served as \(file.yank), signed as \(signedState))")
            }
        }
        guard !forged.isEmpty else { return original }
        return ClientError(.maliciousYank, "\(pagePath): yank state forged for \(forged.joined(separator: ", "))")
    }
}
