import Testing
import TUFCanonicalJSON

@Suite struct ParserTests {
    let parser = JSONParser()

    func parse(_ text: String) throws(JSONError) -> JSON { try parser.parse(Array(text.utf8)) }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2, true, false, null, "x"], "b": {}} "#)
        #expect(value == ["a": [1, -2, true, false, nil, "x"], "b": .object(JSONObject())])
    }

    @Test func keepsMemberOrder() throws {
        let value = try parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
    }

    @Test func integersAreExactAtTheEdgesOfInt64() throws {
        #expect(try parse("9223372036854775807") == .int(Int64.max))
        #expect(try parse("-9223372036854775808") == .int(Int64.min))
        #expect(throws: JSONError(.integerOutOfRange, at: 0, "")) { try parse("9223372036854775808") }
        #expect(throws: JSONError(.integerOutOfRange, at: 0, "")) { try parse("-9223372036854775809") }
    }

    @Test(arguments: ["1.5", "1e3", "1E3", "-0.0", "2.0"])
    func rejectsNonIntegers(text: String) {
        #expect(throws: JSONError(.numberNotInteger, at: 0, "")) { try parse(text) }
    }

    @Test(arguments: ["01", "-", "-01", "+1"])
    func rejectsMalformedNumbers(text: String) {
        #expect(throws: JSONError.self) { try parse(text) }
    }

    @Test func rejectsDuplicateKeysInSmallAndLargeObjects() {
        #expect(throws: JSONError(.duplicateKey, at: 0, "")) { try parse(#"{"a":1,"a":2}"#) }
        let many = (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(throws: JSONError(.duplicateKey, at: 0, "")) { try parse("{\(many),\"k7\":0}") }
    }

    @Test func keysDifferingOnlyInNormalisationAreDistinct() throws {
        // "é" as one scalar (NFC) and as e + combining acute (NFD): distinct keys in Python.
        let value = try parse("{\"\u{E9}\":1,\"e\u{301}\":2}")
        #expect(value.objectValue?.count == 2)
        #expect(value.objectValue?["e\u{301}"] == .int(2))
        #expect(value.objectValue?["\u{E9}"] == .int(1))
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#) == .string("a\"b\\c/d\n\t\u{E9}\u{1F600}"))
    }

    @Test func rejectsLoneSurrogates() {
        #expect(throws: JSONError(.loneSurrogate, at: 0, "")) { try parse(#""\ud800""#) }
        #expect(throws: JSONError(.loneSurrogate, at: 0, "")) { try parse(#""\udc00x""#) }
        #expect(throws: JSONError(.loneSurrogate, at: 0, "")) { try parse(#""\ud800\u0041""#) }
    }

    @Test func rejectsInvalidUTF8AndRawControlCharacters() {
        #expect(throws: JSONError(.invalidUTF8, at: 0, "")) { try parser.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONError(.invalidUTF8, at: 0, "")) { try parser.parse([0x22, 0x5C, 0x6E, 0xFF, 0x22]) }
        #expect(throws: JSONError(.controlCharacterInString, at: 0, "")) { try parse("\"a\nb\"") }
    }

    @Test func boundsDepthAndSize() {
        let deep = String(repeating: "[", count: 10_000)
        #expect(throws: JSONError(.tooDeep, at: 0, "")) { try parse(deep) }
        let small = JSONParser(maxDepth: 64, maxBytes: 8)
        #expect(throws: JSONError(.tooLarge, at: 0, "")) { try small.parse(Array("[1,2,3,4,5]".utf8)) }
    }

    @Test(arguments: ["", "{", "[1,", "[1,]", "{\"a\":1,}", "{\"a\"}", "tru", "nul", "\"abc", "[1] x", "\u{FEFF}{}", "NaN", "{1:2}"])
    func malformedInputIsAnErrorNotACrash(text: String) {
        #expect(throws: JSONError.self) { try parse(text) }
    }

    @Test func errorsCarryTheByteOffset() {
        do {
            _ = try parse(#"{"a": [1, 2, x]}"#)
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 13)
            #expect(error.description.contains("byte 13"))
        }
    }
}
