import Testing
import TUFCanonicalJSON
import TUFMetadata
import TUFTestSupport

/// The model's errors have the one error shape: a message quoting a role, file or key name
/// prints escaped, and the path reasons are fixed phrases with stable codes.
@Suite struct MetadataErrorShapeTests {
    @Test(arguments: MetadataError.Code.allCases.map { code in
        ErrorShapeCase("MetadataError.\(code)") { MetadataError(code, "role \"\($0)\"") }
    } + [
        ErrorShapeCase("MetadataError from JSONError") { MetadataError(JSONError(.trailingData, at: 3, "after \($0)"), file: $0) },
    ])
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }

    @Test func aRoleNameFromAFilePrintsEscaped() throws {
        let bytes = Array(#"{"signed":{"_type":"ro\u001b[31mot"},"signatures":[]}"#.utf8)
        #expect {
            _ = try Metadata<Root>(bytes: bytes, name: "root.json")
        } throws: { error in
            guard let e = error as? MetadataError else { return false }
            return !e.message.unicodeScalars.contains(where: DisplayText.needsEscape) && e.message.contains("\\u{1B}[31m")
        }
    }

    @Test func pathReasonsAreFixedPhrasesThatAreTheirOwnCodes() {
        for p in TargetPath.Problem.allCases {
            #expect(p.code == p && p.message == p.description && !p.message.isEmpty)
            #expect(DisplayText.escaped(p.message) == p.message)
        }
        for p in PackageIndex.PathError.allCases {
            #expect(p.code == p && p.message == p.description && !p.message.isEmpty)
            #expect(DisplayText.escaped(p.message) == p.message)
        }
        #expect(TargetPath.Problem.absolute != .empty && PackageIndex.PathError.noFile == .noFile)
    }
}
