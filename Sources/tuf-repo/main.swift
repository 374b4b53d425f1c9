import ArgumentParser
import Foundation
import TUFRepository

/// `tuf-repo`: the operator's tool. Exit status 0 success, 1 failure, 2 usage.
struct TUFRepo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tuf-repo",
        abstract: "Generate, sign, rotate and refresh a PEP 458 TUF repository from a PEP 691 index snapshot.",
        discussion: """
        Offline roles (root, targets, bins) are staged in REPO/staged/ until enough operators sign; \
        online roles (bin-n, snapshot, timestamp) are signed by generate and timestamp. \
        Durations read 365d, 12h, 30m. Exit status: 0 success, 1 failure, 2 usage.
        """,
        subcommands: [Keygen.self, Init.self, Generate.self, Enqueue.self, Publish.self, Sign.self, Rotate.self, Renew.self, TimestampCommand.self,
                      Status.self, CheckExpiry.self, Verify.self, Prune.self, Rebin.self])
}

do {
    var command = try TUFRepo.parseAsRoot()
    try command.run()
} catch let error as RepositoryError {
    FileHandle.standardError.write(Data("tuf-repo: error: \(error.kind): \(error.message)\n".utf8))
    exit(1)
} catch let error as ExitCode {
    exit(error.rawValue)
} catch {
    let code = TUFRepo.exitCode(for: error)
    if code == .success {
        print(TUFRepo.fullMessage(for: error))
        exit(0)
    }
    FileHandle.standardError.write(Data((TUFRepo.fullMessage(for: error) + "\n").utf8))
    // Usage errors exit 2 (ArgumentParser's default is 64).
    exit(code == .validationFailure ? 2 : code.rawValue == 1 ? 1 : 2)
}
