import Foundation
import Glibc
import Testing
import TUFCanonicalJSON
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// A rescan (`generate` with a state store that matches the published snapshot) reads only
/// the pages whose status (size, mtime, ctime, inode) changed, finds new and removed pages,
/// and fails as a full read fails when a listed page is missing.
@Suite struct RescanTests {
    /// A repository generated once from the small index at `dir/index`.
    static func generated(_ dir: TempDir) throws -> Repository {
        try ProjectUploadTests.publishedSmallIndex(in: dir)
    }

    /// The incremental read a rescan of `dir/index` makes now (nil: the full read would decide).
    static func rescan(_ repo: Repository, _ dir: TempDir) throws -> IndexSnapshot.Incremental? {
        let policy = try repo.policy()
        let store = try #require(StateStore.openIfPresent(repository: repo.path))
        return try IndexSnapshot.readChanges(index: dir.sub("index"), hashAlgorithms: policy.hashAlgorithms, store: store, scope: .rescan,
                                             layout: policy.bins, keepBytes: { _, _ in false })
    }

    @Test func aRescanOfAnUnchangedIndexReadsNoPage() throws {
        let dir = TempDir()
        let repo = try Self.generated(dir)
        // Every page read makes a record (or a removal): none means no page was opened.
        let read = try #require(try Self.rescan(repo, dir))
        #expect(read.records.isEmpty && read.removed.isEmpty && read.changes.isEmpty)
        #expect(!(try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60)).published))
    }

    struct InPlace: CustomTestStringConvertible, Sendable {
        let name: String
        /// Writes `bytes` (as long as the old ones) to the page at `path`.
        let write: @Sendable (String, [UInt8]) throws -> Void
        var testDescription: String { name }
    }

    static let inPlace: [InPlace] = [
        InPlace(name: "rewritten in place (same inode: only ctime differs)") { path, bytes in
            let fd = open(path, O_WRONLY)
            defer { close(fd) }
            #expect(fd >= 0 && bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
        },
        InPlace(name: "replaced by a new file (new inode)") { path, bytes in
            try Data(bytes).write(to: URL(fileURLWithPath: path + ".new"))
            #expect(rename(path + ".new", path) == 0)
        },
    ]

    /// A page whose bytes change while its size and mtime stay is still found (by ctime or
    /// inode), re-read, and its new content published.
    @Test(arguments: inPlace) func aPageChangedWithItsSizeAndMtimeKeptIsFound(_ change: InPlace) throws {
        let dir = TempDir()
        let repo = try Self.generated(dir)
        let page = dir.sub("index/simple/alpha/index.json")
        var before = stat()
        #expect(stat(page, &before) == 0)
        let old = String(decoding: try #require(FileManager.default.contents(atPath: page)), as: UTF8.self)
        let sha = IndexBuilder.sha256("alpha one")
        let new = old.replacingOccurrences(of: sha, with: String(repeating: "0", count: 64))
        #expect(new != old && new.utf8.count == old.utf8.count)
        try change.write(page, Array(new.utf8))
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, page, &times, 0) == 0)
        var after = stat()
        #expect(stat(page, &after) == 0 && after.st_size == before.st_size && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec
                && after.st_mtim.tv_sec == before.st_mtim.tv_sec)

        let read = try #require(try Self.rescan(repo, dir))
        #expect(read.records.map(\.path) == ["simple/alpha/index.json"])
        #expect(try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60)).published)
        let bins = try repo.policy().bins
        let target = "packages/alpha/alpha-1.0.tar.gz"
        let change = try #require(read.changes[bins.bin(for: target)]?.set[target])
        #expect(change.hashes["sha256"] == String(repeating: "0", count: 64))
    }

    @Test func aNewPageAndARemovedPageAreFoundAndNothingElseRead() throws {
        let dir = TempDir()
        let repo = try Self.generated(dir)
        // Rewrite only the list and the pages that change: the others keep their status.
        var index = IndexBuilder.small
        index.projects["gamma"] = nil
        index.projects["zeta"] = [.init(name: "zeta-1.0.tar.gz", content: "zeta")]
        let fresh = dir.sub("fresh")
        try index.write(to: fresh)
        let fm = FileManager.default
        try fm.removeItem(atPath: dir.sub("index/simple/gamma"))
        try fm.copyItem(atPath: fresh + "/simple/zeta", toPath: dir.sub("index/simple/zeta"))
        try fm.copyItem(atPath: fresh + "/packages/zeta", toPath: dir.sub("index/packages/zeta"))
        try fm.removeItem(atPath: dir.sub("index/simple/index.json"))
        try fm.copyItem(atPath: fresh + "/simple/index.json", toPath: dir.sub("index/simple/index.json"))

        let read = try #require(try Self.rescan(repo, dir))
        #expect(read.records.map(\.path).sorted() == ["simple/index.json", "simple/zeta/index.json"])
        #expect(read.removed == ["simple/gamma/index.json"])
        #expect(try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60)).published)
        let targets = try repo.audit(now: Fixture.now.adding(seconds: 60))
        #expect(targets == [])
    }

    /// A project the list names whose page is missing (and was never published) fails the
    /// run as the full read does, naming the page; nothing is published. (The rescan once
    /// skipped it: neither stored nor on disk looked "unchanged".)
    @Test func aListedPageThatIsMissingFailsAsAFullRead() throws {
        let dir = TempDir()
        let repo = try Self.generated(dir)
        var index = IndexBuilder.small
        index.projects["zeta"] = [.init(name: "zeta-1.0.tar.gz", content: "zeta")]
        try index.write(to: dir.sub("index"))
        try FileManager.default.removeItem(atPath: dir.sub("index/simple/zeta/index.json"))
        let before = Fixture.files(repo.path)
        let error = #expect(throws: RepositoryError.self) {
            try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 60))
        }
        #expect(error?.code == .badIndex && error?.message.contains("simple/zeta/index.json") == true, "\(String(describing: error))")
        #expect(Fixture.files(repo.path) == before)
    }
}
