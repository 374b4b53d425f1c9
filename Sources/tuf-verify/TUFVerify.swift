import ArgumentParser
import Foundation
import TUFMetadata

/// The root command: only groups the subcommands.
struct TUFVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuf-verify",
        abstract: "Verify metadata and downloads of a TUF repository.",
        discussion: "Global options may be given before or after the subcommand. Exit status: 0 success, 1 verification or download failure, 2 usage error.",
        subcommands: [InitCommand.self, RefreshCommand.self, DownloadCommand.self, ProjectCommand.self]
    )
}

/// The time every expiry is checked against: the system clock, read once per run.
enum VerificationTime {
    static let now = Expiry(secondsSinceEpoch: Int64(time(nil)))
}

/// A subcommand: `execute()` does its work (async, so ArgumentParser's synchronous `run()`
/// is not used).
protocol Subcommand {
    func execute() async throws
}
