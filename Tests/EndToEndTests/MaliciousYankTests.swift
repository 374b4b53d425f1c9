import Foundation
import Testing
import TUFClient
import TUFHTTPClient
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// The malicious-yank attacks of the threat model, end to end: a repository made by
/// `tuf-repo`, a mirror (Tests/Interop/serve.py) that tampers on purpose, and `tuf-verify`.
@Suite(.enabled(if: Interop.enabled)) struct MaliciousYankTests {
    /// The release the operator yanks in version 2 of the index.
    static let project = "requests-lite"
    static let release = "requests_lite-1.0.0.tar.gz"
    static let page = "simple/requests-lite/index.json"

    /// A repository whose first generation has `release` not yet yanked and whose second has
    /// it yanked, with the first generation's page and metadata kept aside for replays.
    struct YankedInVersionTwo {
        let w: Workspace
        let oldPage: String
        let oldMetadata: String

        init() throws {
            w = try Workspace()
            oldPage = "\(w.root)/old-page.json"
            try FileManager.default.copyItem(atPath: "\(w.repo)/targets/\(page)", toPath: oldPage)
            oldMetadata = try w.keepMetadata(as: "old-metadata")
            try w.setYanked(project: project, filename: release, "security issue")
            try w.generate()
        }

        /// The URL paths a client may fetch the page at now (plain and hash-prefixed).
        func pageURLPaths() throws -> [String] { ["/targets/\(page)", try w.hashedURLPath(page)] }
    }

    /// `tuf-verify project` fails with exit 1 and reports a malicious yank of `filename`.
    static func expectMaliciousYank(_ result: (status: Int32, output: String), page: String, filename: String) {
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("malicious yank"), "\(result.output)")
        #expect(result.output.contains(page), "\(result.output)")
        #expect(result.output.contains(filename), "\(result.output)")
    }

    /// (1) A release forged as yanked for everyone, with and without a reason.
    @Test(arguments: ["true", "\"forged by the mirror\""])
    func testReleaseForgedAsYankedForEveryone(value: String) throws {
        let w = try Shared.get()
        let page = "simple/demo-app/index.json", filename = "demo_app-2.0-py3-none-any.whl"
        let forge = try ["/targets/\(page)", w.hashedURLPath(page)].flatMap { ["--forge-yank", $0, filename, value] }
        let server = try w.serve(forge)
        defer { server.stop() }
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        Self.expectMaliciousYank(try client.run(client.options(server) + ["project", "demo-app"]), page: page, filename: filename)
        // The yanked-with-no-reason 2.1 is honest and is not blamed.
        let json = try client.run(client.options(server) + ["project", "demo-app", "--json"])
        #expect(json.output.contains("\"code\":\"maliciousYank\""), "\(json.output)")
        #expect(!json.output.contains("demo_app-2.1"), "\(json.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(client.targets)/\(page)"), "a forged page was kept")
    }

    /// (2) Forged for one user only: the mirror tampers with requests whose User-Agent names
    /// tuf-verify (`tuf-verify/<version>`), and serves the honest page to everyone else:
    /// python-tuf's client (`python-tuf/<version>`) and this package's library client with
    /// HTTPFetcher's default agent (`swift-tuf/<version>`), which verify it.
    @Test func testReleaseForgedAsYankedForOneUserOnly() async throws {
        let w = try Shared.get()
        let page = "simple/demo-app/index.json", filename = "demo_app-2.0-py3-none-any.whl"
        let pageURLPaths = try ["/targets/\(page)", w.hashedURLPath(page)]
        let forge = pageURLPaths.flatMap { ["--forge-yank", $0, filename, "true"] }
        let server = try w.serve(forge + ["--only-user-agent", "tuf-verify"])
        defer { server.stop() }
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        Self.expectMaliciousYank(try client.run(client.options(server) + ["project", "demo-app"]), page: page, filename: filename)
        let python = try PythonClient()
        let honest = try python.fetch([page], metadataURL: "\(server.baseURL)/metadata/", targetsURL: "\(server.baseURL)/targets/",
                                      trustedRoot: "\(w.metadata)/1.root.json")
        #expect(honest.status == 0, "\(honest.output)")
        #expect(honest.lines[page]?["sha256"] as? String == sha256(try w.published("targets/" + page)))
        // The library client, another agent, verifies the page it gets: the honest one.
        let library = try Workspace.makeTemporaryFolder("tuf-e2e-library")
        defer { try? FileManager.default.removeItem(atPath: library) }
        try FileManager.default.createDirectory(atPath: "\(library)/metadata", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(w.metadata)/1.root.json", toPath: "\(library)/metadata/root.json")
        let verified = try await HTTPFetcher.withFetcher { fetcher in
            #expect(!fetcher.userAgent.contains("tuf-verify"))
            let updater = try Updater(metadataDir: "\(library)/metadata", metadataBaseURL: "\(server.baseURL)/metadata/",
                                      targetBaseURL: "\(server.baseURL)/targets/", fetcher: fetcher,
                                      referenceTime: Expiry(secondsSinceEpoch: Int64(Date().timeIntervalSince1970)))
            try await updater.refresh()
            return try await updater.verifyProject("demo-app")
        }
        #expect(verified.page == Array(try w.published("targets/" + page)))
        #expect(verified.files.contains { $0.filename == filename })
        // The mirror did tamper, and only with tuf-verify's requests for the page.
        let events = server.events().filter { pageURLPaths.contains($0.path) }
        let tampered = events.filter { $0.kind == "tampered" }
        #expect(!tampered.isEmpty && tampered.allSatisfy { $0.detail.hasPrefix("tuf-verify/") }, "\(events)")
        let others = events.filter { $0.kind == "accepted" && !$0.detail.hasPrefix("tuf-verify/") }.map(\.detail)
        #expect(others.contains { $0.hasPrefix("swift-tuf/") } && others.contains { $0.hasPrefix("python-tuf/") }, "\(events)")
    }

    /// (3) The page of version 1, where the release was not yet yanked, replayed at the page
    /// URLs after the operator yanked it: the page no longer matches its signed hash, and the
    /// difference is the signed yank.
    @Test func testOldPageReplayedBeforeTheYank() throws {
        let r = try YankedInVersionTwo()
        let server = try r.w.serve(try r.pageURLPaths().flatMap { ["--replace", $0, r.oldPage] })
        defer { server.stop() }
        let client = try VerifyClient(trustedRoot: "\(r.w.metadata)/1.root.json")
        Self.expectMaliciousYank(try client.run(client.options(server) + ["project", Self.project]), page: Self.page, filename: Self.release)
        // Through `download` (no page semantics) the same bytes are a plain hash mismatch.
        let download = try client.run(client.options(server) + ["--target-name", Self.page, "download"])
        #expect(download.status == 1, "\(download.output)")
        // (The test's edit of the index changed the page's layout, so its length differs too.)
        #expect(download.output.contains("length mismatch") || download.output.contains("hash mismatch"), "\(download.output)")
        #expect(download.output.contains(Self.page), "\(download.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(client.targets)/\(Self.page)"))
    }

    /// (3) Old metadata (timestamp, snapshot, or the page's bin) of version 1 replayed at the
    /// current URLs to a client that has seen version 2 (the yank), once the repository moved
    /// on to version 3. The client refuses it and keeps what it trusted.
    @Test(arguments: ["timestamp", "snapshot", "bin"])
    func testOldMetadataReplayedAfterTheClientSawTheYank(role: String) throws {
        let r = try YankedInVersionTwo()
        let oldBin = try bin(listing: Self.page, in: r.oldMetadata)
        let client = try VerifyClient(trustedRoot: "\(r.w.metadata)/1.root.json")
        do {
            let honest = try r.w.serve()
            defer { honest.stop() }
            let seen = try client.run(client.options(honest) + ["project", Self.project, "--json"])
            #expect(seen.status == 0 && seen.output.contains("\"yanked\":\"security issue\""), "\(seen.output)")
        }
        let trusted = try client.trustedVersion(role == "bin" ? oldBin : role)
        #expect(trusted != nil)
        // Version 3: the wheel of the same release is yanked too.
        try r.w.setYanked(project: Self.project, filename: "requests_lite-1.0.0-py3-none-any.whl", "security issue")
        try r.w.generate()
        let replace: [String]
        switch role {
        case "timestamp":
            replace = ["/metadata/timestamp.json", "\(r.oldMetadata)/timestamp.json"]
        case "snapshot":
            replace = ["/metadata/\(try r.w.version(of: "snapshot")).snapshot.json", "\(r.oldMetadata)/1.snapshot.json"]
        default:
            let bin = try r.w.bin(listing: Self.page)
            #expect(bin == oldBin)
            let oldVersion = try highestVersion(of: oldBin, in: r.oldMetadata)
            replace = ["/metadata/\(try r.w.version(of: bin)).\(bin).json", "\(r.oldMetadata)/\(oldVersion).\(oldBin).json"]
        }
        let server = try r.w.serve(["--replace"] + replace)
        defer { server.stop() }
        let result = try client.run(client.options(server) + ["project", Self.project])
        #expect(result.status == 1, "\(result.output)")
        // The timestamp lists the snapshot's hash, so an old snapshot fails that check first.
        let verdicts = ["timestamp": "rollback attack", "snapshot": "hash mismatch", "bin": "rollback attack"]
        #expect(result.output.contains(verdicts[role]!), "\(result.output)")
        #expect(result.output.contains(role == "bin" ? oldBin : role), "\(result.output)")
        // The replayed role's trusted copy is still the one from version 2.
        #expect(try client.trustedVersion(role == "bin" ? oldBin : role) == trusted)
    }

    /// (4) Yanked in version 2, then un-yanked by the mirror.
    @Test func testYankedReleaseForgedAsNotYanked() throws {
        let r = try YankedInVersionTwo()
        let server = try r.w.serve(try r.pageURLPaths().flatMap { ["--forge-yank", $0, Self.release, "false"] })
        defer { server.stop() }
        let client = try VerifyClient(trustedRoot: "\(r.w.metadata)/1.root.json")
        Self.expectMaliciousYank(try client.run(client.options(server) + ["project", Self.project]), page: Self.page, filename: Self.release)
    }

    /// (5) A frozen client: the mirror stopped following the repository and keeps serving
    /// the timestamp it had, now expired. `tuf-repo` refuses to sign an already-expired
    /// timestamp (`--expires timestamp=0s` is rejected), so the test re-signs the published
    /// timestamp, same version and snapshot, with an expiry in the past, using the example
    /// timestamp key.
    @Test func testExpiredTimestampIsAFreeze() throws {
        let w = try Shared.get()
        var timestamp = try Metadata<Timestamp>(bytes: Array(try w.published("metadata/timestamp.json")))
        timestamp.signed.common.expires = Expiry(iso8601: "2020-01-01T00:00:00Z")!
        timestamp.signatures = []
        _ = try timestamp.sign(with: try KeyFiles.loadPrivate(w.pem("timestamp"), passphrase: nil))
        let stale = NSTemporaryDirectory() + "tuf-e2e-expired-timestamp-\(UInt64.random(in: 0...UInt64.max)).json"
        try Data(timestamp.encoded()).write(to: URL(fileURLWithPath: stale))
        defer { try? FileManager.default.removeItem(atPath: stale) }
        let server = try w.serve(["--replace", "/metadata/timestamp.json", stale])
        defer { server.stop() }
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let result = try client.run(client.options(server) + ["project", "zeta"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("freeze attack"), "\(result.output)")
        #expect(result.output.contains("timestamp"), "\(result.output)")
        let python = try PythonClient()
        let frozen = try python.fetch(["simple/zeta/index.json"], metadataURL: "\(server.baseURL)/metadata/",
                                      targetsURL: "\(server.baseURL)/targets/", trustedRoot: "\(w.metadata)/1.root.json")
        #expect(frozen.status == 1 && frozen.output.contains("ExpiredMetadataError"), "\(frozen.output)")
    }
}
