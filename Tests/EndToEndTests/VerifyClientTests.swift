import Foundation
import Testing
import TUFRepository
import TUFTestSupport

/// tuf-repo → tuf-verify: the client CLI against a repository made by the operator CLI,
/// served on 127.0.0.1.
@Suite(.enabled(if: Interop.enabled)) struct VerifyClientTests {
    static let page = "simple/tiny-utils/index.json"
    static let file = "packages/zeta/zeta-0.0.1.tar.gz"

    @Test func testInitRefreshDownloadAndNoSecondFetch() throws {
        let w = try Shared.get()
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        do {
            let server = try w.serve()
            defer { server.stop() }
            let refresh = try client.run(client.options(server) + ["refresh", "--json"])
            #expect(refresh.status == 0, "\(refresh.output)")
            #expect(refresh.output.contains("\"root\":1"), "\(refresh.output)")
            let download = try client.run(client.options(server) + ["--target-name", Self.page, "--target-name", Self.file, "download"])
            #expect(download.status == 0, "\(download.output)")
            for target in [Self.page, Self.file] {
                #expect(FileManager.default.contents(atPath: "\(client.targets)/\(target)") == FileManager.default.contents(atPath: "\(w.index)/\(target)"), "\(target)")
            }
        }
        // A server that fails every fetch of those two targets: the second download must not ask.
        let broken = try w.serve(["--status", try w.hashedURLPath(Self.page), "500", "--status", try w.hashedURLPath(Self.file), "500"])
        defer { broken.stop() }
        let again = try client.run(client.options(broken) + ["--target-name", Self.page, "--target-name", Self.file, "download"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("\(Self.page): already verified"), "\(again.output)")
        #expect(again.output.contains("\(Self.file): already verified"), "\(again.output)")
        // A new client does ask, and gets the server's failure.
        let fresh = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let fails = try fresh.run(fresh.options(broken) + ["--target-name", Self.file, "download"])
        #expect(fails.status == 1, "\(fails.output)")
    }

    /// One connection per run: a fresh `refresh`, then a `download`, against a mirror that keeps
    /// connections alive (as real mirrors do), each send every request over one connection,
    /// the 404 that ends the root chain included. (With a URLSession per fetch every request
    /// had a connection of its own.)
    @Test func testFreshRefreshAndDownloadReuseOneConnection() throws {
        let w = try Shared.get()
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let server = try w.serve(["--keep-alive"])
        defer { server.stop() }
        let refresh = try client.run(client.options(server) + ["refresh"])
        #expect(refresh.status == 0, "\(refresh.output)")
        let first = server.events()
        let download = try client.run(client.options(server) + ["--target-name", Self.page, "--target-name", Self.file, "download"])
        #expect(download.status == 0, "\(download.output)")
        for events in [first, Array(server.events().dropFirst(first.count))] {
            let requests = events.filter { $0.kind == "accepted" }.count
            let connections = events.filter { $0.kind == "connected" }.count
            #expect(requests >= 4 && connections == 1, "\(requests) requests over \(connections) connections: \(events)")
        }
    }

    /// `--no-target-hash-prefix` with the index folder as the file host.
    @Test func testDownloadFromTheIndexLayoutWithoutHashPrefix() throws {
        let w = try Shared.get()
        let metadata = try w.serve()
        defer { metadata.stop() }
        let files = try LoopbackServer(root: w.index)
        defer { files.stop() }
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let download = try client.run(client.options(metadata, targetBase: "\(files.baseURL)/")
            + ["--no-target-hash-prefix", "--target-name", Self.page, "--target-name", Self.file, "download"])
        #expect(download.status == 0, "\(download.output)")
        for target in [Self.page, Self.file] {
            #expect(FileManager.default.contents(atPath: "\(client.targets)/\(target)") == FileManager.default.contents(atPath: "\(w.index)/\(target)"), "\(target)")
        }
    }

    /// `project NAME` prints every file of the page with its signed yank state.
    @Test func testProjectPrintsEachFilesSignedYankState() throws {
        let w = try Shared.get()
        let server = try w.serve()
        defer { server.stop() }
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let json = try client.run(client.options(server) + ["project", "Demo_App", "--json"])
        #expect(json.status == 0, "\(json.output)")
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        #expect(object?["page"] as? String == "simple/demo-app/index.json")
        var states: [String: String] = [:]
        for f in object?["files"] as? [[String: Any]] ?? [] {
            let yanked: String = if let reason = f["yanked"] as? String { "reason " + reason } else { "\(f["yanked"] as? Bool ?? false)" }
            states[f["filename"] as? String ?? "?"] = yanked
        }
        #expect(states == ["demo_app-2.0-py3-none-any.whl": "false", "demo_app-2.1-py3-none-any.whl": "true"], "\(json.output)")

        let text = try client.run(client.options(server) + ["project", "tiny-utils"])
        #expect(text.status == 0, "\(text.output)")
        let reason = try PythonClientTests.reason(in: w)
        for line in ["simple/tiny-utils/index.json: verified, 3 file(s)", "tiny_utils-0.2.tar.gz", reason, "tiny_utils-0.1.tar.gz", "tiny_utils-0.3.tar.gz"] {
            #expect(text.output.contains(line), "\(line) in \(text.output)")
        }
    }

    /// Incremental publication seen end to end: one project gains a file; exactly one bin,
    /// the snapshot and the timestamp change in REPO/metadata, and a client that refreshed
    /// before downloads the new file.
    @Test func testIncrementalGenerateChangesOneBinAndTheClientFollows() throws {
        let w = try Workspace()
        let pagePath = "simple/zeta/index.json"
        // A file name whose path falls in the page's bin (the first hex digit of the path's
        // SHA-256 picks one of 16 bins), so one bin holds the whole change.
        let wanted = sha256(pagePath).prefix(1)
        guard let n = (2..<200).first(where: { sha256("packages/zeta/zeta-0.0.\($0).tar.gz").prefix(1) == wanted }) else {
            throw Failure("no file name in the page's bin")
        }
        let newFile = "packages/zeta/zeta-0.0.\(n).tar.gz"
        let client = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let server = try w.serve()
        defer { server.stop() }
        #expect(try client.run(client.options(server) + ["--target-name", Self.file, "download"]).status == 0)

        let before = try w.metadataFiles()
        let bin = try w.bin(listing: pagePath)
        let (binVersion, snapshotVersion) = (try w.version(of: bin), try w.version(of: "snapshot"))
        try w.addFile(project: "zeta", filename: "zeta-0.0.\(n).tar.gz", content: "zeta release \(n)\n")
        try w.generate()
        let after = try w.metadataFiles()
        let changed = Set(after.keys.filter { before[$0] != after[$0] })
        #expect(changed == ["\(binVersion + 1).\(bin).json", "\(snapshotVersion + 1).snapshot.json", "timestamp.json"])
        #expect(before.keys.allSatisfy { after[$0] != nil }, "a published file was removed")
        #expect(try w.bin(listing: newFile) == bin)

        let download = try client.run(client.options(server) + ["--target-name", newFile, "download"])
        #expect(download.status == 0, "\(download.output)")
        #expect(FileManager.default.contents(atPath: "\(client.targets)/\(newFile)") == Data("zeta release \(n)\n".utf8))
        #expect(try client.trustedVersion("snapshot") == snapshotVersion + 1)
        #expect(try client.trustedVersion(bin) == binVersion + 1)
    }
}

/// `tuf-repo generate` while another run holds the repository's lock (no Python needed).
@Suite struct ProcessTests {
    @Test func testGenerateWhileLockedExitsOneWithAClearMessage() throws {
        let w = try Workspace()
        try w.addFile(project: "zeta", filename: "zeta-9.tar.gz", content: "nine")
        let before = try w.metadataFiles()
        let held = try RepositoryLock(repository: w.repo)
        var args = ["generate", "--repo", w.repo, "--index", w.index, "--lock-wait", "0.2"]
        for k in Workspace.onlineKeys { args += ["--key", w.pem(k)] }
        let blocked = try w.tufRepo(args, check: false)
        #expect(blocked.status == 1, "\(blocked.output)")
        #expect(blocked.output.contains("locked by another tuf-repo run"), "\(blocked.output)")
        #expect(try w.metadataFiles() == before, "published while locked")
        held.release()
        #expect(try w.tufRepo(args).output.contains("published"))
    }
}
