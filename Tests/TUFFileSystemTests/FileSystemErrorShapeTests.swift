import Testing
import TUFBase
import TUFFileSystem
import TUFTestSupport

/// `FileSystemError` has the one error shape: the path it names is escaped in the message and
/// kept as it is in `subject`/`path` (it is also what was opened).
@Suite struct FileSystemErrorShapeTests {
    @Test(arguments: FileSystemError.Code.allCases.map { code in
        ErrorShapeCase("FileSystemError.\(code)") { FileSystemError(code, "/repo/targets/\($0)", "cannot open") }
    })
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }

    @Test func theSubjectIsThePathAsGiven() {
        let path = "/tmp/\(ErrorShapeCase.hostile)"
        let e = FileSystemError(.notFound, path, "no such file")
        #expect(e.subject == path && e.path == path)
        #expect(e.message.hasSuffix(": no such file") && !e.message.utf8.contains(0x1B))
    }

    @Test func aFailedCallOnAHostileNameReportsItEscaped() {
        #expect {
            _ = try FileSystem.read("/nonexistent-\(ErrorShapeCase.hostile)", limit: 10)
        } throws: { error in
            guard let e = error as? FileSystemError else { return false }
            return e.code == .notFound && !e.message.unicodeScalars.contains(where: DisplayText.needsEscape)
        }
    }
}
