/// The JSON that python-tuf writes to metadata files: Python's `json.dumps` with
/// `sort_keys=True` and the default `ensure_ascii=True`, either pretty (`indent=1`, the
/// default of python-tuf's `JSONSerializer`) or compact. Writing this form makes our files
/// byte-identical to python-tuf's for the same metadata.
public enum PythonJSONEncoder {
    /// Layout of the output.
    public enum Style: Sendable {
        /// `indent=1, separators=(",", ": ")`: python-tuf's default.
        case pretty
        /// `separators=(",", ":")`: python-tuf's `JSONSerializer(compact=True)`.
        case compact
    }

    /// The bytes of `value` in the given style.
    public static func encode(_ value: JSON, style: Style = .pretty) -> [UInt8] {
        var out = ByteWriter()
        write(value, style: style, level: 0, into: &out)
        return out.bytes()
    }

    private static func newline(_ style: Style, _ level: Int, _ out: inout ByteWriter) {
        guard style == .pretty else { return }
        out.append(0x0A)
        for _ in 0..<level { out.append(UInt8(ascii: " ")) }
    }

    private static func write(_ value: JSON, style: Style, level: Int, into out: inout ByteWriter) {
        switch value {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.appendInteger(i)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            guard !elements.isEmpty else { out.append("[]"); return }
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(style, level + 1, &out)
                write(e, style: style, level: level + 1, into: &out)
            }
            newline(style, level, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard object.count > 0 else { out.append("{}"); return }
            out.append(UInt8(ascii: "{"))
            for (i, m) in object.sortedMembers.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(style, level + 1, &out)
                writeString(m.key, into: &out)
                out.append(UInt8(ascii: ":"))
                if style == .pretty { out.append(UInt8(ascii: " ")) }
                write(m.value, style: style, level: level + 1, into: &out)
            }
            newline(style, level, &out)
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendUnicodeEscape(_ unit: UInt16, _ out: inout ByteWriter) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int(unit >> UInt16(shift) & 0xF)]) }
    }

    // ensure_ascii: printable ASCII as is, short escapes where Python has them, \uXXXX
    // (UTF-16 units, lowercase hex) for everything else.
    private static func writeString(_ s: String, into out: inout ByteWriter) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x20...0x7E: out.append(UInt8(scalar.value))
            default:
                for unit in String(scalar).utf16 { appendUnicodeEscape(unit, &out) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
