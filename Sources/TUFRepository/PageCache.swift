import Glibc
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// What the last `generate` read from each page of the index: the page's own target and the
/// targets of its files. Kept in `REPO/cache/pages.tsv`, written after a run whose result is
/// published, so the next run parses only the pages whose bytes changed. Trusted only when
/// its header matches the published snapshot version and the policy's hash algorithms and
/// bin count; otherwise (or when missing or damaged) `generate` reads the whole index.
///
/// Format: a header line `S <snapshot version> <hash algorithms> <bins> <link-files 0|1>`,
/// then per page a line `P <path> <length> <hashes>` followed by one line per target of its
/// files `E <path> <length> <hashes> <yank>`, and a trailer `Z <pages> <sha256 of all that
/// precedes it>` (a damaged cache is never trusted: a corrupted path would leave a stale
/// target in its bin once its page changes). Fields are separated
/// by tabs; hashes read `alg=hex,alg=hex`; yank is `-`, `+` (true) or `=reason`; `\`, tab
/// and newline in text are escaped.
struct PageCache: Sendable {
    static let file = "cache/pages.tsv"
    static let magic = "# swift-tuf page cache v1\n"

    struct Header: Equatable {
        var snapshotVersion: Int64
        var algorithms: String
        var binCount: Int
        var linkFiles: Bool

        static func algorithmNames(_ a: [HashAlgorithm]) -> String { a.map(\.rawValue).joined(separator: ",") }
    }

    /// One page's block in `bytes`.
    struct Page {
        var sha256: String
        /// The whole block, page line included, copied as is into the next cache.
        var block: Range<Int>
        /// The entry lines of the block.
        var entries: Range<Int>
    }

    var header: Header
    var bytes: [UInt8]
    /// Page target path → its block.
    var pages: [String: Page]

    // MARK: encoding

    /// The file: the header, then `body` (page blocks, see `appendPage`), then the trailer.
    static func encode(header h: Header, body: [UInt8], pageCount: Int) -> [UInt8] {
        var out = Array(magic.utf8)
        out += Array("S\t\(h.snapshotVersion)\t\(h.algorithms)\t\(h.binCount)\t\(h.linkFiles ? 1 : 0)\n".utf8)
        out += body
        out += Array("Z\t\(pageCount)\t\(Hex.encode(Hash.digest(.sha256, out)))\n".utf8)
        return out
    }

    /// Appends the block of one page and the targets its files produced.
    static func appendPage(_ out: inout [UInt8], path: String, file: TargetFile, entries: [(path: String, file: TargetFile)]) {
        out.append(UInt8(ascii: "P"))
        appendTarget(&out, path, file)
        out.append(0x0A)
        for e in entries {
            out.append(UInt8(ascii: "E"))
            appendTarget(&out, e.path, e.file)
            out.append(0x09)
            switch e.file.custom?.objectValue?["yanked"] {
            case .bool(true)?: out.append(UInt8(ascii: "+"))
            case .string(let reason)?: out.append(UInt8(ascii: "=")); appendEscaped(&out, reason)
            default: out.append(UInt8(ascii: "-"))
            }
            out.append(0x0A)
        }
    }

    private static func appendTarget(_ out: inout [UInt8], _ path: String, _ file: TargetFile) {
        out.append(0x09)
        appendEscaped(&out, path)
        out.append(0x09)
        out += Array(String(file.length).utf8)
        out.append(0x09)
        var first = true
        for (alg, hex) in file.hashes.sorted(by: { $0.key < $1.key }) {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            out += Array(alg.utf8); out.append(UInt8(ascii: "=")); out += Array(hex.utf8)
        }
    }

    static func appendEscaped(_ out: inout [UInt8], _ s: String) {
        for b in s.utf8 {
            switch b {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x09: out += [0x5C, UInt8(ascii: "t")]
            case 0x0A: out += [0x5C, UInt8(ascii: "n")]
            default: out.append(b)
            }
        }
    }

    // MARK: decoding

    /// The cache in `bytes`, or nil when it is damaged.
    static func parse(_ bytes: [UInt8]) -> PageCache? {
        let magicBytes = Array(magic.utf8)
        guard bytes.count > magicBytes.count, Array(bytes[0..<magicBytes.count]) == magicBytes else { return nil }
        var lines = LineCursor(bytes: bytes, at: magicBytes.count)
        guard let s = lines.next(), bytes[s.lowerBound] == UInt8(ascii: "S") else { return nil }
        let hf = fields(bytes[s])
        guard hf.count == 5, let v = Int64(text(hf[1])), let n = Int(text(hf[3])) else { return nil }
        var cache = PageCache(header: Header(snapshotVersion: v, algorithms: text(hf[2]), binCount: n, linkFiles: text(hf[4]) == "1"),
                              bytes: bytes, pages: [:])
        var current: (path: String, page: Page)?
        func close(at end: Int) -> Bool {
            guard var c = current else { return true }
            c.page.block = c.page.block.lowerBound..<end
            c.page.entries = c.page.entries.lowerBound..<end
            current = nil
            return cache.pages.updateValue(c.page, forKey: c.path) == nil
        }
        while let line = lines.next() {
            switch bytes[line.lowerBound] {
            case UInt8(ascii: "E"):
                guard current != nil else { return nil }
            case UInt8(ascii: "P"):
                guard close(at: line.lowerBound) else { return nil }
                let f = fields(bytes[line])
                guard f.count == 4, let file = target(f), let sha = file.hashes["sha256"] else { return nil }
                current = (unescape(f[1]), Page(sha256: sha, block: line.lowerBound..<line.lowerBound,
                                                entries: line.upperBound + 1..<line.upperBound + 1))
            case UInt8(ascii: "Z"):
                let f = fields(bytes[line])
                guard close(at: line.lowerBound), line.upperBound + 1 == bytes.count, f.count == 3,
                      Int(text(f[1])) == cache.pages.count,
                      text(f[2]) == Hex.encode(Hash.digest(.sha256, bytes[..<line.lowerBound])) else { return nil }
                return cache
            default:
                return nil
            }
        }
        return nil
    }

    /// The targets of the entry lines in `range`, or nil when one is damaged.
    func entries(_ range: Range<Int>) -> [(path: String, file: TargetFile)]? {
        var out: [(path: String, file: TargetFile)] = []
        var lines = LineCursor(bytes: bytes, at: range.lowerBound, end: range.upperBound)
        while let line = lines.next() {
            guard let e = Self.entry(bytes[line]) else { return nil }
            out.append(e)
        }
        return out
    }

    /// Calls `body` with the path bytes of every page and entry line in `range` and the line.
    func forEachPath(in range: Range<Int>, _ body: (ArraySlice<UInt8>, ArraySlice<UInt8>) -> Void) {
        var lines = LineCursor(bytes: bytes, at: range.lowerBound, end: range.upperBound)
        while let line = lines.next() {
            let start = line.lowerBound + 2
            guard start <= line.upperBound, let tab = bytes[start..<line.upperBound].firstIndex(of: 0x09) else { continue }
            body(bytes[start..<tab], bytes[line])
        }
    }

    /// The target of a page (`P`) or entry (`E`) line.
    static func entry(_ line: ArraySlice<UInt8>) -> (path: String, file: TargetFile)? {
        let f = fields(line)
        guard var file = target(f) else { return nil }
        if f.first == [UInt8(ascii: "E")][...] {
            guard f.count == 5, let y = f[4].first else { return nil }
            switch y {
            case UInt8(ascii: "-"): break
            case UInt8(ascii: "+"): file.custom = ["yanked": true]
            case UInt8(ascii: "="): file.custom = ["yanked": .string(unescape(f[4].dropFirst()))]
            default: return nil
            }
        } else if f.count != 4 {
            return nil
        }
        return (unescape(f[1]), file)
    }

    private static func target(_ f: [ArraySlice<UInt8>]) -> TargetFile? {
        guard f.count >= 4, let length = Int64(text(f[2])) else { return nil }
        var hashes: [String: String] = [:]
        for h in f[3].split(separator: UInt8(ascii: ",")) {
            guard let eq = h.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            hashes[text(h[..<eq])] = text(h[(eq + 1)...])
        }
        guard hashes["sha256"] != nil else { return nil }
        return TargetFile(length: length, hashes: hashes)
    }

    private static func fields(_ line: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        line.split(separator: 0x09, omittingEmptySubsequences: false)
    }

    private static func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }

    static func unescape(_ s: ArraySlice<UInt8>) -> String {
        guard s.contains(0x5C) else { return text(s) }
        var out: [UInt8] = []
        var escaped = false
        for b in s {
            if escaped {
                out.append(b == UInt8(ascii: "t") ? 0x09 : b == UInt8(ascii: "n") ? 0x0A : b)
                escaped = false
            } else if b == 0x5C {
                escaped = true
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lines (without their newline) from `at` up to `end`.
    struct LineCursor {
        let bytes: [UInt8]
        var at: Int
        var end: Int
        init(bytes: [UInt8], at: Int, end: Int? = nil) { self.bytes = bytes; self.at = at; self.end = end ?? bytes.count }
        mutating func next() -> Range<Int>? {
            guard at < end else { return nil }
            // memchr: the cache has a line per target (hundreds of thousands).
            let found: Int? = bytes.withUnsafeBufferPointer { buffer in
                guard let p = memchr(buffer.baseAddress! + at, 0x0A, end - at) else { return nil }
                return buffer.baseAddress!.distance(to: p.assumingMemoryBound(to: UInt8.self))
            }
            guard let nl = found, nl > at else { at = end; return nil }
            defer { at = nl + 1 }
            return at..<nl
        }
    }
}
