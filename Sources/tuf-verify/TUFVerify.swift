import ArgumentParser
import Foundation
import TUFMetadata

/// The root command. It owns the global options: ArgumentParser lets a parent command's
/// options appear anywhere on the line, so they work before the subcommand, as in git, and
/// after it. Subcommands read them through `@ParentCommand`.
struct TUFVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuf-verify",
        abstract: "Verify metadata and downloads of a TUF repository.",
        discussion: """
        Global options may be given before or after the subcommand. \
        Exit status: 0 success, 1 verification or download failure, 2 usage error.
        """,
        subcommands: [Init.self, Refresh.self, Download.self, Project.self, Check.self, Serve.self]
    )

    @OptionGroup(title: "Global options") var options: GlobalOptions

    /// Runs a parsed command: the subcommands that fetch are async, `help` and the root are not.
    /// A function, not top-level code: there the call below resolved to the synchronous `run()`.
    static func run(_ parsed: ParsableCommand) async throws {
        if var command = parsed as? AsyncParsableCommand {
            try await command.run()
        } else {
            var command = parsed
            try command.run()
        }
    }
}

/// The time every expiry is checked against: the system clock, read once per run (`serve`
/// reads `clock` at each request instead).
enum VerificationTime {
    static let clock = WallClock.system
    static let now = clock.now()
}
