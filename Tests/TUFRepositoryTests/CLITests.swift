import Foundation
import Testing
import TUFMetadata
import TUFTestSupport

/// The `tuf-repo` binary built beside the tests: exit codes and the commands end to end.
@Suite struct CLITests {
    static let binary: String? = BuiltBinaries.tufRepo
    /// Found, or required by `Scripts/test` (a missing binary then fails, never skips).
    static let enabled = BuiltBinaries.testsRun(binary)

    /// `init` with every required option (the key files are not read before validation).
    static let initArguments = ["init", "--repo", "x", "--root-key", "k", "--root-threshold", "1", "--targets-key", "k",
                                "--bins-key", "k", "--bin-n-key", "k", "--snapshot-key", "k", "--timestamp-key", "k"]

    static let keys = Interop.projectRoot.appendingPathComponent("keys-example/keys").path
    static let index = Interop.projectRoot.appendingPathComponent("keys-example/index").path

    func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        return try Interop.run(try BuiltBinaries.require(Self.binary, "tuf-repo"), args, environment: environment)
    }

    @Test(.enabled(if: enabled)) func everySubcommandHasHelp() throws {
        for sub in ["keygen", "init", "generate", "sign", "rotate", "timestamp", "status", "verify"] {
            let r = try run([sub, "--help"])
            #expect(r.status == 0, "\(sub)")
            #expect(r.output.contains("USAGE"), "\(sub)")
        }
    }

    @Test(.enabled(if: enabled), arguments: [
        ["verify"], ["generate", "--repo", "/nonexistent"], ["timestamp", "--repo", "x", "--key", "k", "--if-expiring-within", "12x"],
        ["rotate", "--repo", "x", "nobody", "--threshold", "1"], ["sign", "--yes", "--repo", "x", "snapshot", "--key", "k"], ["no-such-command"],
        initArguments + ["--expires", "timestamp=0s"], initArguments + ["--bins", "3"],
    ])
    func usageErrorsExitTwo(_ args: [String]) throws {
        #expect(try run(args).status == 2)
    }

    @Test(.enabled(if: enabled)) func endToEndWithExampleKeysAndIndex() throws {
        let dir = TempDir()
        // Copies made private: git does not keep modes, and tuf-repo refuses exposed key files.
        let repo = dir.sub("repo"), k = dir.sub("keys")
        try FileManager.default.copyItem(atPath: Self.keys, toPath: k)
        for name in try FileManager.default.contentsOfDirectory(atPath: k) where name.hasSuffix(".pem") {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(k)/\(name)")
        }
        let initArgs = ["init", "--repo", repo, "--bins", "16", "--durability", "none",
                        "--root-key", "\(k)/root1.pub.json", "--root-key", "\(k)/root2.pub.json", "--root-key", "\(k)/root3.pub.json",
                        "--root-threshold", "2", "--targets-key", "\(k)/targets.pub.json", "--bins-key", "\(k)/bins.pub.json",
                        "--bin-n-key", "\(k)/bin-n.pub.json", "--snapshot-key", "\(k)/snapshot.pub.json",
                        "--timestamp-key", "\(k)/timestamp.pub.json", "--expires", "timestamp=12h",
                        "--sign-with", "\(k)/root1.pem", "--sign-with", "\(k)/targets.pem", "--sign-with", "\(k)/bins.pem"]
        #expect(try run(initArgs).status == 0)
        // The encrypted third root key, passphrase from the environment.
        let sign = try run(["sign", "--yes", "--repo", repo, "root", "--key", "\(k)/root3.pem", "--passphrase-env", "EXAMPLE_PASS"],
                           env: ["EXAMPLE_PASS": "example-only"])
        #expect(sign.status == 0, "\(sign.output)")
        let wrong = try run(["sign", "--yes", "--repo", repo, "root", "--key", "\(k)/root3.pem", "--passphrase-env", "EXAMPLE_PASS"],
                            env: ["EXAMPLE_PASS": "nope"])
        #expect(wrong.status == 1)
        #expect(!wrong.output.contains("nope"))
        let online = ["--key", "\(k)/bin-n.pem", "--key", "\(k)/snapshot.pem", "--key", "\(k)/timestamp.pem"]
        let gen = try run(["generate", "--repo", repo, "--index", Self.index, "--link-files", "--durability", "none", "--progress"] + online)
        #expect(gen.status == 0, "\(gen.output)")
        // Progress on stderr: pages read and bins checked, each out of its total.
        #expect(gen.output.contains("pages read: 5/5"), "\(gen.output)")
        #expect(gen.output.contains("bins checked: 16/16"), "\(gen.output)")
        #expect(try run(["verify", "--repo", repo]).status == 0)
        #expect(try run(["generate", "--repo", repo, "--index", Self.index] + online).output.contains("nothing published"))
        let fresh = try run(["timestamp", "--repo", repo, "--key", "\(k)/timestamp.pem", "--if-expiring-within", "1h"])
        #expect(fresh.status == 0 && fresh.output.contains("fresh"))
        let due = try run(["timestamp", "--repo", repo, "--key", "\(k)/timestamp.pem", "--if-expiring-within", "13h"])
        #expect(due.status == 0 && due.output.contains("refreshed"))
        let status = try run(["status", "--repo", repo, "--json"])
        #expect(status.status == 0 && status.output.contains("\"published\""))
        // A wrong key for the timestamp fails with 1 and names the role.
        let bad = try run(["timestamp", "--repo", repo, "--key", "\(k)/snapshot.pem"])
        #expect(bad.status == 1 && bad.output.contains("timestamp"))
        // Tampering is caught by verify, exit 1.
        let page = repo + "/targets/simple/zeta/index.json"
        try FileManager.default.removeItem(atPath: page)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: page))
        let v = try run(["verify", "--repo", repo])
        #expect(v.status == 1 && v.output.contains("FAULT: targets/simple/zeta/index.json"))
    }

    @Test(.enabled(if: enabled)) func keygenMakesA0600KeyAndAPublicKeyFile() throws {
        let dir = TempDir()
        let r = try run(["keygen", "--type", "ecdsa", "--out", dir.sub("k")])
        #expect(r.status == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: dir.sub("k.pem"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(FileManager.default.fileExists(atPath: dir.sub("k.pub.json")))
        #expect(try run(["keygen", "--out", dir.sub("k")]).status == 1)
        #expect(try run(["keygen", "--out", dir.sub("e"), "--passphrase-env", "UNSET_VARIABLE_FOR_TEST"]).status == 1)
    }
}
