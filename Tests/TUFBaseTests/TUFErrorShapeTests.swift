import Testing
import TUFBase

/// The one error shape (`TUFError`) and the escaping every message goes through (`DisplayText`).
@Suite struct TUFErrorShapeTests {
    /// A stand-in error of the shape, escaping at init as every module's error does.
    struct SampleError: TUFError {
        enum Code: String, CaseIterable, Sendable { case first, second }
        let code: Code
        let message: String
        init(_ code: Code, _ message: String) { self.code = code; self.message = DisplayText.escaped(message) }
    }

    /// A reason that is its own code, as `TargetPath.Problem` is: equality must not recurse.
    enum Reason: String, TUFError, CaseIterable {
        case empty, absolute
        var code: Reason { self }
        var message: String { "is \(rawValue)" }
    }

    @Test func errorsAreEqualByCodeNotByWording() {
        #expect(SampleError(.first, "a") == SampleError(.first, "b"))
        #expect(SampleError(.first, "a") != SampleError(.second, "a"))
        #expect(Reason.empty == Reason.empty && Reason.empty != Reason.absolute)
    }

    @Test func theDescriptionIsTheMessageAndTheSubjectIsNoneUnlessGiven() {
        let e = SampleError(.second, "metadata/root.json: bad")
        #expect(e.description == "metadata/root.json: bad" && "\(e)" == e.message)
        #expect(e.subject == nil)
        #expect(Reason.absolute.description == "is absolute")
    }

    @Test(arguments: [
        ("\u{1B}[31mred", "\\u{1B}[31mred"), ("bell\u{7}", "bell\\u{7}"), ("nl\nx", "nl\\u{A}x"), ("del\u{7F}", "del\\u{7F}"),
        ("csi\u{9B}2J", "csi\\u{9B}2J"), ("\u{202E}gpj.exe", "\\u{202E}gpj.exe"), ("\u{2066}a\u{2069}", "\\u{2066}a\\u{2069}"),
        ("\u{2028}", "\\u{2028}"), ("caf\u{E9} \\ ok", "caf\u{E9} \\ ok"),
    ])
    func terminalControlsInAMessageAreEscapedOnce(text: String, shown: String) {
        let e = SampleError(.first, text)
        #expect(e.message == shown)
        #expect(DisplayText.escaped(e.message) == e.message)
        #expect(!e.message.unicodeScalars.contains(where: DisplayText.needsEscape))
    }

    @Test func everyCodeHasAStableDistinctName() {
        let names = SampleError.Code.allCases.map(\.rawValue)
        #expect(Set(names).count == names.count && names == ["first", "second"])
    }
}
