import Testing
import TUFCanonicalJSON

/// The `--json` output of both command-line tools.
@Suite struct JSONOutputTests {
    @Test func compactAndPrettyEndWithOneNewline() {
        let value: JSON = ["ok": true, "a": [1, nil, "x/y"], "e": .object(JSONObject())]
        #expect(JSONOutput.text(value, style: .compact) == #"{"a":[1,null,"x/y"],"e":{},"ok":true}"# + "\n")
        #expect(JSONOutput.text(value, style: .pretty) == "{\n \"a\": [\n  1,\n  null,\n  \"x/y\"\n ],\n \"e\": {},\n \"ok\": true\n}\n")
    }

    /// Terminal controls (ESC, DEL, C1 such as CSI U+009B, line separators, bidi overrides
    /// and isolates) and all other non-ASCII text are escaped: a forged name cannot repaint
    /// the terminal, and the value read back is the same.
    @Test(arguments: ["\u{1B}[2K", "\u{7F}", "\u{9B}2J", "\u{85}", "\u{2028}", "\u{202E}", "\u{2067}", "\u{61C}", "\u{200F}", "é😀"])
    func controlsAndNonASCIIAreEscaped(text: String) throws {
        let out = JSONOutput.text(["name": .string(text)], style: .compact)
        #expect(out.utf8.dropLast().allSatisfy { (0x20...0x7E).contains($0) }, "\(out)")
        #expect(out.hasSuffix("}\n"))
        let back = try JSONParser().parse(Array(out.utf8.dropLast()))
        #expect(back.objectValue?["name"] == .string(text))
    }

    @Test func everyScalarComesOutAsPrintableASCII() {
        // Every Unicode scalar, in strings of 4096: nothing printed but printable ASCII.
        var chunk = String.UnicodeScalarView(), inChunk = 0, bad = 0
        func check() {
            let out = JSONOutput.text(.string(String(chunk)), style: .compact)
            bad += out.utf8.dropLast().filter { !(0x20...0x7E).contains($0) }.count
            chunk = String.UnicodeScalarView(); inChunk = 0
        }
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }  // surrogates
            chunk.append(scalar); inChunk += 1
            if inChunk == 4096 { check() }
        }
        check()
        #expect(bad == 0)
    }
}
