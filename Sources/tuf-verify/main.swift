// tuf-verify: the TUF client. Reads the clock once, lets ArgumentParser parse the command line
// and run one subcommand. Exit 0 success, 1 verification or download failure, 2 usage error
// (ArgumentParser's own `main()` would exit 64 and print errors its way, hence this file).
import ArgumentParser
import Foundation
import TUFClient

_ = VerificationTime.now
let arguments = Array(CommandLine.arguments.dropFirst())
// Errors are JSON too with --json; looked for in the raw arguments, since after a usage error
// nothing was parsed.
let wantsJSON = arguments.contains("--json")
do {
    try await TUFVerify.run(try TUFVerify.parseAsRoot(arguments))
} catch let error as ClientError {
    Output.failure(error, json: wantsJSON)
    exit(1)
} catch let code as ExitCode where code.rawValue == 1 {
    // A subcommand that reported its failures itself (check).
    exit(1)
} catch {
    let message = TUFVerify.fullMessage(for: error)
    if TUFVerify.exitCode(for: error) == .success {
        print(message)
        exit(0)
    }
    Output.usageError(message, json: wantsJSON)
    exit(2)
}
