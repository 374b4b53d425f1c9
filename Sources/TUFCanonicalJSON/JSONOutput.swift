/// How the command-line tools print a `--json` result: one document, in the layout of
/// python-tuf's files, then a newline. The encoder writes Python's `ensure_ascii` form, in
/// which every control (C0, DEL, C1) and every non-ASCII scalar (the bidi controls too) is a
/// `\uXXXX` escape, so a name or reason that came from the network cannot act on a terminal.
public enum JSONOutput {
    /// The document for `value` with its trailing newline: printable ASCII only.
    public static func text(_ value: JSON, style: PythonJSONEncoder.Style) -> String {
        String(decoding: PythonJSONEncoder.encode(value, style: style), as: UTF8.self) + "\n"
    }

    /// Writes the document for `value` to standard output.
    public static func print(_ value: JSON, style: PythonJSONEncoder.Style) {
        Swift.print(text(value, style: style), terminator: "")
    }
}
