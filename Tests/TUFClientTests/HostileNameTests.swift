import Foundation
import Testing
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// Signed names and lengths chosen by an attacker who controls a delegated role (or the
/// server, for unsigned pages): paths that escape the target folder, role names that land
/// on top-level files, terminal escapes in messages, lengths that overflow.
@Suite struct HostileNameTests {
    // MARK: target paths

    /// A `/` hidden inside a grapheme (combining mark after it, prepended mark before it).
    static let escapingName = "../\u{301}\u{600}/../NAME"

    @Test func testTargetNameHidingSlashInGraphemeCannotEscapeTargetDir() async throws {
        var h = ClientHarness()
        h.config.prefixTargetsWithHash = false
        h.sim.addTarget("targets", Array("owned".utf8), Self.escapingName)
        h.sim.updateSnapshot()
        await expectError(.unsafePath) { try await h.refresh().fetchTarget(Self.escapingName) }
        // Nothing beside the metadata and target folders, and nothing in the target folder.
        #expect(h.dir.files().allSatisfy { $0.hasPrefix("metadata/") }, "\(h.dir.files())")
        #expect(!FileManager.default.fileExists(atPath: h.dir.sub("NAME")))
    }

    @Test(arguments: ["/\u{301}..", "..\u{301}/../x", "a/\u{600}/../../x", "\u{600}/../x"])
    func testTargetNamesWithCombiningMarksNextToSlashAreRefused(name: String) async throws {
        // Each has a `..` or empty segment once split on the byte `/`.
        let h = ClientHarness()
        #expect(throws: ClientError.self) { try h.updater().localPath(for: name) }
    }

    // MARK: role names

    @Test(arguments: ["Root", "ROOT", "Timestamp", "SNAPSHOT", "Targets", "rOOt"])
    func testDelegatedRoleNamedLikeTopLevelRoleIsRefused(name: String) async throws {
        let h = ClientHarness()
        h.sim.addDelegation("targets", DelegatedRole(name: name, keyIDs: [], threshold: 1, paths: ["*"]))
        h.sim.addTarget(name, [7], "file")
        h.sim.updateSnapshot()
        let trustedRoot = FileManager.default.contents(atPath: "\(h.metadataDir)/root.json")
        await expectError(.malformed) { try await h.refresh() }
        // Targets (which delegates the name) is refused, so no role file beyond those that
        // verified before it: in particular no `Root.json` beside `root.json`.
        #expect(h.dir.files("metadata") == ["root.json", "snapshot.json", "timestamp.json"])
        #expect(FileManager.default.contents(atPath: "\(h.metadataDir)/root.json") == trustedRoot)
    }

    @Test func testDelegatedRoleNamesDifferingInCaseGetDistinctFilesBesideTopLevelRoles() async throws {
        let h = ClientHarness()
        for name in ["Bins", "bins"] {
            h.sim.addDelegation("targets", DelegatedRole(name: name, keyIDs: [], threshold: 1, paths: ["\(name)/*"]))
            h.sim.addTarget(name, [7], "\(name)/file")
        }
        h.sim.updateSnapshot()
        let u = try await h.refresh()
        for name in ["Bins", "bins"] { #expect(try await u.targetInfo("\(name)/file").role == name) }
        // Upper case is escaped: on a case-insensitive file system `%42ins.json` and
        // `bins.json` stay two files, and no delegated name can be a top-level role's file.
        #expect(h.dir.files("metadata") == ["%42ins.json", "bins.json", "root.json", "snapshot.json", "targets.json", "timestamp.json"])
        #expect(h.savedVersion("Bins") == 1 && h.savedVersion("bins") == 1)
    }

    @Test func testDelegatedRoleEscapingMetadataDirWritesNothingOutside() async throws {
        // `metadata/../../escaped.json` would be beside the test's folder, not in it.
        let h = ClientHarness()
        let name = "../../escaped"
        h.sim.addDelegation("targets", DelegatedRole(name: name, keyIDs: [], threshold: 1, paths: ["*"]))
        h.sim.addTarget(name, [7], "file")
        h.sim.updateSnapshot()
        _ = try await h.refresh().targetInfo("file")
        #expect(h.dir.files() == h.dir.files("metadata").map { "metadata/\($0)" })
        #expect(h.dir.files("metadata").contains("..%2F..%2Fescaped.json"))
        #expect(!FileManager.default.fileExists(atPath: h.dir.sub("escaped.json")))
        #expect(!FileManager.default.fileExists(atPath: "\(h.dir.path)/../escaped.json"))
    }

    // MARK: terminal escapes

    static let repaint = "\u{1B}[2K\u{1B}[1Averified"

    @Test func testForgedPageFilenameWithTerminalEscapesIsPrintedEscaped() async throws {
        let h = ClientHarness()
        let wheel = Array("wheel".utf8)
        func page(_ filename: String, yanked: JSON) -> [UInt8] {
            func text(_ value: JSON) -> String { String(decoding: PythonJSONEncoder.encode(value, style: .compact), as: UTF8.self) }
            let name = text(.string(filename))
            return Array("{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"demo\", \"files\": [{\"filename\": \(name), \"url\": \"../../packages/demo-1.0.whl\", \"hashes\": {\"sha256\": \"\(Hex.encode(Hash.digest(.sha256, wheel)))\"}, \"size\": 5, \"yanked\": \(text(yanked))}]}".utf8)
        }
        let honest = page("demo-1.0.whl", yanked: false)
        h.sim.addTarget("targets", wheel, "packages/demo-1.0.whl")
        h.sim.addTarget("targets", honest, "simple/demo/index.json")
        h.sim.updateSnapshot()
        let forged = page("demo-1.0.whl" + Self.repaint + "\u{202E}\u{9B}", yanked: "bad\u{1B}]0;x\u{7}")
        h.sim.tamper["targets/simple/demo/\(Hex.encode(Hash.digest(.sha256, honest))).index.json"] = { _ in forged }
        do {
            _ = try await h.refresh().verifyProject("demo")
            Issue.record("no error")
        } catch let error as ClientError {
            #expect(error.code == .maliciousYank)
            let text = error.description
            #expect(!text.utf8.contains(0x1B), "\(text)")
            #expect(!text.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x9B || $0.value == 0x07 })
            #expect(text.contains("demo-1.0.whl"))
        }
    }

    // MARK: lengths

    @Test func testTargetListedWithMaximalLengthIsCleanError() async throws {
        let repo = TempDir()
        let h = ClientHarness()
        h.sim.addTarget("targets", Array("x".utf8), "big.bin")
        h.sim.targets.targets["big.bin"]!.length = Int64.max
        h.sim.updateSnapshot()
        try h.sim.write(to: repo.path)
        let u = try Updater(metadataDir: h.metadataDir, metadataBaseURL: "file://\(repo.path)/metadata/",
                            targetBaseURL: "file://\(repo.path)/targets/", targetDir: h.targetDir,
                            fetcher: FileFetcher(), referenceTime: h.referenceTime)
        await expectError(.downloadTooLarge) { try await u.fetchTarget("big.bin") }
        #expect(h.dir.files("targets").isEmpty)
    }

    @Test func testMetaFileListedWithMaximalLengthIsCleanError() async throws {
        let repo = TempDir()
        let h = ClientHarness()
        h.sim.updateSnapshot()
        h.sim.snapshot.meta["targets.json"]!.length = Int64.max
        try h.sim.write(to: repo.path)
        let u = try Updater(metadataDir: h.metadataDir, metadataBaseURL: "file://\(repo.path)/metadata/",
                            fetcher: FileFetcher(), referenceTime: h.referenceTime)
        await expectError(.downloadTooLarge) { try await u.refresh() }
    }

    @Test(arguments: [Int.max, Int.max - 1, 0, -1, Int.min])
    func testFileFetcherTakesAnyBound(maxLength: Int) async throws {
        let dir = TempDir()
        try Data("abc".utf8).write(to: URL(fileURLWithPath: dir.sub("f")))
        if maxLength >= 3 {
            #expect(try await FileFetcher().fetch("file://\(dir.sub("f"))", maxLength: maxLength) == Array("abc".utf8))
        } else {
            await expectError(.downloadTooLarge) { try await FileFetcher().fetch("file://\(dir.sub("f"))", maxLength: maxLength) }
        }
    }
}
