/// The OLPC canonical JSON that securesystemslib's `encode_canonical` writes and TUF signs:
/// object keys sorted by UTF-8 bytes, no whitespace, and only `\` and `"` escaped.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSON) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// Appends the canonical bytes of `value` to `out`.
    public static func write(_ value: JSON, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): JSONWriting.appendInteger(i, to: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(e, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, m) in object.sortedMembers.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(m.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(m.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        UTF8Order.withBytes(s) { bytes in
            // Copy runs without quote or backslash in one go; escape the rest.
            var runStart = 0
            var i = 0
            while i < bytes.count {
                i = SWAR.skipPlain(bytes, from: i, SWAR.hasQuoteOrBackslash)
                guard i < bytes.count else { break }
                if bytes[i] == UInt8(ascii: "\\") || bytes[i] == UInt8(ascii: "\"") {
                    out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                    out.append(UInt8(ascii: "\\"))
                    runStart = i
                }
                i += 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}

enum JSONWriting {
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // Digits go out least significant first, then that run is reversed in place (no
        // temporary array); the magnitude as UInt64 keeps Int64.min from overflowing.
        let start = out.count
        var m = value.magnitude
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(m % 10))
            m /= 10
        } while m > 0
        out[start...].reverse()
    }
}
