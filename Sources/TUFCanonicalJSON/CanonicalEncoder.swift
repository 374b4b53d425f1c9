/// The OLPC canonical JSON that securesystemslib's `encode_canonical` writes and TUF signs:
/// object keys sorted by UTF-8 bytes, no whitespace, and only `\` and `"` escaped.
public enum CanonicalJSON {
    /// The canonical bytes of `value`.
    public static func encode(_ value: JSON) -> [UInt8] {
        var out = ByteWriter()
        write(value, into: &out)
        return out.bytes()
    }

    static func write(_ value: JSON, into out: inout ByteWriter) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.appendInteger(i)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for i in elements.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(elements[i], into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            let members = object.sortedMembers
            for i in members.indices {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(members[i].key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[i].value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ s: String, into out: inout ByteWriter) {
        out.append(UInt8(ascii: "\""))
        UTF8Order.withBytes(s) { bytes in
            // Copy runs without quote or backslash in one go; escape the rest.
            var runStart = 0
            var i = 0
            while i < bytes.count {
                i = SWAR.skipPlain(bytes, from: i, SWAR.hasQuoteOrBackslash)
                guard i < bytes.count else { break }
                if bytes[i] == UInt8(ascii: "\\") || bytes[i] == UInt8(ascii: "\"") {
                    out.append(UnsafeBufferPointer(rebasing: bytes[runStart..<i]))
                    out.append(UInt8(ascii: "\\"))
                    runStart = i
                }
                i += 1
            }
            out.append(UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
