/// Names and paths of a PEP 503/691 package index, shared by the repository (which makes
/// targets from an index snapshot) and the client (which checks served pages against them):
/// both must map a page's file URL to the same target path, or a forged page could name a
/// file the repository never signed under that path.
public enum PackageIndex {
    /// Why a file URL has no target path: a code that is its own message (the `TUFError`
    /// shape; the message is a fixed phrase, "the URL …").
    public enum PathError: String, TUFError, CaseIterable {
        /// A scheme or host (`https://…`, `//host/…`), or `..` above the index root.
        case outsideIndex
        /// A malformed `%XX` escape, or one that decodes to `/`.
        case badEscape
        /// An empty segment, NUL or backslash, or not UTF-8 once decoded.
        case unusable
        /// No file name (the index root, or a folder).
        case noFile

        public var description: String {
            switch self {
            case .outsideIndex: "is outside the index"
            case .badEscape: "has a bad percent-escape"
            case .unusable: "is not a usable path"
            case .noFile: "names no file"
            }
        }

        public var code: PathError { self }
        public var message: String { description }
    }

    /// PEP 503 normalization: lowercase, runs of `-`, `_` and `.` become one `-`. The runs
    /// are found on bytes: as `Character`s, `.` followed by a combining mark was kept.
    public static func normalize(_ name: String) -> String {
        var out: [UInt8] = []
        var inRun = false
        for b in name.lowercased().utf8 {
            if b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") {
                if !inRun { out.append(UInt8(ascii: "-")) }
                inRun = true
            } else {
                out.append(b)
                inRun = false
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when a normalized project name can be a folder of `simple/` and a target path.
    public static func isUsableProjectName(_ normalized: String) -> Bool {
        // A valid PEP 508 name, normalized (PEP 503): ASCII letters and digits, runs of `-`
        // between them. Nothing else reaches a file name or a URL: no `/`, `.`, NUL, combining mark.
        let b = Array(normalized.utf8)
        func alnum(_ c: UInt8) -> Bool { (0x61...0x7A).contains(c) || (0x30...0x39).contains(c) || (0x41...0x5A).contains(c) }
        guard let first = b.first, let last = b.last, alnum(first), alnum(last) else { return false }
        return b.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    /// The target path of a project's page.
    public static func pagePath(project: String) -> String { pagePath(normalized: normalize(project)) }

    /// The target path of the page of a project whose name is normalized already (the index
    /// reader's names: normalizing again would cost a pass over every name of a large index).
    public static func pagePath(normalized project: String) -> String { "simple/\(project)/index.json" }

    /// The project of page path `simple/<project>/index.json`, nil for any other path.
    public static func project(ofPage path: String) -> String? {
        let parts = path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].elementsEqual("simple".utf8), parts[2].elementsEqual("index.json".utf8) else { return nil }
        return String(decoding: parts[1], as: UTF8.self)
    }

    /// The target path of a file URL listed on the page at `pagePath`: relative URLs resolve
    /// against the page's folder, root-relative ones (`/packages/…`) against the index root;
    /// query and fragment are dropped and `%XX` escapes decoded per segment. Works on UTF-8
    /// bytes (String algorithms here dominated reading a large index).
    public static func targetPath(ofFileURL url: String, onPage pagePath: String) throws(PathError) -> String {
        let slash = UInt8(ascii: "/")
        var u = Array(url.utf8)
        if let cut = u.firstIndex(where: { $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "?") }) { u.removeSubrange(cut...) }
        let hasScheme = u.indices.dropLast(2).contains { u[$0] == UInt8(ascii: ":") && u[$0 + 1] == slash && u[$0 + 2] == slash }
        if hasScheme || (u.count >= 2 && u[0] == slash && u[1] == slash) { throw .outsideIndex }
        guard !u.isEmpty, u.last != slash else { throw .noFile }
        let rooted = u[0] == slash
        var parts: [[UInt8]] = rooted ? [] : Array(pagePath.utf8).split(separator: slash).dropLast().map(Array.init)
        for (i, raw) in u.split(separator: slash, omittingEmptySubsequences: false).enumerated() {
            if raw.isEmpty {
                if i == 0 && rooted { continue }
                throw .unusable
            }
            let segment = try percentDecode(raw)
            if segment == [UInt8(ascii: ".")] { continue }
            if segment == [UInt8(ascii: "."), UInt8(ascii: ".")] {
                guard !parts.isEmpty else { throw .outsideIndex }
                parts.removeLast()
                continue
            }
            parts.append(segment)
        }
        guard !parts.isEmpty else { throw .noFile }
        // The resolved path must pass the one target path rule (NUL, backslash, segments).
        guard let path = String(validating: Array(parts.joined(separator: [slash])), as: UTF8.self), TargetPath.isSafe(path) else {
            throw .unusable
        }
        return path
    }

    /// One path segment with `%XX` decoded; an escaped `/` would change the path's shape.
    static func percentDecode(_ bytes: ArraySlice<UInt8>) throws(PathError) -> [UInt8] {
        guard bytes.contains(UInt8(ascii: "%")) else { return Array(bytes) }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): b - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.endIndex, let hi = hex(bytes[i + 1]), let lo = hex(bytes[i + 2]) else { throw .badEscape }
                let byte = hi << 4 | lo
                guard byte != UInt8(ascii: "/") else { throw .badEscape }
                out.append(byte)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }
}
