// tuf-verify: the TUF client. Reads the clock once, parses the command line (global options
// may come before the subcommand), runs one subcommand. Exit 0 success, 1 verification or
// download failure, 2 usage error.
import ArgumentParser
import Foundation
import TUFClient

_ = VerificationTime.now
let arguments = ArgumentOrder.globalOptionsAfterSubcommand(Array(CommandLine.arguments.dropFirst()))
let wantsJSON = arguments.contains("--json")
do {
    var command = try TUFVerify.parseAsRoot(arguments)
    if let subcommand = command as? Subcommand {
        try await subcommand.execute()
    } else {
        try command.run()
    }
} catch let error as ClientError {
    Output.failure(error, json: wantsJSON)
    exit(1)
} catch {
    let code = TUFVerify.exitCode(for: error)
    let message = TUFVerify.fullMessage(for: error)
    if code == .success {
        print(message)
        exit(0)
    }
    if wantsJSON {
        Output.printJSON(["ok": false, "error": ["code": "usage", "message": message]])
    } else {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
    exit(2)
}
