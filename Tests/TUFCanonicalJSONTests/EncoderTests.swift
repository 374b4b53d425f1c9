import Testing
import TUFCanonicalJSON

@Suite struct EncoderTests {
    func canonical(_ value: JSON) -> String { String(decoding: CanonicalJSON.encode(value), as: UTF8.self) }

    @Test func canonicalSortsKeysAndDropsWhitespace() {
        #expect(canonical(["b": 1, "a": [true, nil, "x"], "c": .object(JSONObject())]) == #"{"a":[true,null,"x"],"b":1,"c":{}}"#)
    }

    @Test func canonicalEscapesOnlyQuoteAndBackslash() {
        #expect(canonical("a\"b\\c\nd\u{1}\u{E9}") == "\"a\\\"b\\\\c\nd\u{1}\u{E9}\"")
    }

    @Test func canonicalSortsByUTF8BytesNotByUnicodeEquivalence() {
        // NFD "e\u{301}" (0x65 ...) sorts before NFC "\u{E9}" (0xC3 ...), and "B" before "a".
        let value: JSON = ["\u{E9}": 1, "e\u{301}": 2, "a": 3, "B": 4]
        #expect(canonical(value) == "{\"B\":4,\"a\":3,\"e\u{301}\":2,\"\u{E9}\":1}")
    }

    @Test func integersIncludingExtremes() {
        #expect(canonical([0, -1, .int(Int64.max), .int(Int64.min)]) == "[0,-1,9223372036854775807,-9223372036854775808]")
    }

    @Test func canonicalInputRoundTripsByteForByte() throws {
        let text = #"{"a":[1,{"b":"\\\""}],"signed":{"_type":"root","x":null}}"#
        let parsed = try JSONParser().parse(Array(text.utf8))
        #expect(CanonicalJSON.encode(parsed) == Array(text.utf8))
    }

    @Test func pythonPrettyMatchesJsonDumpsIndentOne() {
        let value: JSON = ["signed": ["b": [], "a": [1, "\u{E9}\u{1F600}\u{7F}\n"]], "e": .object(JSONObject())]
        let expected = "{\n \"e\": {},\n \"signed\": {\n  \"a\": [\n   1,\n   \"\\u00e9\\ud83d\\ude00\\u007f\\n\"\n  ],\n  \"b\": []\n }\n}"
        #expect(String(decoding: PythonJSONEncoder.encode(value), as: UTF8.self) == expected)
    }

    @Test func pythonCompact() {
        let value: JSON = ["b": ["x": 1], "a": [1, 2]]
        #expect(String(decoding: PythonJSONEncoder.encode(value, style: .compact), as: UTF8.self) == #"{"a":[1,2],"b":{"x":1}}"#)
    }
}
