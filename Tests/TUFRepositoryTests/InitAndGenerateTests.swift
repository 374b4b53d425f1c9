import Foundation
import Testing
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFRepository
import TUFTestSupport

@Suite struct InitAndGenerateTests {
    @Test(arguments: [false, true]) func initWithAllKeysPublishesAValidRepository(succinct: Bool) throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir, succinct: succinct)
        let files = Set(Fixture.files(repo.path + "/metadata").keys)
        #expect(files.isSuperset(of: ["1.root.json", "root.json", "1.targets.json", "1.bins.json", "1.snapshot.json", "timestamp.json",
                                      "1.bin-0.json", "1.bin-f.json"]))
        #expect(files.count == 6 + 16)
        #expect(try repo.audit(now: Fixture.now) == [])
        #expect(Fixture.files(repo.path + "/staged").isEmpty)
    }

    @Test func generatePutsEveryFileAndPageInItsBin() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let result = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(result.published)
        #expect(try repo.audit(now: Fixture.now) == [])
        // Collect every target of every bin from the published files.
        let snapshot = try Metadata<Snapshot>(bytes: Array(Fixture.files(repo.path + "/metadata")["2.snapshot.json"]!))
        var all: [String: (String, TargetFile)] = [:]
        let bins = HashedBins(count: 16)
        for name in bins.names {
            let v = snapshot.signed.meta(forRole: name)!.version
            let md = try Metadata<Targets>(bytes: Array(FileManager.default.contents(atPath: repo.path + "/metadata/\(v).\(name).json")!))
            for (p, f) in md.signed.targets {
                #expect(bins.name(ofBin: bins.bin(for: p)) == name)
                all[p] = (name, f)
            }
        }
        let expected = ["simple/index.json", "simple/alpha/index.json", "simple/beta/index.json", "simple/gamma/index.json",
                        "simple/delta-pkg/index.json", "packages/alpha/alpha-1.0.tar.gz", "packages/alpha/alpha-1.1.tar.gz",
                        "packages/beta/beta-0.1-py3-none-any.whl", "packages/beta/beta-0.2-py3-none-any.whl",
                        "packages/gamma/gamma-2.0.tar.gz", "packages/delta-pkg/delta_pkg-3.0.tar.gz"]
        #expect(Set(all.keys) == Set(expected))
        #expect(all["packages/beta/beta-0.2-py3-none-any.whl"]!.1.custom == ["yanked": "broken metadata"])
        #expect(all["packages/gamma/gamma-2.0.tar.gz"]!.1.custom == ["yanked": true])
        #expect(all["packages/alpha/alpha-1.0.tar.gz"]!.1.custom == nil)
        #expect(all["packages/alpha/alpha-1.0.tar.gz"]!.1.hashes == ["sha256": IndexBuilder.sha256("alpha one")])
        // The pages are served under their paths and hash-prefixed names, with the hashed bytes.
        let page = FileManager.default.contents(atPath: dir.sub("index/simple/beta/index.json"))!
        let sha = Hex.encode(Hash.digest(.sha256, Array(page)))
        #expect(FileManager.default.contents(atPath: repo.path + "/targets/simple/beta/index.json") == page)
        #expect(FileManager.default.contents(atPath: repo.path + "/targets/simple/beta/\(sha).index.json") == page)
        #expect(all["simple/beta/index.json"]!.1.hashes["sha256"] == sha)
    }

    @Test func linkFilesServesDistributionFilesUnderHashPrefixedNames() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, linkFiles: true, now: Fixture.now)
        let sha = IndexBuilder.sha256("gamma")
        #expect(FileManager.default.contents(atPath: repo.path + "/targets/packages/gamma/\(sha).gamma-2.0.tar.gz") == Data("gamma".utf8))
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    @Test func anUnchangedSnapshotPublishesNothing() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        let before = Fixture.files(repo.path)
        let again = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 600))
        #expect(!again.published)
        #expect(Fixture.files(repo.path) == before)
    }

    @Test func oneChangedProjectPublishesOneBinSnapshotAndTimestamp() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir, bins: 256)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        let before = Fixture.files(repo.path + "/metadata")
        // A release is yanked: the page changes, so exactly its page's bin changes.
        index.projects["alpha"]![0].yanked = "security hole"
        try index.write(to: dir.sub("index"))
        let result = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 600))
        let pageBin = HashedBins(count: 256).name(ofBin: HashedBins(count: 256).bin(for: "simple/alpha/index.json"))
        let fileBin = HashedBins(count: 256).name(ofBin: HashedBins(count: 256).bin(for: "packages/alpha/alpha-1.0.tar.gz"))
        let changedBins = Set([pageBin, fileBin])
        let written = Set(result.written.map { String($0.dropFirst("metadata/".count)) })
        #expect(Set(written.filter { $0.contains(".bin-") }.map { String($0.split(separator: ".")[1]) }) == changedBins)
        #expect(written.contains("3.snapshot.json") && written.contains("timestamp.json"))
        #expect(written.count == changedBins.count + 2)
        let after = Fixture.files(repo.path + "/metadata")
        let changed = Set(after.keys.filter { before[$0] != after[$0] })
        #expect(changed == written)
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 600)) == [])
    }

    @Test func expiringBinsAreRefreshedAndOthersNot() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        let bins = HashedBins(count: 16)
        func binsWritten(_ result: PublishResult) -> Set<String> {
            Set(result.written.filter { $0.contains(".bin-") }.map { String($0.split(separator: ".")[1]) })
        }
        // 10 h later alpha gets a release: its page's and file's bins are re-signed, valid
        // for a day from then; the others (14 h left, refreshed 6 h before expiry) are not due.
        index.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
        try index.write(to: dir.sub("index"))
        let changed = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 10 * 3600))
        let fresh = Set(["simple/alpha/index.json", "packages/alpha/alpha-2.0.tar.gz"].map { bins.name(ofBin: bins.bin(for: $0)) })
        #expect(binsWritten(changed) == fresh)
        // 19 h after the start, the bins of the first run (5 h left) are due and exactly they
        // are re-signed; the fresh ones (15 h left) are not.
        let later = Fixture.now.adding(seconds: 19 * 3600)
        let result = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: later)
        #expect(binsWritten(result) == Set(bins.names).subtracting(fresh))
        #expect(result.binsSigned == 16 - fresh.count)
        #expect(try repo.audit(now: later) == [])
    }

    /// 16,384 bins, the PEP 458 default: a first generation signs only the bins that hold
    /// the index's targets, and clients read the repository: this package's library client
    /// from the folder, python-tuf's ngclient over HTTP; each downloads one page.
    @Test func sixteenThousandBinsWork() async throws {
        // Signed now: python-tuf checks expiry against the clock.
        let now = Expiry(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir, bins: 16_384, now: now)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let r = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: now)
        #expect(FileManager.default.fileExists(atPath: repo.path + "/metadata/1.bin-3fff.json"))
        let bins = HashedBins(count: 16_384)
        let holding = Set(IndexBuilder.small.targetPaths.map { bins.name(ofBin: bins.bin(for: $0)) })
        #expect(Set(r.written.filter { $0.contains(".bin-") }.map { String($0.split(separator: ".")[1]) }) == holding)
        #expect(r.binsSigned == holding.count)
        try await Self.expectLibraryClientDownloadsAPage(repo, dir: dir, bins: bins, now: now)
        if Interop.enabled {
            let server = try LoopbackServer(root: repo.path)
            defer { server.stop() }
            let client = TempDir()
            let (status, output) = try Interop.runPython("ngclient_fetch.py", [
                "--metadata-url", "\(server.baseURL)/metadata/", "--targets-url", "\(server.baseURL)/targets/",
                "--trusted-root", repo.path + "/metadata/1.root.json", "--workdir", client.path, "simple/beta/index.json"])
            #expect(status == 0, "\(output)")
            let page = try #require(FileManager.default.contents(atPath: dir.sub("index/simple/beta/index.json")))
            #expect(output.contains("\"sha256\": \"\(Hex.encode(Hash.digest(.sha256, Array(page))))\""), "\(output)")
        }
    }

    /// The audit of all 16,384 bins, replayed through the client's trusted set. Run on the
    /// succinct layout: with named bins each bin's lookup in the delegating role scans its
    /// 16,384 roles, and the audit takes minutes in a debug build.
    @Test func sixteenThousandSuccinctBinsAuditClean() async throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir, bins: 16_384, succinct: true)
        try IndexBuilder.small.write(to: dir.sub("index"))
        #expect(try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now).published)
        #expect(try repo.audit(now: Fixture.now) == [])
        try await Self.expectLibraryClientDownloadsAPage(repo, dir: dir, bins: HashedBins(count: 16_384), now: Fixture.now)
    }

    /// A fresh library client (TUFClient `Updater` through `FileFetcher`) trusting root v1
    /// reads `repo` from its folder and downloads `simple/beta/index.json` from its bin.
    static func expectLibraryClientDownloadsAPage(_ repo: Repository, dir: TempDir, bins: HashedBins, now: Expiry) async throws {
        let client = TempDir()
        try FileManager.default.createDirectory(atPath: client.sub("metadata"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: repo.path + "/metadata/1.root.json", toPath: client.sub("metadata/root.json"))
        let updater = try Updater(metadataDir: client.sub("metadata"), metadataBaseURL: "file://\(repo.path)/metadata/",
                                  targetBaseURL: "file://\(repo.path)/targets/", targetDir: client.sub("targets"),
                                  fetcher: FileFetcher(), referenceTime: now)
        try await updater.refresh()
        let page = "simple/beta/index.json"
        #expect(try await updater.targetInfo(page).role == bins.name(ofBin: bins.bin(for: page)))
        let (path, _, downloaded) = try await updater.fetchTarget(page)
        #expect(downloaded)
        #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: dir.sub("index/\(page)")))
    }
}
