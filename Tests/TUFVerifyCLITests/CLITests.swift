import Foundation
import Testing
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// Runs the built `tuf-verify` against a `file://` repository written by the simulator.
@Suite struct CLITests {
    /// The built binary (BuiltBinaries), or `tuf-verify` from PATH as a last resort.
    static var binary: String { BuiltBinaries.tufVerify ?? "tuf-verify" }

    /// A repository on disk and a client folder.
    final class Setup {
        let root = NSTemporaryDirectory() + "tuf-verify-cli-\(UInt64.random(in: 0...UInt64.max))"
        let sim: RepositorySimulator
        var repo: String { "\(root)/repo" }
        var client: String { "\(root)/client" }
        var common: [String] {
            ["--metadata-dir", "\(client)/metadata", "--metadata-url", "file://\(repo)/metadata/",
             "--target-base-url", "file://\(repo)/targets/", "--target-dir", "\(client)/targets"]
        }

        init(expires: Expiry = Expiry(iso8601: "2099-01-01T00:00:00Z")!) throws {
            sim = RepositorySimulator(expires: expires)
            sim.addTarget("targets", Array("hello".utf8), "dir/hello.txt")
            sim.updateSnapshot()
            try sim.write(to: repo)
            try FileManager.default.createDirectory(atPath: client, withIntermediateDirectories: true)
            try Data(sim.signedRoots[0]).write(to: URL(fileURLWithPath: "\(root)/trusted-root.json"))
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        func run(_ args: [String]) throws -> (status: Int32, output: String) {
            try Interop.run(CLITests.binary, args)
        }
    }

    @Test func initRefreshDownloadSucceed() throws {
        let s = try Setup()
        #expect(try s.run(["--metadata-dir", "\(s.client)/metadata", "init", "\(s.root)/trusted-root.json"]).status == 0)
        let refresh = try s.run(s.common + ["refresh"])
        #expect(refresh.status == 0, "\(refresh.output)")
        // Options after the subcommand work as well.
        let download = try s.run(["download"] + s.common + ["--target-name", "dir/hello.txt", "--json"])
        #expect(download.status == 0, "\(download.output)")
        #expect(download.output.contains("\"downloaded\":true"))
        #expect(FileManager.default.contents(atPath: "\(s.client)/targets/dir/hello.txt") == Data("hello".utf8))
        let again = try s.run(s.common + ["--target-name", "dir/hello.txt", "download"])
        #expect(again.status == 0)
        #expect(again.output.contains("already verified"))
    }

    @Test func initRejectsNonRoot() throws {
        let s = try Setup()
        let result = try s.run(["--metadata-dir", "\(s.client)/metadata", "init", "\(s.repo)/metadata/timestamp.json"])
        #expect(result.status == 1)
        #expect(result.output.contains("malformed"))
    }

    @Test func initRefusesARootSignedTwiceByOneKey() throws {
        // 2-of-2 over ed1 in lower- and upper-case hex: one key, so the threshold is not met.
        let s = try Setup()
        let file = "\(s.root)/one-key-twice.root.json"
        try Data(KeySpellings.rootSignedTwiceByOneKey("ed1")).write(to: URL(fileURLWithPath: file))
        let result = try s.run(["--metadata-dir", "\(s.client)/metadata", "init", file])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("threshold"), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(s.client)/metadata/root.json"))
    }

    @Test func usageErrorsExitTwo() throws {
        let s = try Setup()
        #expect(try s.run(["refresh"]).status == 2)
        #expect(try s.run(["frobnicate"]).status == 2)
        #expect(try s.run(s.common + ["download"]).status == 2)
        #expect(try s.run(["--help"]).status == 0)
    }

    @Test func tamperedTargetExitsOneNamingTheFault() throws {
        let s = try Setup()
        _ = try s.run(["--metadata-dir", "\(s.client)/metadata", "init", "\(s.root)/trusted-root.json"])
        let hash = Hex.encode(Hash.digest(.sha256, Array("hello".utf8)))
        try Data("HELLO".utf8).write(to: URL(fileURLWithPath: "\(s.repo)/targets/dir/\(hash).hello.txt"))
        let result = try s.run(s.common + ["--target-name", "dir/hello.txt", "download"])
        #expect(result.status == 1)
        #expect(result.output.contains("hash mismatch"))
        #expect(!FileManager.default.fileExists(atPath: "\(s.client)/targets/dir/hello.txt"))
        let json = try s.run(s.common + ["--target-name", "dir/hello.txt", "--json", "download"])
        #expect(json.status == 1)
        #expect(json.output.contains("\"code\":\"hashMismatch\""))
    }

    @Test func expiredRepositoryIsFreeze() throws {
        let s = try Setup(expires: Expiry(iso8601: "2001-01-01T00:00:00Z")!)
        _ = try s.run(["--metadata-dir", "\(s.client)/metadata", "init", "\(s.root)/trusted-root.json"])
        let result = try s.run(s.common + ["refresh"])
        #expect(result.status == 1)
        #expect(result.output.contains("freeze"))
    }
}
