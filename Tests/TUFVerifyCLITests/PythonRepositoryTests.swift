import Foundation
import Testing
import TUFTestSupport

/// Interop, python-tuf → tuf-verify: a repository made with python-tuf's Metadata API
/// (Tests/Interop/make_python_repo.py: consistent snapshots, hash-prefixed target copies,
/// a rotated root, a delegation, a PEP 691 page) served over HTTP on 127.0.0.1 by
/// Tests/Interop/serve.py, honest and then tampered, and the built `tuf-verify` binary.
@Suite(.enabled(if: Interop.enabled)) struct PythonRepositoryTests {
    static let targets = ["hello.txt", "docs/read me+notes.txt", "simple/demo/index.json",
                          "packages/demo-1.0.tar.gz", "packages/demo-0.9.tar.gz"]

    /// A fresh python-tuf repository and an empty client folder, removed afterwards.
    final class PythonRepository {
        let root = NSTemporaryDirectory() + "tuf-python-repo-\(UInt64.random(in: 0...UInt64.max))"
        var made: String { "\(root)/made" }
        var served: String { "\(made)/repo" }
        var client: String { "\(root)/client" }

        init() throws {
            let result = try Interop.runPython("make_python_repo.py", [made])
            guard result.status == 0 else { throw Failure(description: "make_python_repo.py: \(result.output)") }
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// The sha256 of target `path` as python-tuf signed it (from the script's manifest).
        func sha256(_ path: String) throws -> String {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(made)/manifest.json"))
            let manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            guard let hash = ((manifest?["targets"] as? [String: Any])?[path] as? [String: Any])?["sha256"] as? String else {
                throw Failure(description: "\(path) not in manifest.json")
            }
            return hash
        }

        /// Starts serve.py on the served folder with tampering `arguments`.
        func serve(_ arguments: [String] = []) throws -> LoopbackServer {
            try LoopbackServer(root: served, arguments: arguments)
        }

        /// Global options for a client of `server`, with the target folder `targets`.
        func options(_ server: LoopbackServer, targets: String = "targets") -> [String] {
            ["--metadata-dir", "\(client)/metadata", "--metadata-url", "\(server.baseURL)/metadata/",
             "--target-base-url", "\(server.baseURL)/targets/", "--target-dir", "\(client)/\(targets)"]
        }

        /// `tuf-verify init` with python-tuf's root v1.
        func initClient() throws {
            let result = try run(["--metadata-dir", "\(client)/metadata", "init", "\(made)/trusted-root.json"])
            guard result.status == 0 else { throw Failure(description: "init: \(result.output)") }
        }

        func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
            try Interop.run(CLITests.binary, arguments)
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    @Test func testRefreshAndDownloadFromPythonRepository() throws {
        let r = try PythonRepository()
        let server = try r.serve()
        defer { server.stop() }
        try r.initClient()
        let refresh = try r.run(r.options(server) + ["refresh", "--json"])
        #expect(refresh.status == 0, "\(refresh.output)")
        // Root v2 (key rotated, signed by old and new keys) was reached through the root loop.
        #expect(refresh.output.contains("\"root\":2"), "\(refresh.output)")
        #expect(refresh.output.contains("\"timestamp\":2"), "\(refresh.output)")
        let names = Self.targets.flatMap { ["--target-name", $0] }
        // Hash-prefixed names (the default under consistent snapshots), then plain names.
        for (folder, extra) in [("targets", [String]()), ("plain", ["--no-target-hash-prefix"])] {
            let download = try r.run(r.options(server, targets: folder) + names + extra + ["download"])
            #expect(download.status == 0, "\(download.output)")
            for path in Self.targets {
                let got = FileManager.default.contents(atPath: "\(r.client)/\(folder)/\(path)")
                #expect(got != nil && got == FileManager.default.contents(atPath: "\(r.served)/targets/\(path)"), "\(path)")
            }
        }
        // Already there with matching hashes: not fetched again.
        let again = try r.run(r.options(server) + ["--target-name", "hello.txt", "download"])
        #expect(again.status == 0)
        #expect(again.output.contains("already verified"))
    }

    @Test func testProjectPageFromPythonRepository() throws {
        let r = try PythonRepository()
        let server = try r.serve()
        defer { server.stop() }
        try r.initClient()
        let result = try r.run(r.options(server) + ["project", "Demo", "--json"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("{\"filename\":\"demo-0.9.tar.gz\",\"target\":\"packages/demo-0.9.tar.gz\",\"yanked\":\"broken build\"}"), "\(result.output)")
        #expect(result.output.contains("{\"filename\":\"demo-1.0.tar.gz\",\"target\":\"packages/demo-1.0.tar.gz\",\"yanked\":false}"), "\(result.output)")
    }

    @Test func testSwappedTargetIsHashMismatch() throws {
        let r = try PythonRepository()
        let hash = try r.sha256("hello.txt")
        let evil = "\(r.root)/evil.txt"
        try Data("HELLO FROM AN ATTACKER\n".prefix(22).utf8).write(to: URL(fileURLWithPath: evil))  // same length
        let server = try r.serve(["--replace", "/targets/\(hash).hello.txt", evil])
        defer { server.stop() }
        try r.initClient()
        let result = try r.run(r.options(server) + ["--target-name", "hello.txt", "download"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("hash mismatch"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(r.client)/targets/hello.txt"))
    }

    @Test func testTamperedTargetsMetadataIsBadSignature() throws {
        let r = try PythonRepository()
        let server = try r.serve(["--replace", "/metadata/1.targets.json", "\(r.made)/attacks/targets-tampered.json"])
        defer { server.stop() }
        try r.initClient()
        let result = try r.run(r.options(server) + ["--json", "refresh"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("\"code\":\"thresholdNotMet\""), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(r.client)/metadata/targets.json"))
    }

    @Test func testRolledBackTimestampIsRollback() throws {
        let r = try PythonRepository()
        try r.initClient()
        do {
            let honest = try r.serve()
            defer { honest.stop() }
            #expect(try r.run(r.options(honest) + ["refresh"]).status == 0)
        }
        let replay = try r.serve(["--replace", "/metadata/timestamp.json", "\(r.made)/attacks/timestamp-rollback.json"])
        defer { replay.stop() }
        let result = try r.run(r.options(replay) + ["refresh"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("rollback attack"), "\(result.output)")
    }

    @Test func testExpiredTimestampIsFreeze() throws {
        let r = try PythonRepository()
        let server = try r.serve(["--replace", "/metadata/timestamp.json", "\(r.made)/attacks/timestamp-expired.json"])
        defer { server.stop() }
        try r.initClient()
        let result = try r.run(r.options(server) + ["refresh"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("freeze attack"), "\(result.output)")
    }

    /// Forged for everyone, and only for this client (serve.py tampers only with requests
    /// whose User-Agent names tuf-verify; everyone else gets the honest page).
    @Test(arguments: [[String](), ["--only-user-agent", "tuf-verify"]])
    func testForgedYankOnPythonPageIsMaliciousYank(targeting: [String]) throws {
        let r = try PythonRepository()
        let page = "/targets/simple/demo/\(try r.sha256("simple/demo/index.json")).index.json"
        let server = try r.serve(["--forge-yank", page, "demo-1.0.tar.gz", "true"] + targeting)
        defer { server.stop() }
        try r.initClient()
        let result = try r.run(r.options(server) + ["project", "demo"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("malicious yank"), "\(result.output)")
        #expect(result.output.contains("demo-1.0.tar.gz"), "\(result.output)")
        #expect(!result.output.contains("demo-0.9.tar.gz"), "\(result.output)")
    }
}
