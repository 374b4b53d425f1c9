import Testing
import TUFMetadata

/// The one path rule, role-name rule and display escaping of TUFMetadata, as tables.
@Suite struct PathRuleTests {
    @Test(arguments: [
        // `..`, `.` and empty segments, also with a combining mark or U+0600 hiding a `/`.
        "../\u{301}\u{600}/../NAME", "..", "../x", "a/../b", "a/..", ".", "./a", "a/./b", "a//b", "a/", "/\u{301}..",
        "..\u{301}/../x", "a/\u{600}/../../x", "\u{600}/../x", "x\u{600}/..",
        // Absolute, empty, NUL, backslash.
        "/etc/passwd", "/\u{301}etc", "", "a\u{0}b", "a\\b", "..\\x", "\\\\server\\share",
    ])
    func testUnsafeTargetPathsAreRefused(path: String) {
        #expect(throws: TargetPath.Problem.self) { try TargetPath.validate(path) }
    }

    @Test(arguments: [
        "packages/ab/demo-1.0.whl", "simple/demo/index.json", "a b/c?.txt", "...", "..a", "a..", ".hidden",
        // Non-NFC and combining marks are kept as they are: no segment is `..` as bytes.
        "cafe\u{301}/x", "caf\u{E9}/x", "..\u{301}", "\u{301}..", "\u{600}a/b", "a/\u{301}b",
    ])
    func testSafeTargetPathsAreKeptByteForByte(path: String) throws {
        try TargetPath.validate(path)
        #expect(TargetPath.segments(path).map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/").utf8.elementsEqual(path.utf8))
    }

    @Test(arguments: [
        ("dir/file.txt", "dir/H.file.txt"), ("file.txt", "H.file.txt"), ("a/b/c", "a/b/H.c"),
        // The prefix goes after the last `/` byte, even one inside a grapheme.
        ("a/\u{301}b", "a/H.\u{301}b"), ("a\u{600}/b", "a\u{600}/H.b"),
    ])
    func testHashPrefixedNamesSplitOnTheLastSlashByte(path: String, prefixed: String) {
        #expect(TargetPath.hashPrefixed(path, digest: "H").utf8.elementsEqual(prefixed.utf8))
    }

    @Test(arguments: [
        ("*.txt", "a.txt", true), ("*.txt", "other/\u{301}x.txt", false), ("*/*.txt", "other/\u{301}x.txt", true),
        ("?", "\u{301}", true), ("a?b", "a/b", false), ("a*", "a/\u{301}", false), ("*", "\u{600}/", false),
        // `?` is one code point within a part, as fnmatch has it.
        ("[!x]", "/", false), ("caf\u{E9}", "cafe\u{301}", false), ("cafe?", "cafe\u{301}", true), ("cafe??", "cafe\u{301}", false),
    ])
    func testWildcardsNeverCrossASlashByte(pattern: String, path: String, matches: Bool) {
        #expect(PathPattern.matches(pattern: pattern, path: path) == matches)
    }

    @Test(arguments: [("Root", true), ("TIMESTAMP", true), ("sNaPsHoT", true), ("targets", true), ("roots", false),
                      ("r\u{D3}ot", false), ("bin-0000", false), ("", false)])
    func testTopLevelNamesIgnoringASCIICase(name: String, topLevel: Bool) {
        #expect(RoleName.isTopLevelIgnoringCase(name) == topLevel)
    }

    @Test(arguments: [("bin-0a", 10), ("bin-ff", 255)] as [(String, Int?)] + [("bin-0A", nil), ("bin-0", nil), ("bin-\u{301}0a", nil),
                      ("bin\u{301}-0a", nil), ("bi-0a0", nil), ("bin-0a\u{301}", nil)])
    func testBinNumbersAreReadFromBytes(name: String, number: Int?) {
        #expect(RoleName.binNumber(name, prefix: "bin", digits: 2, count: 256) == number)
    }

    @Test(arguments: [
        ("\u{1B}[2K\u{1B}[1Averified", "\\u{1B}[2K\\u{1B}[1Averified"), ("a\nb\tc\r", "a\\u{A}b\\u{9}c\\u{D}"),
        ("\u{7F}\u{9B}\u{85}", "\\u{7F}\\u{9B}\\u{85}"), ("x\u{202E}gpj.exe", "x\\u{202E}gpj.exe"),
        ("\u{2066}\u{2069}\u{200F}\u{61C}", "\\u{2066}\\u{2069}\\u{200F}\\u{61C}"), ("caf\u{E9} \\ ok", "caf\u{E9} \\ ok"),
    ])
    func testTerminalControlsAreEscaped(text: String, shown: String) {
        #expect(DisplayText.escaped(text) == shown)
        #expect(DisplayText.escaped(shown) == shown)
        #expect(!DisplayText.escaped(text).unicodeScalars.contains(where: DisplayText.needsEscape))
    }

    @Test func testErrorMessagesEscapeWhatTheyQuote() {
        let e = MetadataError(.invalidValue, "role \"\u{1B}]0;pwned\u{7}\"")
        #expect(!e.message.utf8.contains(0x1B))
        #expect(e.description == "role \"\\u{1B}]0;pwned\\u{7}\"")
    }
}
