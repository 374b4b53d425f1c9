import ArgumentParser
import TUFClient
import TUFHTTPClient

/// The options of the root command, which every subcommand reads.
struct GlobalOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Folder of trusted local metadata (root.json, …).", valueName: "dir"))
    var metadataDir: String?
    @Option(help: ArgumentHelp("Base URL of the repository's metadata.", valueName: "url"))
    var metadataURL: String?
    @Option(help: ArgumentHelp("Base URL of the repository's targets.", valueName: "url"))
    var targetBaseURL: String?
    @Option(help: ArgumentHelp("Folder that downloaded targets are written to.", valueName: "dir"))
    var targetDir: String?
    @Option(help: ArgumentHelp("A target path (repeatable, processed in order).", valueName: "path"))
    var targetName: [String] = []
    @Flag(help: "Fetch targets under their plain names even with consistent snapshots.")
    var noTargetHashPrefix = false
    @Flag(help: "Print the result or error as a JSON object.")
    var json = false

    /// An option a subcommand needs. Each subcommand lists its needs once, for both its
    /// usage line and its `validate()`, so a missing one is a usage error (exit 2).
    enum Need {
        case metadataDir, metadataURL, targetBaseURL, targetDir, targetName

        var usage: String {
            switch self {
            case .metadataDir: "--metadata-dir <dir>"
            case .metadataURL: "--metadata-url <url>"
            case .targetBaseURL: "--target-base-url <url>"
            case .targetDir: "--target-dir <dir>"
            case .targetName: "--target-name <path> ..."
            }
        }

        var option: String { String(usage.prefix { $0 != " " }) }
    }

    /// The usage line of `subcommand`: the global options it needs come first, as in git.
    static func usage(_ subcommand: String, needs: [Need], optional: [String] = [], arguments: String = "") -> String {
        (["tuf-verify"] + needs.map(\.usage) + (optional + ["--json"]).map { "[\($0)]" } + [subcommand, arguments])
            .filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Throws a usage error naming the first of `needs` that was not given.
    func require(_ needs: [Need]) throws {
        guard let missing = needs.first(where: { !isGiven($0) }) else { return }
        throw ValidationError(missing == .targetName ? "give at least one --target-name" : "missing \(missing.option)")
    }

    private func isGiven(_ need: Need) -> Bool {
        switch need {
        case .metadataDir: metadataDir.map { !$0.isEmpty } ?? false
        case .metadataURL: metadataURL.map { !$0.isEmpty } ?? false
        case .targetBaseURL: targetBaseURL.map { !$0.isEmpty } ?? false
        case .targetDir: targetDir.map { !$0.isEmpty } ?? false
        case .targetName: !targetName.isEmpty
        }
    }

    /// The User-Agent of every request the command makes.
    static let userAgent = "tuf-verify/\(TUFClientVersion.string)"

    /// Runs `body` with an updater configured from the options, over one HTTP fetcher for the
    /// whole command (connections are reused from one request to the next), shut down after.
    func withUpdater<T>(_ body: (Updater) async throws -> T) async throws -> T {
        try await HTTPFetcher.withFetcher(userAgent: Self.userAgent) { http in
            try await body(try makeUpdater(fetcher: DefaultFetcher(http: http)))
        }
    }

    /// An updater configured from the options; `validate()` made sure the ones it needs are there.
    func makeUpdater(fetcher: any Fetcher) throws -> Updater {
        var config = UpdaterConfig()
        config.prefixTargetsWithHash = !noTargetHashPrefix
        try require([.metadataDir, .metadataURL])
        let dir = metadataDir!, url = metadataURL!
        // Only the local trusted root is read here; name its file.
        return try Output.naming("\(dir)/root.json") { () throws(ClientError) in
            try Updater(metadataDir: dir, metadataBaseURL: url, targetBaseURL: targetBaseURL, targetDir: targetDir, config: config,
                        fetcher: fetcher,
                        referenceTime: VerificationTime.now)
        }
    }
}
