import Testing
import TUFCanonicalJSON
import TUFTestSupport

/// `JSONError` has the one error shape: its message (and the description that adds the
/// offset) never prints terminal controls.
@Suite struct JSONErrorShapeTests {
    @Test(arguments: [
        ErrorShapeCase("JSONError") { JSONError(.invalidString, at: 7, $0) },
        ErrorShapeCase("JSONError, duplicate key") { JSONError(.duplicateKey, at: 0, "duplicate key \"\($0)\"") },
    ])
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }

    @Test func aParseErrorQuotingTheInputPrintsItEscaped() throws {
        let e = #expect(throws: JSONError.self) { try JSONParser().parse(Array(#"{"a\u001b[2J":1,"a\u001b[2J":2}"#.utf8)) }
        #expect(e?.code == .duplicateKey)
        #expect(e.map { !$0.description.utf8.contains(0x1B) } == true, "\(String(describing: e))")
    }
}
