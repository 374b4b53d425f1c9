import Glibc
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// What the state store keeps of one page of the index: its file status when it was read
/// (so a rescan skips it while size, mtime, ctime and inode are unchanged), its own target,
/// and the targets its files produced, encoded as `entries`: one line per target,
/// `E <path> <length> <hashes> <yank>`, tab-separated; hashes read `alg=hex,alg=hex`; yank is
/// `-`, `+` (true) or `=reason`; `\`, tab and newline in text are escaped.
struct PageRecord: Equatable, Sendable {
    /// The page's status when read; a page is re-read when any of these differ.
    struct Status: Equatable, Sendable {
        var size: Int64
        var mtimeNanoseconds: Int64
        var ctimeNanoseconds: Int64
        var inode: Int64
    }


    var path: String
    var status: Status
    /// The page's own target (hashed from its bytes).
    var file: TargetFile
    var entries: [UInt8]

    var sha256: String { file.hashes["sha256"]! }

    init(path: String, status: Status, file: TargetFile, entries: [(path: String, file: TargetFile)]) {
        self.path = path; self.status = status; self.file = file
        var out: [UInt8] = []
        for e in entries { Self.appendEntry(&out, e.path, e.file) }
        self.entries = out
    }

    init(path: String, status: Status, file: TargetFile, encodedEntries: [UInt8]) {
        self.path = path; self.status = status; self.file = file; self.entries = encodedEntries
    }

    /// The targets of the entry lines, or nil when one is damaged.
    func decodedEntries() -> [(path: String, file: TargetFile)]? {
        var out: [(path: String, file: TargetFile)] = []
        for line in entries.split(separator: 0x0A) {
            guard let e = Self.entry(line) else { return nil }
            out.append(e)
        }
        return out
    }

    // MARK: encoding

    static func appendEntry(_ out: inout [UInt8], _ path: String, _ file: TargetFile) {
        out.append(UInt8(ascii: "E"))
        out.append(0x09)
        appendEscaped(&out, path)
        out.append(0x09)
        out += Array(String(file.length).utf8)
        out.append(0x09)
        out += Array(hashesText(file.hashes).utf8)
        out.append(0x09)
        switch file.custom?.objectValue?["yanked"] {
        case .bool(true)?: out.append(UInt8(ascii: "+"))
        case .string(let reason)?: out.append(UInt8(ascii: "=")); appendEscaped(&out, reason)
        default: out.append(UInt8(ascii: "-"))
        }
        out.append(0x0A)
    }

    /// `alg=hex,alg=hex`, sorted by algorithm.
    static func hashesText(_ hashes: [String: String]) -> String {
        hashes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The hashes of `hashesText`, nil when malformed or without sha256.
    static func hashes(_ text: some Collection<UInt8>) -> [String: String]? {
        var hashes: [String: String] = [:]
        for h in text.split(separator: UInt8(ascii: ",")) {
            guard let eq = h.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            hashes[String(decoding: h[..<eq], as: UTF8.self)] = String(decoding: h[h.index(after: eq)...], as: UTF8.self)
        }
        guard let sha = hashes["sha256"], sha.utf8.count == 64 else { return nil }
        return hashes
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

    /// The target of an entry line.
    static func entry(_ line: ArraySlice<UInt8>) -> (path: String, file: TargetFile)? {
        let f = line.split(separator: 0x09, omittingEmptySubsequences: false)
        guard f.count == 5, f[0].elementsEqual([UInt8(ascii: "E")]), let length = Int64(String(decoding: f[2], as: UTF8.self)),
              length >= 0, let hashes = hashes(f[3]), let y = f[4].first else { return nil }
        var file = TargetFile(length: length, hashes: hashes)
        switch y {
        case UInt8(ascii: "-"): guard f[4].count == 1 else { return nil }
        case UInt8(ascii: "+"): guard f[4].count == 1 else { return nil }; file.custom = ["yanked": true]
        case UInt8(ascii: "="): file.custom = ["yanked": .string(unescape(f[4].dropFirst()))]
        default: return nil
        }
        return (unescape(f[1]), file)
    }

    static func unescape(_ s: ArraySlice<UInt8>) -> String {
        guard s.contains(0x5C) else { return String(decoding: s, as: UTF8.self) }
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

    /// A 63-bit key of a target path for the store's listing index (the first bytes of its
    /// SHA-256): a collision only makes a lookup decode one more page.
    static func pathKey(_ path: String) -> Int64 {
        let d = Hash.digest(.sha256, Array(path.utf8))
        var v: UInt64 = 0
        for i in 0..<8 { v = v << 8 | UInt64(d[i]) }
        return Int64(bitPattern: v >> 1)
    }
}

extension PageRecord.Status {
    /// The status fields of `st`.
    init(_ st: stat) {
        self.init(size: Int64(st.st_size), mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                  ctimeNanoseconds: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec), inode: Int64(bitPattern: UInt64(st.st_ino)))
    }
}
