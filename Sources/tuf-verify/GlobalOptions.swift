import ArgumentParser
import TUFClient

/// The options every subcommand accepts.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Folder of trusted local metadata (root.json, …).")
    var metadataDir: String?
    @Option(help: "Base URL of the repository's metadata.")
    var metadataURL: String?
    @Option(help: "Base URL of the repository's targets.")
    var targetBaseURL: String?
    @Option(help: "Folder that downloaded targets are written to.")
    var targetDir: String?
    @Option(help: "A target path (repeatable, processed in order).")
    var targetName: [String] = []
    @Flag(help: "Fetch targets under their plain names even with consistent snapshots.")
    var noTargetHashPrefix = false
    @Flag(help: "Print the result or error as a JSON object.")
    var json = false

    func require(_ value: String?, _ option: String) throws -> String {
        guard let value, !value.isEmpty else { throw ValidationError("missing \(option)") }
        return value
    }

    /// The options a subcommand needs, checked in `validate()` so a missing one is a usage error.
    enum Need { case metadataDir, metadataURL, targetBaseURL, targetDir }

    func require(_ needs: Need...) throws {
        for need in needs {
            switch need {
            case .metadataDir: _ = try require(metadataDir, "--metadata-dir")
            case .metadataURL: _ = try require(metadataURL, "--metadata-url")
            case .targetBaseURL: _ = try require(targetBaseURL, "--target-base-url")
            case .targetDir: _ = try require(targetDir, "--target-dir")
            }
        }
    }

    /// An updater configured from the options; the usage errors were caught in `validate`.
    func makeUpdater() throws -> Updater {
        var config = UpdaterConfig()
        config.prefixTargetsWithHash = !noTargetHashPrefix
        let dir = try require(metadataDir, "--metadata-dir"), url = try require(metadataURL, "--metadata-url")
        // Only the local trusted root is read here; name its file.
        return try Output.naming("\(dir)/root.json") { () throws(ClientError) in
            try Updater(metadataDir: dir, metadataBaseURL: url, targetBaseURL: targetBaseURL, targetDir: targetDir, config: config,
                        fetcher: DefaultFetcher(http: HTTPFetcher(userAgent: "tuf-verify/\(TUFClientVersion.string)")),
                        referenceTime: VerificationTime.now)
        }
    }
}
