/// Text from outside (target and role names, file names, URLs, yank reasons) made safe to
/// print on a terminal: control characters that a terminal acts on, and the invisible
/// bidirectional controls that reorder what is shown, become `\u{XX}`. Everything else,
/// backslash included, is kept, so escaping twice changes nothing.
public enum DisplayText {
    /// True for C0 controls, DEL, C1 controls (U+0080–U+009F, which 8-bit terminals read as
    /// ESC sequences), line and paragraph separators, and the bidi marks, embeddings,
    /// overrides and isolates (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x061C, 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    /// `text` with every character that `needsEscape` as `\u{XX}` (hex, upper case).
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if needsEscape(scalar) {
                out.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }
}
