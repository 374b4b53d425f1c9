import Foundation
import Testing
import TUFTestSupport

/// The options every `tuf-repo` subcommand shares, and help screens that read as written.
@Suite struct CLIOptionTests {
    /// The subcommands that write a repository: each takes `--repo` and `--durability` from the
    /// one option group (`sign` its `--repo` as an alternative to `--file`).
    static let writing = ["init", "generate", "enqueue", "publish", "sign", "rotate", "renew", "timestamp", "prune", "rebin"]

    func run(_ args: [String]) throws -> (status: Int32, output: String) {
        try Interop.run(try BuiltBinaries.require(CLITests.binary, "tuf-repo"), args)
    }

    /// A `\` line continuation doubled inside a Swift multi-line string reaches the screen.
    @Test(.enabled(if: CLITests.enabled)) func noHelpScreenShowsABackslash() throws {
        let root = try run(["--help"])
        let subcommands = HelpText.subcommands(root.output)
        #expect(subcommands.count >= 14 && subcommands.contains("enqueue"), "\(root.output)")
        #expect(!root.output.contains("\\"))
        for sub in subcommands {
            let r = try run([sub, "--help"])
            #expect(r.status == 0, "\(sub)")
            #expect(!r.output.contains("\\"), "\(sub) --help:\n\(r.output)")
        }
    }

    @Test(.enabled(if: CLITests.enabled), arguments: writing)
    func everyWritingSubcommandTakesDurabilityAndLockWait(_ sub: String) throws {
        let help = try run([sub, "--help"]).output
        for option in ["--repo <DIR>", "--durability <MODE>", "--lock-wait <SECONDS>"] {
            #expect(help.contains(option), "\(sub) --help lacks \(option):\n\(help)")
        }
    }

    /// Given to a command that then fails for want of a repository, a valid `--durability` is
    /// accepted (exit 1, the repository's error), a bad one refused as usage (exit 2).
    @Test(.enabled(if: CLITests.enabled), arguments: [
        ["enqueue", "numpy"], ["sign", "root", "--key", "k", "--yes"], ["sign", "root", "--merge", "copy.json"],
        ["publish", "--index", "i"], ["generate", "--index", "i"],
    ])
    func durabilityIsParsed(_ args: [String]) throws {
        let dir = TempDir()
        let repo = ["--repo", dir.sub("not-a-repository")]
        let accepted = try run([args[0]] + repo + Array(args.dropFirst()) + ["--durability", "per-file"])
        #expect(accepted.status == 1, "\(args): \(accepted.output)")
        let refused = try run([args[0]] + repo + Array(args.dropFirst()) + ["--durability", "sometimes"])
        #expect(refused.status == 2 && refused.output.contains("sometimes"), "\(args): \(refused.output)")
    }
}
