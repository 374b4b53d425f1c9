import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// Incremental `generate` (the state store: a rescan by file status, or `--project` uploads)
/// must publish exactly what reading the whole index publishes: each run is repeated on a copy
/// of the repository without its state store, and every file of the two is compared byte for byte.
@Suite struct StateStoreIncrementalTests {
    static let shared = "../../packages/shared/common-1.0.tar.gz"

    /// The small index plus a file listed alike by alpha and beta.
    static func startingIndex() -> IndexBuilder {
        var index = IndexBuilder.small
        index.projects["alpha"]!.append(.init(name: "common-1.0.tar.gz", content: "common", url: shared))
        index.projects["beta"]!.append(.init(name: "common-1.0.tar.gz", content: "common", url: shared))
        return index
    }

    /// Runs generate on `repo` and on a copy without the page cache (the full read), and
    /// expects the two repositories to be identical; returns the incremental run's result.
    /// True when the incremental read applies to `repo` and `index` in `scope`.
    static func incrementalApplies(_ repo: Repository, index: String, scope: IndexSnapshot.ChangeScope = .rescan) throws -> Bool {
        let policy = try repo.policy()
        guard let store = StateStore.openIfPresent(repository: repo.path), try store.header() != nil else { return false }
        return try IndexSnapshot.readChanges(index: index, hashAlgorithms: policy.hashAlgorithms, store: store, scope: scope,
                                             layout: policy.bins, keepBytes: { _, _ in false }) != nil
    }

    /// `projects` makes the incremental run an upload of those projects.
    @discardableResult
    static func generateBoth(_ repo: Repository, _ dir: TempDir, index: IndexBuilder, now: Expiry, projects: [String]? = nil,
                             expectIncremental: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws -> PublishResult {
        try index.write(to: dir.sub("index"))
        let full = dir.sub("full")
        try? FileManager.default.removeItem(atPath: full)
        try FileManager.default.copyItem(atPath: repo.path, toPath: full)
        StateStore.remove(repository: full)
        if expectIncremental {
            let scope: IndexSnapshot.ChangeScope = projects.map { .projects($0.map(PackageIndex.normalize), skipUnknown: false) } ?? .rescan
            #expect(try incrementalApplies(repo, index: dir.sub("index"), scope: scope), "the incremental read should apply", sourceLocation: sourceLocation)
        }
        let fullResult = try Repository(path: full, durability: .none).generate(index: dir.sub("index"), signers: Fixture.online, now: now)
        let result = try repo.generate(index: dir.sub("index"), signers: Fixture.online, projects: projects, now: now)
        #expect(result == fullResult, sourceLocation: sourceLocation)
        let a = Fixture.files(repo.path), b = Fixture.files(full)
        #expect(Set(a.keys) == Set(b.keys), sourceLocation: sourceLocation)
        for (p, bytes) in a where b[p] != bytes { Issue.record("\(p) differs from the full recomputation", sourceLocation: sourceLocation) }
        #expect(try repo.audit(now: now) == [], sourceLocation: sourceLocation)
        return result
    }

    @Test func incrementalRunsPublishWhatAFullReadPublishes() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = Self.startingIndex()
        var now = Fixture.now
        try Self.generateBoth(repo, dir, index: index, now: now, expectIncremental: false)
        @discardableResult func step(_ change: (inout IndexBuilder) -> Void) throws -> PublishResult {
            change(&index)
            now = now.adding(seconds: 600)
            return try Self.generateBoth(repo, dir, index: index, now: now)
        }
        // A new release on a page.
        #expect(try step { $0.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two")) }.published)
        // A new project, then a project removed.
        try step { $0.projects["epsilon"] = [.init(name: "epsilon-1.0.tar.gz", content: "epsilon")] }
        try step { $0.projects["gamma"] = nil }
        // The shared file leaves one of its pages (it stays), then moves to another page.
        try step { $0.projects["alpha"]!.removeAll { $0.name == "common-1.0.tar.gz" } }
        try step {
            $0.projects["beta"]!.removeAll { $0.name == "common-1.0.tar.gz" }
            $0.projects["delta-pkg"]!.append(.init(name: "common-1.0.tar.gz", content: "common", url: Self.shared))
        }
        // Yanked with a reason that needs escaping in the cache, then yanked, then unyanked.
        try step { $0.projects["alpha"]![0].yanked = "bad\tbuild\nsee \\issue" }
        try step { $0.projects["alpha"]![0].yanked = true }
        try step { $0.projects["alpha"]![0].yanked = false }
        // A file removed from the index.
        try step { $0.projects["beta"]!.removeAll { $0.name == "beta-0.1-py3-none-any.whl" } }
        // Nothing changed: nothing published.
        #expect(!(try step { _ in }).published)
        // Only a page's whitespace changes: the page's target changes, its files do not.
        now = now.adding(seconds: 600)
        try index.write(to: dir.sub("index"))
        let page = dir.sub("index/simple/beta/index.json")
        try Data(FileManager.default.contents(atPath: page)! + Data(" \n".utf8)).write(to: URL(fileURLWithPath: page))
        let full = dir.sub("full")
        try? FileManager.default.removeItem(atPath: full)
        try FileManager.default.copyItem(atPath: repo.path, toPath: full)
        StateStore.remove(repository: full)
        let r = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: now)
        let bins = HashedBins(count: 16)
        let pageBin = bins.name(ofBin: bins.bin(for: "simple/beta/index.json"))
        #expect(r.binsSigned == 1 && r.written.contains { $0.hasSuffix(".\(pageBin).json") })
        #expect(try Repository(path: full, durability: .none).generate(index: dir.sub("index"), signers: Fixture.online, now: now) == r)
        #expect(Fixture.files(repo.path) == Fixture.files(full))
    }

    struct Conflict: CustomTestStringConvertible, Sendable {
        let name: String
        let mustMention: [String]
        let change: @Sendable (inout IndexBuilder) -> Void
        var testDescription: String { name }
    }

    static let conflicts: [Conflict] = [
        Conflict(name: "changed page first in the list", mustMention: ["simple/beta/index.json", "simple/alpha/index.json", "common-1.0.tar.gz", "different hash"]) {
            $0.projects["alpha"]![2].content = "other bytes"
        },
        Conflict(name: "changed page later in the list", mustMention: ["simple/beta/index.json", "simple/alpha/index.json", "common-1.0.tar.gz", "different hash"]) {
            $0.projects["beta"]![2].content = "other bytes"
        },
        Conflict(name: "yank state", mustMention: ["simple/beta/index.json", "common-1.0.tar.gz", "different yank state"]) {
            $0.projects["beta"]![2].yanked = true
        },
        Conflict(name: "new project", mustMention: ["simple/zeta/index.json", "common-1.0.tar.gz", "different hash"]) {
            $0.projects["zeta"] = [.init(name: "common-1.0.tar.gz", content: "zeta's own", url: StateStoreIncrementalTests.shared)]
        },
    ]

    @Test(arguments: conflicts) func aConflictWithAnUnchangedPageIsReportedAndNothingPublished(_ conflict: Conflict) throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = Self.startingIndex()
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(StateStore.openIfPresent(repository: repo.path) != nil)
        conflict.change(&index)
        try index.write(to: dir.sub("index"))
        let before = Fixture.files(repo.path)
        let error = #expect(throws: RepositoryError.self) {
            try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60))
        }
        #expect(error?.code == .badIndex)
        for m in conflict.mustMention { #expect(error?.message.contains(m) == true, "\(error?.message ?? "") should mention \(m)") }
        #expect(Fixture.files(repo.path) == before)
    }

    struct Damage: CustomTestStringConvertible, Sendable {
        let name: String
        let damage: @Sendable (String) throws -> Void
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "missing") { repo in StateStore.remove(repository: repo) },
        Damage(name: "truncated") { repo in
            let file = RepositoryLayout(root: repo).stateStorePath
            let bytes = try #require(FileManager.default.contents(atPath: file))
            try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: file))
        },
        Damage(name: "garbage") { repo in try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: RepositoryLayout(root: repo).stateStorePath)) },
        Damage(name: "garbage inside") { repo in
            // Valid header, damaged b-tree pages: what `quick_check` and SQLite's errors catch.
            let file = RepositoryLayout(root: repo).stateStorePath
            var bytes = [UInt8](try #require(FileManager.default.contents(atPath: file)))
            for i in stride(from: 4096 + 8, to: bytes.count, by: 7) { bytes[i] ^= 0x5A }
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        },
        Damage(name: "a bin digest that lies") { repo in
            let store = try #require(StateStore.openIfPresent(repository: repo))
            var bins = try store.bins(nil)
            for k in bins.keys { bins[k]!.digest = String(repeating: "0", count: 64) }
            try store.setBins(bins)
        },
        Damage(name: "a page record that lies") { repo in
            let store = try #require(StateStore.openIfPresent(repository: repo))
            try store.db.execute("UPDATE pages SET entries = X'452D' WHERE path = 'simple/alpha/index.json'")
        },
        Damage(name: "another schema") { repo in
            let store = try #require(StateStore.openIfPresent(repository: repo))
            try store.db.execute("PRAGMA user_version = 99")
        },
    ]

    @Test(arguments: damages) func aDamagedStoreIsRebuiltFromPublishedMetadataAndTheIndex(_ damage: Damage) throws {
        for projects in [nil, ["alpha", "epsilon"]] as [[String]?] {
            let dir = TempDir()
            let repo = try Fixture.repository(in: dir)
            var index = Self.startingIndex()
            try Self.generateBoth(repo, dir, index: index, now: Fixture.now, expectIncremental: false)
            try damage.damage(repo.path)
            index.projects["alpha"]!.removeAll { $0.name == "alpha-1.0.tar.gz" }
            index.projects["epsilon"] = [.init(name: "epsilon-1.0.tar.gz", content: "epsilon")]
            #expect(try Self.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 600), projects: projects,
                                          expectIncremental: false).published)
            // The store is whole again and used by the next run.
            index.projects["alpha"]![0].yanked = true
            try Self.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 1200), projects: projects.map { _ in ["alpha"] })
        }
    }

    @Test func aStaleStoreIsRebuilt() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = Self.startingIndex()
        try Self.generateBoth(repo, dir, index: index, now: Fixture.now, expectIncremental: false)
        // A copy of the repository publishes, and its metadata is copied back over ours: our
        // store now describes snapshot 2 while snapshot 3 is published.
        let copy = dir.sub("copy")
        try FileManager.default.copyItem(atPath: repo.path, toPath: copy)
        index.projects["alpha"]!.removeAll { $0.name == "alpha-1.0.tar.gz" }
        try index.write(to: dir.sub("index"))
        #expect(try Repository(path: copy, durability: .none).generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 600)).published)
        try FileManager.default.removeItem(atPath: repo.path + "/metadata")
        try FileManager.default.removeItem(atPath: repo.path + "/targets")
        try FileManager.default.copyItem(atPath: copy + "/metadata", toPath: repo.path + "/metadata")
        try FileManager.default.copyItem(atPath: copy + "/targets", toPath: repo.path + "/targets")
        #expect(try StateStore.openIfPresent(repository: repo.path)?.header()?.snapshotVersion == 2)
        #expect(!(try Self.incrementalApplies(repo, index: dir.sub("index"))) || true)
        index.projects["alpha"]!.append(.init(name: "alpha-1.0.tar.gz", content: "alpha one"))
        #expect(try Self.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 1200), projects: ["alpha"], expectIncremental: false).published)
        #expect(try StateStore.openIfPresent(repository: repo.path)?.header()?.snapshotVersion == 4)
    }

    @Test func linkFilesLinksEveryFileOnceThenTheNewOnes() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        func linked(_ project: String, _ name: String, _ content: String) -> Bool {
            FileManager.default.contents(atPath: repo.path + "/targets/packages/\(project)/\(IndexBuilder.sha256(content)).\(name)") == Data(content.utf8)
        }
        // A cache made without --link-files does not serve a run with it: every file is linked.
        index.projects["alpha"]![0].yanked = true
        try index.write(to: dir.sub("index"))
        #expect(try repo.generate(index: dir.sub("index"), signers: Fixture.online, linkFiles: true, now: Fixture.now.adding(seconds: 60)).published)
        #expect(linked("gamma", "gamma-2.0.tar.gz", "gamma") && linked("alpha", "alpha-1.1.tar.gz", "alpha one one"))
        #expect(try StateStore.openIfPresent(repository: repo.path)?.header()?.linkFiles == true)
        // Then the incremental run links the new file.
        index.projects["alpha"]!.append(.init(name: "alpha-3.0.tar.gz", content: "alpha three"))
        try index.write(to: dir.sub("index"))
        #expect(try Self.incrementalApplies(repo, index: dir.sub("index")))
        #expect(try repo.generate(index: dir.sub("index"), signers: Fixture.online, linkFiles: true, now: Fixture.now.adding(seconds: 120)).published)
        #expect(linked("alpha", "alpha-3.0.tar.gz", "alpha three"))
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 120)) == [])
    }

    @Test func pageRecordsRoundTrip() throws {
        let file = TargetFile(length: 3, hashes: ["sha256": String(repeating: "a", count: 64), "blake2b-256": String(repeating: "b", count: 64)],
                              custom: ["yanked": "tab\there\nnewline \\ slash"])
        let page = TargetFile(length: 9, hashes: ["sha256": String(repeating: "c", count: 64)])
        let r = PageRecord(path: "simple/p/index.json", status: .init(size: 9, mtimeNanoseconds: 1, ctimeNanoseconds: 2, inode: 3), file: page,
                           entries: [(path: "packages/p\tq/x.tar.gz", file: file), (path: "packages/p/y.whl", file: TargetFile(length: 0, hashes: page.hashes))])
        let entries = try #require(r.decodedEntries())
        #expect(entries.count == 2 && entries[0].path == "packages/p\tq/x.tar.gz" && entries[0].file == file)
        // Through the store: one row, its listings, and back.
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        let store = try StateStore.open(repository: repo.path)
        try store.begin()
        let writer = try store.pageWriter()
        try store.wrap { () throws(SQLiteError) in try writer.put(r) }
        try store.setHeader(.init(snapshotVersion: 7, algorithms: "sha256", binCount: 16, linkFiles: false))
        try store.commit()
        let again = try #require(StateStore.openIfPresent(repository: repo.path))
        #expect(try again.pages([r.path])[r.path] == r)
        #expect(try again.pagesListing(["packages/p/y.whl"], excluding: []).map(\.path) == [r.path])
        #expect(try again.pagesListing(["packages/p/y.whl"], excluding: [r.path]).isEmpty)
        #expect(try again.header() == .init(snapshotVersion: 7, algorithms: "sha256", binCount: 16, linkFiles: false))
        // A removed page leaves no listing behind.
        try again.begin()
        let remover = try again.pageWriter()
        try again.wrap { () throws(SQLiteError) in try remover.remove(r.path) }
        try again.commit()
        #expect(try again.pagesListing(["packages/p/y.whl"], excluding: []).isEmpty)
        #expect(PageRecord(path: "x", status: r.status, file: page, encodedEntries: Array("E\tp\t1\tsha256=zz\t-\n".utf8)).decodedEntries() == nil)
    }
}
