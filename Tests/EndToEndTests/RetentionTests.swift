import Foundation
import Testing
import TUFTestSupport

/// Retention, end to end through the real `tuf-repo`: a client that read an old timestamp
/// within the window still walks its snapshot and downloads what it lists; once the window has
/// passed the old snapshot and page copies are gone while every root stays, and python-tuf and
/// tuf-verify verify the pruned repository; many runs leave a bounded repository.
@Suite(.enabled(if: Interop.enabled), .serialized) struct RetentionTests {
    static let page = "simple/tiny-utils/index.json"

    /// Changes `page` in the index (a new file), then runs generate.
    static func upload(_ w: Workspace, _ n: Int) throws {
        try w.addFile(project: "tiny-utils", filename: "tiny_utils-9.\(n).tar.gz", content: "upload \(n)")
        try w.generate()
    }

    static func metadataNames(_ w: Workspace) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: w.metadata))
    }

    /// A client that fetched the timestamp before two publications: python-tuf fetches the old
    /// timestamp's snapshot, bins and the page copy it signs, with hash prefixes.
    static func pinnedClient(_ w: Workspace, oldTimestamp: String) throws -> PythonClient.Result {
        let server = try w.serve(["--replace", "/metadata/timestamp.json", oldTimestamp])
        defer { server.stop() }
        return try PythonClient().fetch([page], metadataURL: "\(server.baseURL)/metadata/", targetsURL: "\(server.baseURL)/targets/",
                                        trustedRoot: "\(w.metadata)/1.root.json")
    }

    @Test func testClientPinnedToAnOldSnapshotVerifiesWithinTheWindowAndTheFilesGoAfterIt() throws {
        let w = try Workspace(linkFiles: true, initArguments: ["--retention", "1h"])
        let oldTimestamp = w.root + "/timestamp-1.json"
        try FileManager.default.copyItem(atPath: w.metadata + "/timestamp.json", toPath: oldTimestamp)
        let oldPage = try w.published("targets/" + Self.page)
        let oldCopy = try w.hashedURLPath(Self.page).dropFirst("/".count)
        try Self.upload(w, 1)
        try Self.upload(w, 2)

        // Within the window: generate's own prune and tuf-repo prune keep snapshot 1.
        let kept = try w.tufRepo(["prune", "--repo", w.repo, "--json"]).output
        #expect(kept.contains("\"snapshots_removed\": []"), "\(kept)")
        #expect(FileManager.default.fileExists(atPath: w.repo + "/" + oldCopy))
        let within = try Self.pinnedClient(w, oldTimestamp: oldTimestamp)
        #expect(within.status == 0, "\(within.output)")
        #expect(within.lines[Self.page]?["sha256"] as? String == sha256(oldPage), "\(within.output)")

        // The window over (the operator shortens it): snapshot 1, the bins only it listed and
        // the old page copy are removed; roots and the current chain stay.
        let before = try Self.metadataNames(w)
        let pruned = try w.tufRepo(["prune", "--repo", w.repo, "--set-retention", "0s"]).output
        #expect(pruned.contains("removed 2 snapshots"), "\(pruned)")
        let after = try Self.metadataNames(w)
        #expect(!after.contains("1.snapshot.json") && !after.contains("2.snapshot.json") && after.contains("3.snapshot.json"))
        #expect(after.isSubset(of: before))
        for name in before where name.hasSuffix(".root.json") || name == "root.json" || name == "timestamp.json" {
            #expect(after.contains(name), "\(name) was removed")
        }
        #expect(!FileManager.default.fileExists(atPath: w.repo + "/" + oldCopy))
        #expect(try w.published("targets/" + Self.page) == Data(contentsOf: URL(fileURLWithPath: w.index + "/" + Self.page)))

        // The pinned client now meets a missing file (a fetch error, never a bypass); fresh
        // clients verify the pruned repository.
        let late = try Self.pinnedClient(w, oldTimestamp: oldTimestamp)
        #expect(late.status != 0, "\(late.output)")
        try PythonClientTests.expectPythonClientDownloads(from: w)
        let server = try w.serve()
        defer { server.stop() }
        let client = try VerifyClient(trustedRoot: w.metadata + "/1.root.json")
        let download = try client.run(client.options(server) + ["--target-name", Self.page, "download"])
        #expect(download.status == 0, "\(download.output)")
        #expect(try w.tufRepo(["verify", "--repo", w.repo]).status == 0)
    }

    @Test func testManyRunsWithRetentionLeaveABoundedRepository() throws {
        let w = try Workspace(linkFiles: true, initArguments: ["--retention", "0s"])
        try Self.upload(w, 0)
        let first = try Self.metadataNames(w).count
        let firstTargets = FileManager.default.enumerator(atPath: w.repo + "/targets")!.allObjects.count
        for n in 1...12 { try Self.upload(w, n) }
        let metadata = try Self.metadataNames(w)
        // One snapshot and one version of each bin, plus the roots: as many files as after one run.
        #expect(metadata.count == first, "\(metadata.sorted())")
        #expect(metadata.filter { $0.hasSuffix(".snapshot.json") }.count == 1)
        // Each run added a distribution file and a page copy; the old page copies are gone.
        let targets = FileManager.default.enumerator(atPath: w.repo + "/targets")!.allObjects.count
        #expect(targets <= firstTargets + 12, "\(targets) entries under targets/, \(firstTargets) after the first run")
        let status = try w.tufRepo(["status", "--repo", w.repo, "--json"]).output
        #expect(status.contains("\"prunable_files\": 0"), "\(status)")
        #expect(try w.tufRepo(["verify", "--repo", w.repo]).status == 0)
    }

    /// Page copies a killed run left (never named by any snapshot) and stray temporary files are
    /// swept; a symbolic link planted under targets/ is neither followed nor removed.
    @Test func testPruneSweepsLeftoversAndNeverFollowsLinks() throws {
        let w = try Workspace(linkFiles: false, initArguments: ["--retention", "1h"])
        let fm = FileManager.default
        let stray = w.repo + "/targets/simple/tiny-utils/" + String(repeating: "ab", count: 32) + ".index.json"
        try Data("left by a killed run".utf8).write(to: URL(fileURLWithPath: stray))
        let temp = w.repo + "/metadata/.snapshot.json.tmp-0123abcd"
        try Data("partial".utf8).write(to: URL(fileURLWithPath: temp))
        let outside = w.root + "/outside"
        try fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let victim = outside + "/" + String(repeating: "cd", count: 32) + ".index.json"
        try Data("not the repository's".utf8).write(to: URL(fileURLWithPath: victim))
        try fm.createSymbolicLink(atPath: w.repo + "/targets/simple/planted", withDestinationPath: outside)
        let linkedFile = w.repo + "/targets/simple/" + String(repeating: "ef", count: 32) + ".index.json"
        try fm.createSymbolicLink(atPath: linkedFile, withDestinationPath: victim)

        let dry = try w.tufRepo(["prune", "--repo", w.repo, "--dry-run", "--json"]).output
        #expect(dry.contains("\"dry_run\": true") && fm.fileExists(atPath: stray), "\(dry)")
        let out = try w.tufRepo(["prune", "--repo", w.repo, "--json"]).output
        #expect(!fm.fileExists(atPath: stray), "\(out)")
        #expect(!fm.fileExists(atPath: temp), "\(out)")
        #expect(fm.fileExists(atPath: victim))
        #expect((try? fm.destinationOfSymbolicLink(atPath: linkedFile)) == victim)
        #expect(try w.tufRepo(["verify", "--repo", w.repo]).status == 0)
    }
}
