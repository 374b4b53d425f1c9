import Testing
@testable import TUFClient
import TUFCanonicalJSON
import TUFMetadata
import TUFTestSupport

/// `ClientError` has the one error shape: every code, and every conversion from the errors it
/// wraps, prints what it quotes escaped and names it as `subject`.
@Suite struct ClientErrorShapeTests {
    @Test(arguments: ClientError.Code.allCases.map { code in
        ErrorShapeCase("ClientError.\(code)") { ClientError(code, "\($0).json") }
    } + [
        ErrorShapeCase("from MetadataError") { ClientError(MetadataError(.hashMismatch, "\($0).json")) },
        ErrorShapeCase("from JSONError") { ClientError(JSONError(.unexpectedEnd, at: 1, "end"), file: $0) },
        ErrorShapeCase("from PathError") { ClientError(PackageIndex.PathError.outsideIndex, url: "https://\($0)/x") },
        ErrorShapeCase("from TargetPath.Problem") { ClientError(TargetPath.Problem.badSegment, path: "a/../\($0)") },
    ])
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }

    @Test func conversionsKeepTheCheckAndNameTheSubject() {
        #expect(ClientError(MetadataError(.thresholdNotMet, "root")).code == .thresholdNotMet)
        #expect(ClientError(MetadataError(.wrongType, "root")).code == .malformed)
        let json = ClientError(JSONError(.unexpectedEnd, at: 1, "end"), file: "simple/a/index.json")
        #expect(json.code == .malformed && json.subject == "simple/a/index.json")
        #expect(json.message == "simple/a/index.json: not JSON: JSON error at byte 1: end")
        let path = ClientError(TargetPath.Problem.absolute, path: "/etc/passwd")
        #expect(path.code == .unsafePath && path.subject == "/etc/passwd" && path.message == "\"/etc/passwd\": a target path that is absolute")
    }
}
