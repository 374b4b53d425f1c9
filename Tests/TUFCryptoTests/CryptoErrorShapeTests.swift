import Testing
import TUFCrypto
import TUFTestSupport

/// `CryptoError` has the one error shape: token labels and module paths it quotes print escaped.
@Suite struct CryptoErrorShapeTests {
    @Test(arguments: CryptoError.Code.allCases.map { code in ErrorShapeCase("CryptoError.\(code)") { CryptoError(code, "token \($0)") } })
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }
}
