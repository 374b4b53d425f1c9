import Foundation
import Testing
import TUFTestSupport

/// The command line as ArgumentParser reads it: global options before the subcommand (as in
/// git), after it, or both; usage errors exit 2; every subcommand's help says what it checks.
@Suite struct CommandLineTests {
    typealias Setup = CLITests.Setup

    static func installed() throws -> Setup {
        let s = try Setup()
        let result = try s.run(["--metadata-dir", "\(s.client)/metadata", "init", "\(s.root)/trusted-root.json"])
        #expect(result.status == 0, "\(result.output)")
        return s
    }

    @Test func globalOptionsBeforeAfterOrAroundTheSubcommand() throws {
        let s = try Self.installed()
        let orders = [s.common + ["refresh", "--json"], ["refresh", "--json"] + s.common,
                      Array(s.common.prefix(2)) + ["--json", "refresh"] + s.common.dropFirst(2)]
        let results = try orders.map(s.run)
        for (args, result) in zip(orders, results) {
            #expect(result.status == 0, "\(args): \(result.output)")
            #expect(result.output.hasPrefix("{\"ok\":true,\"versions\":{\"root\":1,"), "\(args): \(result.output)")
            #expect(result.output == results[0].output, "\(args)")
        }
    }

    @Test func optionsWithEqualsSignAndTargetNamesOnBothSides() throws {
        let s = try Self.installed()
        let joined = ["--metadata-dir=\(s.client)/metadata", "--metadata-url=file://\(s.repo)/metadata/",
                      "--target-base-url=file://\(s.repo)/targets/", "--target-dir=\(s.client)/targets"]
        let result = try s.run(["--target-name=dir/hello.txt"] + joined + ["download", "--target-name", "dir/hello.txt"])
        #expect(result.status == 0, "\(result.output)")
        // Both names are processed in order: fetched, then found already verified.
        #expect(result.output.contains("dir/hello.txt: downloaded and verified"), "\(result.output)")
        #expect(result.output.contains("dir/hello.txt: already verified"), "\(result.output)")
    }

    @Test(arguments: [
        (["refresh"], "missing --metadata-dir"),
        (["--metadata-dir", "/nonexistent", "refresh"], "missing --metadata-url"),
        (["--metadata-dir", "/nonexistent", "--metadata-url", "file:///nonexistent/", "--target-base-url", "file:///x/",
          "--target-dir", "/nonexistent", "download"], "give at least one --target-name"),
        (["--metadata-dir", "/nonexistent", "init"], "Missing expected argument '<trusted-root>'"),
        (["--no-such-option", "refresh"], "Unknown option '--no-such-option'"),
        (["frobnicate"], "Unexpected argument 'frobnicate'"),
    ])
    func usageErrorsExitTwoWithArgumentParsersMessage(args: [String], message: String) throws {
        let result = try Interop.run(CLITests.binary, args)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains(message), "\(result.output)")
        #expect(result.output.contains("Usage: tuf-verify"), "\(result.output)")
    }

    @Test func usageErrorAsJSON() throws {
        let result = try Interop.run(CLITests.binary, ["refresh", "--json"])
        #expect(result.status == 2)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == false)
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["code"] as? String == "usage")
        #expect((error["message"] as? String)?.contains("missing --metadata-dir") == true)
    }

    /// Each subcommand's help says what it checks and which global options it needs.
    @Test(arguments: [
        ("init", ["threshold", "--metadata-dir <dir>"]),
        ("refresh", ["rollback", "freeze", "mix-and-match", "--metadata-dir <dir> --metadata-url <url>"]),
        ("download", ["signed hash", "--target-dir <dir>", "--target-name <path>"]),
        ("project", ["malicious yank", "hash mismatch", "--target-base-url <url>"]),
    ])
    func subcommandHelpSaysWhatItChecks(subcommand: String, mentions: [String]) throws {
        for args in [[subcommand, "--help"], ["help", subcommand]] {
            let result = try Interop.run(CLITests.binary, args)
            #expect(result.status == 0, "\(args): \(result.output)")
            let text = result.output.replacingOccurrences(of: "\n", with: " ")
            for word in mentions { #expect(text.contains(word), "\(args): \(word) in \(result.output)") }
        }
    }

    /// A `\` line continuation doubled inside a Swift multi-line string reaches the screen.
    @Test func noHelpScreenShowsABackslash() throws {
        let root = try Interop.run(CLITests.binary, ["--help"])
        let subcommands = HelpText.subcommands(root.output)
        #expect(subcommands.contains("serve") && subcommands.contains("check"), "\(root.output)")
        #expect(!root.output.contains("\\"))
        for sub in subcommands {
            let r = try Interop.run(CLITests.binary, [sub, "--help"])
            #expect(r.status == 0, "\(sub)")
            #expect(!r.output.contains("\\"), "\(sub) --help:\n\(r.output)")
        }
    }

    @Test func rootHelpListsTheGlobalOptionsAndSubcommands() throws {
        let result = try Interop.run(CLITests.binary, ["--help"])
        #expect(result.status == 0)
        for word in ["--metadata-dir", "--target-name", "--json", "before or after the subcommand", "init", "refresh", "download", "project"] {
            #expect(result.output.contains(word), "\(word)")
        }
    }
}
