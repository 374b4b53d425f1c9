import Foundation
import Testing
import TUFCanonicalJSON
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// `generate --project` (an upload) and the queue publish exactly what a full read of the
/// same index publishes, and touch only what changed.
@Suite struct ProjectUploadTests {
    /// A repository with `IndexBuilder.small` written to `dir/index` and published from it.
    static func publishedSmallIndex(in dir: TempDir) throws -> Repository {
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        return repo
    }

    typealias Both = StateStoreIncrementalTests

    @Test func uploadsPublishWhatAFullReadPublishes() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = Both.startingIndex()
        var now = Fixture.now
        try Both.generateBoth(repo, dir, index: index, now: now, expectIncremental: false)
        @discardableResult func upload(_ projects: [String], _ change: (inout IndexBuilder) -> Void) throws -> PublishResult {
            change(&index)
            now = now.adding(seconds: 600)
            return try Both.generateBoth(repo, dir, index: index, now: now, projects: projects)
        }
        // A new file: one page's bin and the file's bin, then snapshot and timestamp.
        let r = try upload(["alpha"]) { $0.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two")) }
        #expect(r.published && r.binsSigned <= 2)
        // A new project (the project list changes), named in any spelling.
        try upload(["Epsilon"]) { $0.projects["epsilon"] = [.init(name: "epsilon-1.0.tar.gz", content: "epsilon")] }
        // A project removed from the list, named or not.
        try upload(["gamma"]) { $0.projects["gamma"] = nil }
        try upload(["alpha"]) { $0.projects["epsilon"] = nil }
        // Yank, un-yank, a removed file, a shared file leaving one of its pages.
        try upload(["alpha"]) { $0.projects["alpha"]![0].yanked = "bad build" }
        try upload(["alpha"]) { $0.projects["alpha"]![0].yanked = false }
        try upload(["beta"]) { $0.projects["beta"]!.removeAll { $0.name == "beta-0.1-py3-none-any.whl" } }
        try upload(["alpha"]) { $0.projects["alpha"]!.removeAll { $0.name == "common-1.0.tar.gz" } }
        // Several projects in one publication: one snapshot, one timestamp.
        let batch = try upload(["alpha", "delta-pkg"]) {
            $0.projects["alpha"]!.append(.init(name: "alpha-3.0.tar.gz", content: "alpha three"))
            $0.projects["delta-pkg"]![0].yanked = true
        }
        #expect(batch.written.filter { $0.hasSuffix("snapshot.json") }.count == 1 && batch.written.filter { $0.hasSuffix("timestamp.json") }.count == 1)
        // Nothing changed: nothing published.
        #expect(!(try upload(["alpha"]) { _ in }).published)
    }

    @Test func aProjectWhosePageIsGoneDropsItsTargets() throws {
        let dir = TempDir()
        let repo = try Self.publishedSmallIndex(in: dir)
        try FileManager.default.removeItem(atPath: dir.sub("index/simple/gamma"))
        let r = try repo.generate(index: dir.sub("index"), signers: Fixture.online, projects: ["gamma"], now: Fixture.now.adding(seconds: 60))
        #expect(r.published)
        let store = try #require(StateStore.openIfPresent(repository: repo.path))
        #expect(try store.pages(["simple/gamma/index.json"]).isEmpty)
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 60)) == [])
        // The bins no longer list gamma's page or file.
        let listed = Fixture.files(repo.path).filter { $0.key.hasPrefix("metadata/") && $0.key.contains(".bin-") }
            .contains { String(decoding: $0.value, as: UTF8.self).contains("packages/gamma/gamma-2.0.tar.gz") && $0.key.hasPrefix("metadata/3.") }
        #expect(!listed)
    }

    @Test func anUnknownProjectIsAClearErrorAndChangesNothing() throws {
        let dir = TempDir()
        let repo = try Self.publishedSmallIndex(in: dir)
        let before = Fixture.files(repo.path)
        let error = #expect(throws: RepositoryError.self) {
            try repo.generate(index: dir.sub("index"), signers: Fixture.online, projects: ["nosuchproject"], now: Fixture.now.adding(seconds: 60))
        }
        #expect(error?.code == .badIndex && error?.message.contains("nosuchproject") == true)
        #expect(#expect(throws: RepositoryError.self) {
            try repo.generate(index: dir.sub("index"), signers: Fixture.online, projects: ["../etc"], now: Fixture.now)
        }?.code == .invalidArgument)
        #expect(Fixture.files(repo.path) == before)
        // The queue skips it instead (and publishes nothing).
        #expect(try repo.enqueue(["nosuchproject"]) == 1)
        let batch = try #require(try repo.publishQueue(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60)))
        #expect(batch.result.skipped == ["nosuchproject"] && !batch.result.published)
        #expect(try repo.publishQueue(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now) == nil)
    }

    @Test func theQueuePublishesABatchOnceAndLosesNothingOnFailure() throws {
        let dir = TempDir()
        let repo = try Self.publishedSmallIndex(in: dir)
        var index = IndexBuilder.small
        index.projects["alpha"]![0].yanked = true
        index.projects["beta"]!.append(.init(name: "beta-0.3-py3-none-any.whl", content: "beta three"))
        try index.write(to: dir.sub("index"))
        #expect(try repo.enqueue(["alpha", "Beta", "alpha"]) == 3)
        // A publisher without the snapshot key fails: the entries stay queued.
        #expect(throws: RepositoryError.self) {
            try repo.publishQueue(index: dir.sub("index"), signers: ["ed6", "ed8"].map(TestKeys.key), now: Fixture.now.adding(seconds: 60))
        }
        #expect(try UploadQueue(repository: repo.path).count() == 3)
        let batch = try #require(try repo.publishQueue(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60)))
        #expect(batch.entries == 3 && batch.result.published)
        #expect(batch.result.written.filter { $0.hasSuffix("snapshot.json") }.count == 1)
        #expect(try UploadQueue(repository: repo.path).count() == 0)
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 60)) == [])
        // What it published equals a full read of the same index.
        let full = dir.sub("full")
        try FileManager.default.copyItem(atPath: repo.path, toPath: full)
        StateStore.remove(repository: full)
        #expect(!(try Repository(path: full, durability: .none).generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60)).published))
        #expect(throws: RepositoryError.self) { try repo.enqueue(["bad/name"]) }
    }

    /// The upload hook writes `queue/` and nothing else (not the signer's `state/`), and the
    /// database it creates is group-writable for a setgid queue directory.
    @Test func enqueueWritesOnlyTheQueueDirectory() throws {
        let dir = TempDir()
        let repo = try Self.publishedSmallIndex(in: dir)
        func outsideQueue() -> [String: Data] {
            var out: [String: Data] = [:]
            let e = FileManager.default.enumerator(atPath: repo.path)
            while let p = e?.nextObject() as? String {
                if p.hasPrefix("queue") { continue }
                out[p] = FileManager.default.contents(atPath: repo.path + "/" + p) ?? Data("dir".utf8)
            }
            return out
        }
        let before = outsideQueue()
        #expect(try repo.enqueue(["alpha"]) == 1)
        #expect(outsideQueue() == before)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/state/queue.sqlite"))
        let mode = try FileManager.default.attributesOfItem(atPath: repo.layout.queuePath)[.posixPermissions] as? Int
        #expect(mode == 0o660)
    }

    /// A queue at the old place (`state/queue.sqlite`) is drained too: publish moves its
    /// entries to `queue/` and removes it.
    @Test func aQueueAtTheOldPlaceIsMovedAndPublished() throws {
        let dir = TempDir()
        let repo = try Self.publishedSmallIndex(in: dir)
        var index = IndexBuilder.small
        index.projects["alpha"]![0].yanked = true
        try index.write(to: dir.sub("index"))
        do {
            let legacy = try SQLiteDatabase(path: repo.layout.legacyQueuePath, create: true, busyMilliseconds: 100)
            try legacy.execute("CREATE TABLE queue(seq INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL); INSERT INTO queue(name) VALUES('alpha')")
        }
        let batch = try #require(try repo.publishQueue(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60)))
        #expect(batch.entries == 1 && batch.result.published)
        #expect(!FileManager.default.fileExists(atPath: repo.layout.legacyQueuePath))
        #expect(try UploadQueue(repository: repo.path).count() == 0)
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 60)) == [])
    }
}
