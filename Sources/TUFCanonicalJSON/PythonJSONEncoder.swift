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
        var out: [UInt8] = []
        out.reserveCapacity(1024)
        write(value, style: style, level: 0, into: &out)
        return out
    }

    private static func newline(_ style: Style, _ level: Int, _ out: inout [UInt8]) {
        guard style == .pretty else { return }
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level))
    }

    private static func write(_ value: JSON, style: Style, level: Int, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): JSONWriting.appendInteger(i, to: &out)
        case .string(let s): writeString(s, into: &out)
        case .array(let elements):
            guard !elements.isEmpty else { out.append(contentsOf: "[]".utf8); return }
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(style, level + 1, &out)
                write(e, style: style, level: level + 1, into: &out)
            }
            newline(style, level, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            guard object.count > 0 else { out.append(contentsOf: "{}".utf8); return }
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

    private static func appendUnicodeEscape(_ unit: UInt16, _ out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"),
                                hexDigits[Int(unit >> 12 & 0xF)], hexDigits[Int(unit >> 8 & 0xF)],
                                hexDigits[Int(unit >> 4 & 0xF)], hexDigits[Int(unit & 0xF)]])
    }

    // ensure_ascii: printable ASCII as is, short escapes where Python has them, \uXXXX
    // (UTF-16 units, lowercase hex) for everything else.
    private static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x20...0x7E: out.append(UInt8(scalar.value))
            default:
                for unit in String(scalar).utf16 { appendUnicodeEscape(unit, &out) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
