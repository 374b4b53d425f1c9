import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// `RepositoryError` (and the state store's `SQLiteError`) have the one error shape: every
/// code and every conversion prints what it quotes escaped; the codes are an enum whose kinds
/// are exactly the words the CLI prints in `tuf-repo: error: KIND: MESSAGE`.
@Suite struct RepositoryErrorShapeTests {
    @Test(arguments: RepositoryError.Code.allCases.map { code in
        ErrorShapeCase("RepositoryError.\(code)") { RepositoryError(code, "index/simple/\($0)/index.json") }
    } + [
        ErrorShapeCase("from MetadataError") { RepositoryError(MetadataError(.invalidValue, "role \($0)")) },
        ErrorShapeCase("from CryptoError") { RepositoryError(CryptoError(.wrongPIN, "token \($0)")) },
        ErrorShapeCase("from JSONError") { RepositoryError(JSONError(.tooDeep, at: 9, "deep"), file: $0) },
        ErrorShapeCase("from SQLiteError") { RepositoryError(SQLiteError(code: 11, message: "page \($0): damaged hashes")) },
        ErrorShapeCase("SQLiteError") { SQLiteError(code: 1, message: "page \($0)") },
    ])
    func theMessageEscapesTerminalControls(_ c: ErrorShapeCase) { c.expectEscaped() }

    /// The kinds the CLI has always printed (tests and scripts match on them), one per code.
    @Test func theCodesAreTheKindsTheCLIPrints() {
        let kinds: [RepositoryError.Code: String] = [
            .invalidArgument: "invalid argument", .io: "file error", .badIndex: "bad index snapshot", .locked: "locked",
            .missingKey: "missing key", .badKey: "bad key", .notAuthorized: "key not authorized", .notInitialized: "not initialized",
            .awaitingSignatures: "awaiting signatures", .invalidMetadata: "invalid metadata", .nothingStaged: "nothing staged",
            .verificationFailed: "verification failed", .interruptedPublication: "interrupted publication",
            .unverifiedPublished: "unverified published metadata", .damagedState: "damaged state store",
            .injectedFailure: "injected failure", .bucket: "bucket error", .bucketConflict: "bucket conflict",
            .publisherBusy: "publisher busy",
        ]
        #expect(Set(RepositoryError.Code.allCases) == Set(kinds.keys))
        for code in RepositoryError.Code.allCases { #expect(RepositoryError(code, "x").kind == kinds[code]) }
        #expect(Set(kinds.values).count == kinds.count)
        #expect(RepositoryError(.locked, "a") == RepositoryError(.locked, "b") && RepositoryError(.locked, "a") != RepositoryError(.io, "a"))
    }

    @Test func conversionsPickTheCodeAndKeepTheSubject() {
        #expect(RepositoryError(CryptoError(.badURI, "pkcs11:…")).code == .invalidArgument)
        #expect(RepositoryError(CryptoError(.badPassphrase, "key.pem")).code == .badKey)
        #expect(RepositoryError(MetadataError(.thresholdNotMet, "root")).code == .invalidMetadata)
        #expect(RepositoryError(SQLiteError(code: 11, message: "x")).code == .damagedState)
        #expect(RepositoryError(SQLiteError(code: 5, message: "x")).code == .io)
        let json = RepositoryError(JSONError(.unexpectedEnd, at: 0, "end"), file: "/r/tuf-repo.json")
        #expect(json.code == .invalidMetadata && json.subject == "/r/tuf-repo.json")
        #expect(json.message == "/r/tuf-repo.json: not valid JSON: JSON error at byte 0: end")
    }

    /// End to end: a repository path holding terminal controls is reported escaped by the CLI
    /// (before, RepositoryError printed its message raw).
    @Test(.enabled(if: BuiltBinaries.testsRun(BuiltBinaries.tufRepo))) func theCLIPrintsAHostileRepositoryPathEscaped() throws {
        let dir = TempDir()
        let repo = dir.sub("repo\u{1B}[31m")
        try FileManager.default.createDirectory(atPath: repo, withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: repo + "/tuf-repo.json"))
        let r = try Interop.run(try BuiltBinaries.require(BuiltBinaries.tufRepo, "tuf-repo"), ["status", "--repo", repo])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.hasPrefix("tuf-repo: error: invalid metadata: "), "\(r.output)")
        #expect(!r.output.utf8.contains(0x1B) && r.output.contains("repo\\u{1B}[31m/tuf-repo.json: not valid JSON"), "\(r.output)")
    }
}
