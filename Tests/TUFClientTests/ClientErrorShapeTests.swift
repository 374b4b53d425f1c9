import Testing
@testable import TUFClient
import TUFMetadata
import TUFTestSupport

/// `ClientError` has the one error shape: every code prints what it quotes escaped.
@Suite struct ClientErrorShapeTests {
    @Test(arguments: ClientError.Code.allCases.map { code in
        ErrorShapeCase("ClientError.\(code)") { ClientError(code, "\($0).json") }
    })
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }
}
