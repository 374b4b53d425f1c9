import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

@Suite struct FailureTests {
    /// A bad index: how to break a freshly written small index, and what the error must name.
    struct BadIndex: CustomTestStringConvertible, Sendable {
        let name: String
        let mustMention: [String]
        let breakIt: @Sendable (String) throws -> Void
        var testDescription: String { name }
    }

    static func editPage(_ dir: String, _ project: String, _ edit: (inout [JSON]) -> Void) throws {
        let path = dir + "/simple/\(project)/index.json"
        var page = try JSONParser().parse(Array(FileManager.default.contents(atPath: path)!)).objectValue!
        var files = page["files"]!.arrayValue!
        edit(&files)
        page["files"] = .array(files)
        try Data(PythonJSONEncoder.encode(.object(page))).write(to: URL(fileURLWithPath: path))
    }

    static func setField(_ files: inout [JSON], _ i: Int, _ key: String, _ value: JSON?) {
        var o = files[i].objectValue!
        o[key] = value
        files[i] = .object(o)
    }

    static let badIndexes: [BadIndex] = [
        BadIndex(name: "malformed JSON", mustMention: ["simple/alpha/index.json", "malformed JSON"]) { dir in
            try Data("{\"files\": [".utf8).write(to: URL(fileURLWithPath: dir + "/simple/alpha/index.json"))
        },
        BadIndex(name: "missing hash", mustMention: ["simple/beta/index.json", "files[0]", "beta-0.1-py3-none-any.whl", "sha256"]) { dir in
            try editPage(dir, "beta") { setField(&$0, 0, "hashes", ["md5": "00"]) }
        },
        BadIndex(name: "missing size", mustMention: ["simple/gamma/index.json", "files[0]", "size"]) { dir in
            try editPage(dir, "gamma") { setField(&$0, 0, "size", nil) }
        },
        BadIndex(name: "URL escaping the index", mustMention: ["simple/alpha/index.json", "files[1]", "outside the index"]) { dir in
            try editPage(dir, "alpha") { setField(&$0, 1, "url", "../../../../etc/passwd") }
        },
        BadIndex(name: "URL on another host", mustMention: ["simple/alpha/index.json", "files[0]", "outside the index"]) { dir in
            try editPage(dir, "alpha") { setField(&$0, 0, "url", "https://evil.example/alpha-1.0.tar.gz") }
        },
        BadIndex(name: "duplicate path with another hash", mustMention: ["simple/gamma/index.json", "packages/alpha/alpha-1.0.tar.gz", "different hash"]) { dir in
            try editPage(dir, "gamma") { setField(&$0, 0, "url", "../../packages/alpha/alpha-1.0.tar.gz") }
        },
        BadIndex(name: "project page missing", mustMention: ["simple/delta-pkg/index.json", "cannot read"]) { dir in
            try FileManager.default.removeItem(atPath: dir + "/simple/delta-pkg/index.json")
        },
    ]

    @Test(arguments: badIndexes) func badIndexIsNamedAndNothingIsPublished(_ bad: BadIndex) throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        var changed = IndexBuilder.small
        changed.projects["zeta"] = [.init(name: "zeta-1.0.tar.gz", content: "zeta")]
        try changed.write(to: dir.sub("index"))
        try bad.breakIt(dir.sub("index"))
        let before = Fixture.files(repo.path)
        let error = #expect(throws: RepositoryError.self) {
            try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60))
        }
        #expect(error?.code == .badIndex)
        for m in bad.mustMention { #expect(error?.message.contains(m) == true, "\(error?.message ?? "") should mention \(m)") }
        #expect(Fixture.files(repo.path) == before)
    }

    @Test func aSecondRunWaitsForTheLockThenFails() throws {
        let dir = TempDir()
        var repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let held = try RepositoryLock(repository: repo.path)
        repo.lockWait = 0.2
        let error = #expect(throws: RepositoryError.self) { try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now) }
        #expect(error?.code == .locked)
        #expect(error?.message.contains("locked by another tuf-repo run") == true)
        held.release()
        #expect(try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now).published)
    }

    @Test(arguments: [PublicationStep.delegatedRoles, .snapshot, .timestamp])
    func aCrashMidPublicationLeavesThePreviousRepositoryValid(step: PublicationStep) throws {
        let dir = TempDir()
        var repo = try Fixture.repository(in: dir)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        let timestamp = FileManager.default.contents(atPath: repo.path + "/metadata/timestamp.json")
        index.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
        try index.write(to: dir.sub("index"))
        repo.store.failBefore = step
        let later = Fixture.now.adding(seconds: 60)
        #expect(throws: RepositoryError(.injectedFailure, "")) { try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: later) }
        // Clients still see the previous repository, complete and valid.
        #expect(FileManager.default.contents(atPath: repo.path + "/metadata/timestamp.json") == timestamp)
        #expect(try repo.audit(now: later) == [])
        // The next run recovers and publishes the change.
        repo.store.failBefore = nil
        let r = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: later)
        #expect(r.published)
        #expect(try repo.audit(now: later) == [])
        #expect(!(try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: later).published))
    }

    /// A crash after the timestamp and before the plain page names are relinked leaves pages
    /// with old bytes under metadata naming new ones; the journal lets the next command, even
    /// cron's timestamp refresh, complete them.
    @Test func aCrashBeforeThePlainPageNamesIsCompletedByTheNextTimestampRun() throws {
        let dir = TempDir()
        var repo = try Fixture.repository(in: dir)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        index.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
        try index.write(to: dir.sub("index"))
        repo.store.failBefore = .plainNames
        #expect(throws: RepositoryError(.injectedFailure, "")) { try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now) }
        let page = "/targets/simple/alpha/index.json"
        let want = FileManager.default.contents(atPath: dir.sub("index") + "/simple/alpha/index.json")
        #expect(FileManager.default.contents(atPath: repo.path + page) != want)
        repo.store.failBefore = nil
        _ = try repo.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: 60, now: Fixture.now)
        #expect(FileManager.default.contents(atPath: repo.path + page) == want)
        #expect(!repo.hasInterruptedPublication)
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    /// A journal whose publication never reached its timestamp is dropped: the old plain names
    /// are the right ones for the old metadata.
    @Test func aJournalOfAnUnpublishedSnapshotIsDropped() throws {
        let dir = TempDir()
        var repo = try Fixture.repository(in: dir)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        let page = repo.path + "/targets/simple/alpha/index.json"
        let old = FileManager.default.contents(atPath: page)
        index.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
        try index.write(to: dir.sub("index"))
        repo.store.failBefore = .timestamp
        #expect(throws: RepositoryError(.injectedFailure, "")) { try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now) }
        #expect(repo.hasInterruptedPublication)
        #expect(try repo.completeInterruptedPublication() == 0)
        #expect(FileManager.default.contents(atPath: page) == old)
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    @Test func theStateStoreIsRebuiltWhenLost() throws {
        // Two identical repositories, published alike; one loses its state store.
        let dir = TempDir(), twinDir = TempDir()
        let repo = try Fixture.repository(in: dir), twin = try Fixture.repository(in: twinDir)
        var index = IndexBuilder.small
        func generateBoth(at now: Expiry) throws {
            for (r, d) in [(repo, dir), (twin, twinDir)] {
                try index.write(to: d.sub("index"))
                _ = try r.generate(index: d.sub("index"), signers: Fixture.online, now: now)
            }
        }
        try generateBoth(at: Fixture.now)
        StateStore.remove(repository: repo.path)
        // Without it, an unchanged index still publishes nothing (the bins are read instead).
        #expect(!(try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now).published))
        // The next publication stores what the twin that never lost it has…
        index.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
        try generateBoth(at: Fixture.now.adding(seconds: 600))
        let rebuilt = try #require(StateStore.openIfPresent(repository: repo.path))
        let other = try #require(StateStore.openIfPresent(repository: twin.path))
        #expect(try rebuilt.bins(nil) == other.bins(nil))
        #expect(try rebuilt.header() == other.header())
        // …one entry per bin, at the version the published snapshot lists.
        let snapshot = try Metadata<Snapshot>(bytes: Array(try #require(FileManager.default.contents(atPath: repo.path + "/metadata/3.snapshot.json"))))
        let bins = HashedBins(count: 16)
        #expect(try rebuilt.bins(nil).mapValues(\.version) == Dictionary(uniqueKeysWithValues: bins.names.map { ($0, snapshot.signed.meta(forRole: $0)!.version) }))
    }

    @Test func timestampIsRefreshedOnlyWhenExpiring() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        let fresh = try repo.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: 3600, now: Fixture.now.adding(seconds: 3600))
        #expect(!fresh.published)
        let later = Fixture.now.adding(seconds: 23 * 3600 + 1)
        let refreshed = try repo.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: 3600, now: later)
        #expect(refreshed.written == ["metadata/timestamp.json"])
        let ts = try Metadata<Timestamp>(bytes: Array(FileManager.default.contents(atPath: repo.path + "/metadata/timestamp.json")!))
        #expect(ts.signed.version == 2)
        #expect(ts.signed.expires == later.adding(seconds: 86_400))
        #expect(try repo.audit(now: later) == [])
        #expect(throws: RepositoryError(.missingKey, "")) {
            try repo.refreshTimestamp(signer: TestKeys.key("ed7"), ifExpiringWithin: nil, now: later)
        }
    }

    @Test func verifyCatchesATamperedBinAndAWrongHash() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(try repo.audit(now: Fixture.now) == [])
        // A served page whose bytes no longer match (a malicious yank, say).
        let page = repo.path + "/targets/simple/alpha/index.json"
        var bytes = FileManager.default.contents(atPath: page)!
        bytes.append(contentsOf: Array(" ".utf8))
        try FileManager.default.removeItem(atPath: page)
        try bytes.write(to: URL(fileURLWithPath: page))
        var faults = try repo.audit(now: Fixture.now)
        #expect(faults.contains { $0.contains("targets/simple/alpha/index.json") && $0.contains("bytes") })
        #expect(faults.contains { $0.contains("targets/simple/alpha/index.json") && $0.contains("sha256 hash mismatch") })
        // A bin whose signed content was changed after signing.
        let bins = HashedBins(count: 16)
        let name = bins.name(ofBin: bins.bin(for: "simple/alpha/index.json"))
        let file = try FileManager.default.contentsOfDirectory(atPath: repo.path + "/metadata").first { $0.hasSuffix(".\(name).json") && !$0.hasPrefix("1.") }!
        var md = try Metadata<Targets>(bytes: Array(FileManager.default.contents(atPath: repo.path + "/metadata/" + file)!))
        md.signed.targets["simple/alpha/index.json"]!.length += 1
        try Data(md.encoded()).write(to: URL(fileURLWithPath: repo.path + "/metadata/" + file))
        faults = try repo.audit(now: Fixture.now)
        #expect(faults.contains { $0.contains(file) && $0.contains("signed by 0 of the 1 keys") })
        // And an expired repository.
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 2 * 86_400)).contains { $0.contains("timestamp.json: expired") })
    }
}
