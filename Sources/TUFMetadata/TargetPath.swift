internal import TUFFileSystem

/// The path rules of the toolkit, in one place for the client and the repository. They work
/// on UTF-8 bytes, never on `Character`s: a grapheme can swallow a `/` (a combining mark after
/// it, U+0600 before it), and file systems see bytes.
public enum TargetPath {
    /// Why a target path is not safe below a folder: a code that is its own message (the
    /// `TUFError` shape; the message is a fixed phrase, "a target path that …").
    public enum Problem: String, TUFError, CaseIterable {
        case empty
        case absolute
        /// A NUL or backslash byte.
        case forbiddenByte
        /// An empty, `.` or `..` segment.
        case badSegment

        public var description: String {
            switch self {
            case .empty: "is empty"
            case .absolute: "is absolute"
            case .forbiddenByte: "contains a NUL or backslash"
            case .badSegment: "has an empty, \".\" or \"..\" segment"
            }
        }

        public var code: Problem { self }
        public var message: String { description }
    }

    static let slash = UInt8(ascii: "/")
    static let dot = UInt8(ascii: ".")

    /// Throws unless `path` can be used as a relative path below a folder: not empty, not
    /// absolute, no NUL or backslash, and no empty, `.` or `..` segment between `/` bytes.
    /// Names are kept as they are (no Unicode normalization): the bytes signed are the bytes
    /// written.
    public static func validate(_ path: String) throws(Problem) {
        let bytes = path.utf8
        guard let first = bytes.first else { throw .empty }
        guard first != slash else { throw .absolute }
        guard !bytes.contains(0), !bytes.contains(UInt8(ascii: "\\")) else { throw .forbiddenByte }
        for segment in segments(path) {
            guard !segment.isEmpty, !segment.elementsEqual([dot]), !segment.elementsEqual([dot, dot]) else { throw .badSegment }
        }
    }

    /// True when `validate` accepts `path`.
    public static func isSafe(_ path: String) -> Bool {
        do { try validate(path); return true } catch { return false }
    }

    /// The parts of `path` between `/` bytes (empty parts kept). `/` is ASCII, so no part
    /// splits a multi-byte character.
    public static func segments(_ path: String) -> [Substring.UTF8View] {
        path.utf8.split(separator: slash, omittingEmptySubsequences: false)
    }

    /// `dir/name` → `dir/<digest>.name`: the consistent-snapshot name of a target (5.7.3),
    /// the prefix going after the last `/` byte.
    public static func hashPrefixed(_ path: String, digest: String) -> String {
        let (folder, name) = splitLast(path)
        return folder.map { "\($0)/\(digest).\(name)" } ?? "\(digest).\(name)"
    }

    /// Splits `path` at its last `/` byte: the part before it (nil when there is no `/`)
    /// and the part after it. A target path splits as a file path does (`FileSystem.splitLast`).
    public static func splitLast(_ path: String) -> (folder: String?, name: String) { FileSystem.splitLast(path) }
}
