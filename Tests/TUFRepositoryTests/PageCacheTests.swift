import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// Incremental `generate` (the page cache) must publish exactly what reading the whole index
/// publishes: each run is repeated on a copy of the repository without its page cache, and
/// every file of the two repositories is compared byte for byte.
@Suite struct PageCacheTests {
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
    @discardableResult
    static func generateBoth(_ repo: Repository, _ dir: TempDir, index: IndexBuilder, now: Expiry,
                             expectIncremental: Bool = true, sourceLocation: SourceLocation = #_sourceLocation) throws -> PublishResult {
        try index.write(to: dir.sub("index"))
        let full = dir.sub("full")
        try? FileManager.default.removeItem(atPath: full)
        try FileManager.default.copyItem(atPath: repo.path, toPath: full)
        try? FileManager.default.removeItem(atPath: full + "/" + PageCache.file)
        if expectIncremental {
            let policy = try repo.policy()
            let cache = try #require(repo.loadPageCache(), sourceLocation: sourceLocation)
            #expect(IndexSnapshot.readIncremental(index: dir.sub("index"), hashAlgorithms: policy.hashAlgorithms, cache: cache,
                                                  layout: policy.bins, keepBytes: { _, _ in false }) != nil,
                    "the incremental read should apply", sourceLocation: sourceLocation)
        }
        let fullResult = try Repository(path: full, durability: .none).generate(index: dir.sub("index"), signers: Fixture.online, now: now)
        let result = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: now)
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
        try FileManager.default.removeItem(atPath: full + "/" + PageCache.file)
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
            $0.projects["zeta"] = [.init(name: "common-1.0.tar.gz", content: "zeta's own", url: PageCacheTests.shared)]
        },
    ]

    @Test(arguments: conflicts) func aConflictWithAnUnchangedPageIsReportedAndNothingPublished(_ conflict: Conflict) throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = Self.startingIndex()
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(repo.loadPageCache() != nil)
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
        let damage: @Sendable (String, [UInt8]) throws -> Void
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "missing") { file, _ in try FileManager.default.removeItem(atPath: file) },
        Damage(name: "truncated") { file, bytes in try Data(bytes.prefix(bytes.count / 2)).write(to: URL(fileURLWithPath: file)) },
        Damage(name: "garbage") { file, _ in try Data("not a cache\n".utf8).write(to: URL(fileURLWithPath: file)) },
        Damage(name: "one byte changed") { file, bytes in
            var bytes = bytes
            let i = bytes.lastIndex(of: UInt8(ascii: "/"))!
            bytes[i - 1] ^= 0x01
            try Data(bytes).write(to: URL(fileURLWithPath: file))
        },
        Damage(name: "entry line damaged") { file, bytes in
            var text = String(decoding: bytes, as: UTF8.self)
            text = text.replacingOccurrences(of: "\nE\tpackages/alpha/alpha-1.0.tar.gz\t", with: "\nE\tpackages/alpha/alpha-1.0.tar.gz\tx")
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        },
        Damage(name: "other hash algorithms") { file, bytes in
            let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\tsha256\t", with: "\tsha256,blake2b-256\t")
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        },
    ]

    @Test(arguments: damages) func aDamagedCacheFallsBackToTheFullRead(_ damage: Damage) throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = Self.startingIndex()
        try Self.generateBoth(repo, dir, index: index, now: Fixture.now, expectIncremental: false)
        let file = repo.path + "/" + PageCache.file
        try damage.damage(file, Array(FileManager.default.contents(atPath: file)!))
        index.projects["alpha"]!.removeAll { $0.name == "alpha-1.0.tar.gz" }
        index.projects["epsilon"] = [.init(name: "epsilon-1.0.tar.gz", content: "epsilon")]
        #expect(try Self.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 600), expectIncremental: false).published)
        // The cache is whole again and used by the next run.
        index.projects["alpha"]![0].yanked = true
        try Self.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 1200))
    }

    @Test func aStaleCacheFallsBackToTheFullRead() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = Self.startingIndex()
        try Self.generateBoth(repo, dir, index: index, now: Fixture.now, expectIncremental: false)
        let file = repo.path + "/" + PageCache.file
        let stale = FileManager.default.contents(atPath: file)!
        // A run publishes, then its cache is lost and the older one comes back (a restore, say).
        index.projects["alpha"]!.removeAll { $0.name == "alpha-1.0.tar.gz" }
        try Self.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 600))
        try stale.write(to: URL(fileURLWithPath: file))
        #expect(repo.loadPageCache()?.header.snapshotVersion == 2)
        index.projects["alpha"]!.append(.init(name: "alpha-1.0.tar.gz", content: "alpha one"))
        #expect(try Self.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 1200), expectIncremental: false).published)
        #expect(repo.loadPageCache()?.header.snapshotVersion == 4)
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
        #expect(repo.loadPageCache()?.header.linkFiles == true)
        // Then the incremental run links the new file.
        index.projects["alpha"]!.append(.init(name: "alpha-3.0.tar.gz", content: "alpha three"))
        try index.write(to: dir.sub("index"))
        let policy = try repo.policy()
        #expect(IndexSnapshot.readIncremental(index: dir.sub("index"), hashAlgorithms: policy.hashAlgorithms, cache: try #require(repo.loadPageCache()),
                                              layout: policy.bins, keepBytes: { _, _ in false }) != nil)
        #expect(try repo.generate(index: dir.sub("index"), signers: Fixture.online, linkFiles: true, now: Fixture.now.adding(seconds: 120)).published)
        #expect(linked("alpha", "alpha-3.0.tar.gz", "alpha three"))
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 120)) == [])
    }

    @Test func cacheLinesRoundTrip() throws {
        var body: [UInt8] = []
        let file = TargetFile(length: 3, hashes: ["sha256": String(repeating: "a", count: 64), "blake2b-256": String(repeating: "b", count: 64)],
                              custom: ["yanked": "tab\there\nnewline \\ slash"])
        PageCache.appendPage(&body, path: "simple/p/index.json", file: TargetFile(length: 9, hashes: ["sha256": String(repeating: "c", count: 64)]),
                             entries: [(path: "packages/p\tq/x.tar.gz", file: file)])
        let header = PageCache.Header(snapshotVersion: 7, algorithms: "sha256,blake2b-256", binCount: 16, linkFiles: true)
        let cache = try #require(PageCache.parse(PageCache.encode(header: header, body: body, pageCount: 1)))
        #expect(cache.header == header)
        let page = try #require(cache.pages["simple/p/index.json"])
        #expect(page.sha256 == String(repeating: "c", count: 64))
        let entries = try #require(cache.entries(page.entries))
        #expect(entries.count == 1 && entries[0].path == "packages/p\tq/x.tar.gz" && entries[0].file == file)
        #expect(PageCache.parse(PageCache.encode(header: header, body: body, pageCount: 2)) == nil)
        var flipped = PageCache.encode(header: header, body: body, pageCount: 1)
        flipped[flipped.count / 2] ^= 0x20
        #expect(PageCache.parse(flipped) == nil)
    }
}
