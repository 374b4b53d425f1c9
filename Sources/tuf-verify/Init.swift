import ArgumentParser
import Foundation
import TUFCanonicalJSON
import TUFClient

/// `init TRUSTED_ROOT`: installs the trusted root; no network.
struct Init: ParsableCommand {
    static let needs: [GlobalOptions.Need] = [.metadataDir]
    static let configuration = CommandConfiguration(
        abstract: "Install a trusted root.json (no network).",
        usage: GlobalOptions.usage("init", needs: needs, arguments: "<trusted-root>"),
        discussion: """
        TRUSTED_ROOT must be root metadata signed by a threshold of its own keys (each key counted \
        once); it is copied to --metadata-dir/root.json and every later refresh starts from it. Get it \
        from the operators by a channel you trust.
        """)
    @ParentCommand var parent: TUFVerify
    @Argument(help: "The trusted root metadata file.")
    var trustedRoot: String

    private var options: GlobalOptions { parent.options }

    func validate() throws { try options.require(Self.needs) }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: trustedRoot) else {
            throw ValidationError("cannot read \(trustedRoot)")
        }
        let dir = options.metadataDir!
        // The library names the role; the operator needs to know which file was refused.
        try Output.naming(trustedRoot) { () throws(ClientError) in
            try Updater.installTrustedRoot([UInt8](data), metadataDir: dir, referenceTime: VerificationTime.now)
        }
        if options.json { Output.printJSON(["ok": true, "root": .string("\(dir)/root.json")]) } else { print("trusted root installed in \(dir)/root.json") }
    }
}
