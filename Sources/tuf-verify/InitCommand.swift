import ArgumentParser
import Foundation
import TUFClient

/// `init TRUSTED_ROOT`: installs the trusted root; no network.
struct InitCommand: ParsableCommand, Subcommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Install a trusted root.json (no network).",
        discussion: """
        TRUSTED_ROOT must be root metadata signed by a threshold of its own keys; it is copied to \
        --metadata-dir/root.json and every later refresh starts from it. Get it from the operators by \
        a channel you trust.
        """)
    @OptionGroup var options: GlobalOptions
    @Argument(help: "The trusted root metadata file.")
    var trustedRoot: String

    func validate() throws { try options.require(.metadataDir) }

    func execute() async throws {
        guard let data = FileManager.default.contents(atPath: trustedRoot) else {
            throw ValidationError("cannot read \(trustedRoot)")
        }
        let dir = options.metadataDir!
        // The library names the role; the operator needs to know which file was refused.
        try Output.naming(trustedRoot) { () throws(ClientError) in
            try Updater.installTrustedRoot([UInt8](data), metadataDir: dir, referenceTime: VerificationTime.now)
        }
        if options.json { Output.printJSON(["ok": true, "root": "\(dir)/root.json"]) } else { print("trusted root installed in \(dir)/root.json") }
    }
}
