import Foundation
import Testing
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// The plain-name journal is replayed by every locked command (cron's `timestamp` too), so a
/// line of it must never reach outside a page name; `verify` only reports it; a page copy that
/// is gone is an error that names the way out, and `generate` is that way.
@Suite struct PlainNameJournalTests {
    static let journal = "journal/plain-names.tsv"

    /// A published repository over the small index.
    static func published(_ dir: TempDir) throws -> Repository {
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        return repo
    }

    static func snapshotVersion(_ repo: Repository) throws -> Int64 {
        try #require(try repo.load(Timestamp.self, "metadata/timestamp.json")).signed.snapshotMeta.version
    }

    /// A publication of alpha's new release killed after its timestamp, before the plain names.
    static func interrupted(_ dir: TempDir) throws -> Repository {
        var repo = try published(dir)
        var index = IndexBuilder.small
        index.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
        try index.write(to: dir.sub("index"))
        repo.store.failBefore = .plainNames
        #expect(throws: RepositoryError(.injectedFailure, "")) { try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now) }
        repo.store.failBefore = nil
        return repo
    }

    static let sha = String(repeating: "ab", count: 32)

    /// Lines no publication writes. The first is the reported attack: `targets/../../home/.profile`
    /// linked to `targets/../../home/../attacker/<52 characters>.profile`.
    static let hostileLines = [
        "../../home/.profile\t../attacker/" + String(repeating: "x", count: 52),
        "simple/../../home/index.json\t" + sha,
        "simple/Alpha/index.json\t" + sha,
        "simple/alpha/../../x\t" + sha,
        "packages/alpha-1.0.tar.gz\t" + sha,
        "simple/alpha/index.json\t" + sha.uppercased(),
        "simple/alpha/index.json\t../" + String(repeating: "a", count: 61),
        "simple/alpha/index.json\t" + sha + "\textra",
    ]

    @Test(arguments: hostileLines)
    func aLineThatIsNotAPageAndItsHashIsRefusedByName(_ line: String) throws {
        let dir = TempDir()
        let repo = try Self.published(dir)
        // The victim outside the repository and the attacker's file that would replace it.
        try FileManager.default.createDirectory(atPath: dir.sub("home"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.sub("attacker"), withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: dir.sub("home/.profile")))
        try Data("evil".utf8).write(to: URL(fileURLWithPath: dir.sub("attacker/" + String(repeating: "x", count: 52) + ".profile")))
        let text = "tuf-repo plain-name journal 1\t\(try Self.snapshotVersion(repo))\n\(line)\n"
        try FileManager.default.createDirectory(atPath: repo.path + "/journal", withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: repo.path + "/" + Self.journal))

        let error = #expect(throws: RepositoryError(.interruptedPublication, "")) {
            try repo.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: 60, now: Fixture.now)
        }
        #expect(error?.message.contains("line 2") == true)
        #expect(error?.message.contains(DisplayText.escaped(line)) == true, "\(error?.message ?? "")")
        #expect(throws: RepositoryError(.interruptedPublication, "")) { try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now) }
        #expect(throws: RepositoryError(.interruptedPublication, "")) { try repo.interruptedPublication() }
        #expect(FileManager.default.contents(atPath: dir.sub("home/.profile")) == Data("mine".utf8))
        #expect(FileManager.default.contents(atPath: repo.path + "/targets/simple/alpha/index.json")
                == FileManager.default.contents(atPath: dir.sub("index/simple/alpha/index.json")))
        // Nothing else changed either; removing the file (after looking at it) is the way out.
        #expect(FileManager.default.fileExists(atPath: repo.path + "/" + Self.journal))
        try FileManager.default.removeItem(atPath: repo.path + "/" + Self.journal)
        _ = try repo.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: 60, now: Fixture.now)
    }

    @Test(arguments: [
        ("tuf-repo plain-name journal 1\t3\nsimple/alpha/index.json\t" + sha, "not a whole journal"),
        ("tuf-repo plain-name journal 2\t3\n", "line 1"),
        ("tuf-repo plain-name journal 1\t-3\n", "line 1"),
    ])
    func aJournalThatIsNotWholeIsRefused(_ text: String, _ words: String) throws {
        let error = #expect(throws: RepositoryError(.interruptedPublication, "")) { try PlainNameJournal(bytes: Array(text.utf8), file: "j") }
        #expect(error?.message.contains(words) == true, "\(error?.message ?? "")")
    }

    @Test func whatAPublicationWritesReadsBack() throws {
        let j = PlainNameJournal(snapshotVersion: 7, pages: [("simple/index.json", Self.sha), ("simple/a-b-c/index.json", Self.sha)])
        #expect(try PlainNameJournal(bytes: j.encoded(), file: "j") == j)
    }

    /// `verify` is an audit, run on copies of other people's repositories: no byte of the
    /// tree changes, and it says what the next locked command would relink.
    @Test(.enabled(if: CLITests.enabled)) func verifyWritesNothingAndReportsWhatWouldBeRelinked() throws {
        let dir = TempDir()
        let repo = try Self.interrupted(dir)
        func tree() -> [String: Data] {
            var out: [String: Data] = [:]
            let e = FileManager.default.enumerator(atPath: repo.path)
            while let p = e?.nextObject() as? String {
                var isDir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: repo.path + "/" + p, isDirectory: &isDir)
                let st = try? FileManager.default.attributesOfItem(atPath: repo.path + "/" + p)
                out[p] = isDir.boolValue ? Data("dir \(st?[.modificationDate] ?? "")".utf8) : FileManager.default.contents(atPath: repo.path + "/" + p)
            }
            return out
        }
        let before = tree()
        let binary = try BuiltBinaries.require(CLITests.binary, "tuf-repo")
        let json = try FakeTime.run(binary, ["verify", "--repo", repo.path, "--json"], at: Fixture.now.iso8601)
        let text = try FakeTime.run(binary, ["verify", "--repo", repo.path], at: Fixture.now.iso8601)
        #expect(tree() == before)
        #expect(json.status == 1 && text.status == 1)
        #expect(json.output.contains("\"interrupted_publication\""), "\(json.output)")
        #expect(json.output.contains("\"simple/alpha/index.json\""), "\(json.output)")
        #expect(text.output.contains("would relink"), "\(text.output)")
        #expect(text.output.contains("FAULT: targets/simple/alpha/index.json"), "\(text.output)")
        // The next locked command completes it.
        #expect(try repo.completeInterruptedPublication() > 0)
        #expect(try FakeTime.run(binary, ["verify", "--repo", repo.path], at: Fixture.now.iso8601).status == 0)
    }

    /// A page copy that vanished after its journal was written: every other locked command
    /// stops with an error naming the copy and `tuf-repo generate`, which completes it.
    @Test func aMissingPageCopyNamesItsRecoveryAndGenerateCompletesIt() throws {
        let dir = TempDir()
        let repo = try Self.interrupted(dir)
        let page = try Data(contentsOf: URL(fileURLWithPath: dir.sub("index/simple/alpha/index.json")))
        let copy = RepositoryLayout.hashPrefixedTarget("simple/alpha/index.json", sha256: Hex.encode(Hash.digest(.sha256, Array(page))))
        try FileManager.default.removeItem(atPath: repo.layout.absolute(copy))

        let error = #expect(throws: RepositoryError(.interruptedPublication, "")) {
            try repo.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: 60, now: Fixture.now)
        }
        #expect(error?.message.contains(copy) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("tuf-repo generate") == true)
        #expect(try repo.interruptedPublication()?.missingCopies == ["simple/alpha/index.json"])

        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(FileManager.default.contents(atPath: repo.path + "/targets/simple/alpha/index.json") == page)
        #expect(!repo.hasInterruptedPublication)
        #expect(try repo.audit(now: Fixture.now) == [])
        _ = try repo.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: 60, now: Fixture.now)
    }
}
