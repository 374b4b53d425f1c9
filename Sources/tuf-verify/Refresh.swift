import ArgumentParser
import TUFCanonicalJSON
import TUFClient

/// `refresh`: updates root, timestamp, snapshot and targets.
struct Refresh: AsyncParsableCommand {
    static let needs: [GlobalOptions.Need] = [.metadataDir, .metadataURL]
    static let configuration = CommandConfiguration(
        abstract: "Update the trusted metadata.",
        usage: GlobalOptions.usage("refresh", needs: needs),
        discussion: """
        Follows the root chain version by version, then timestamp, snapshot and targets, checking \
        signatures, thresholds, versions (rollback), hashes and lengths (mix-and-match) and expiry \
        (freeze) at the time the command started. Only metadata that verified is saved.
        """)
    @ParentCommand var parent: TUFVerify

    private var options: GlobalOptions { parent.options }

    func validate() throws { try options.require(Self.needs) }

    func run() async throws {
        let t = try await options.withUpdater { updater in
            try await updater.refresh()
            return updater.trusted
        }
        let versions: JSON = [
            "root": .int(t.root.signed.version), "timestamp": .int(t.timestamp?.signed.version ?? 0),
            "snapshot": .int(t.snapshot?.signed.version ?? 0), "targets": .int(t.targets?.signed.version ?? 0),
        ]
        if options.json {
            Output.printJSON(["ok": true, "versions": versions])
        } else {
            print("metadata verified: root v\(t.root.signed.version), timestamp v\(t.timestamp?.signed.version ?? 0), snapshot v\(t.snapshot?.signed.version ?? 0), targets v\(t.targets?.signed.version ?? 0)")
        }
    }
}
