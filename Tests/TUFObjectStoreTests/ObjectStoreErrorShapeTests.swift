import Testing
import TUFObjectStore
import TUFTestSupport

/// `ObjectStoreError` has the one error shape: a bucket or object name it quotes prints escaped.
@Suite struct ObjectStoreErrorShapeTests {
    @Test(arguments: ObjectStoreError.Code.allCases.map { code in
        ErrorShapeCase("ObjectStoreError.\(code)") { ObjectStoreError(code, "bucket \($0)") }
    })
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }
}
