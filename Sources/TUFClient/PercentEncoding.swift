/// Percent-encoding of role names (for file names and URLs) and target paths (for URLs).
public enum PercentEncoding {
    /// Encodes every byte except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`), so
    /// the result never contains `/`, `\`, `?`, `#` or `%`-free escapes: a role name such as
    /// `../x` or `a/b` becomes one harmless file name component. python-tuf's
    /// `quote(name, safe="")` gives the same string.
    public static func encodeComponent(_ text: String) -> String { encode(text, keepSlash: false) }

    /// Encodes a target path for a URL the way python-tuf does (`quote(path)`): like
    /// `encodeComponent` but `/` is kept, so the path's folders stay folders on the server.
    public static func encodePath(_ text: String) -> String { encode(text, keepSlash: true) }

    /// Encodes a role name for a local file name: like `encodeComponent`, and upper-case
    /// letters are escaped too, so two names that differ only in case (or in Unicode form:
    /// every non-ASCII byte is escaped) get distinct files on case-insensitive, normalizing
    /// file systems.
    public static func encodeFileName(_ text: String) -> String { encode(text, keepSlash: false, keepUpper: false) }

    private static func encode(_ text: String, keepSlash: Bool, keepUpper: Bool = true) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z") where keepUpper:
                out.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%")); out.append(hex[Int(byte >> 4)]); out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes; nil when an escape is malformed or the result is not UTF-8.
    public static func decode(_ text: String) -> String? {
        var out: [UInt8] = []
        var bytes = text.utf8.makeIterator()
        func hexValue(_ b: UInt8?) -> UInt8? {
            guard let b else { return nil }
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        while let b = bytes.next() {
            if b == UInt8(ascii: "%") {
                guard let hi = hexValue(bytes.next()), let lo = hexValue(bytes.next()) else { return nil }
                out.append(hi << 4 | lo)
            } else {
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}
