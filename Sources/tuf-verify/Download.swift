import ArgumentParser
import TUFCanonicalJSON
import TUFClient

/// `download`: refresh, then fetch and verify each `--target-name` in order.
struct Download: AsyncParsableCommand {
    static let needs: [GlobalOptions.Need] = [.metadataDir, .metadataURL, .targetBaseURL, .targetDir, .targetName]
    static let configuration = CommandConfiguration(
        abstract: "Refresh, then download and verify each --target-name.",
        usage: GlobalOptions.usage("download", needs: needs, optional: ["--no-target-hash-prefix"]),
        discussion: """
        Each target is found through the delegations, fetched at most its signed length (hash-prefixed \
        under consistent snapshots unless --no-target-hash-prefix), checked against every signed hash, \
        and only then written under --target-dir at its target path. A file already there with the \
        signed length and hashes is not fetched again.
        """)
    @ParentCommand var parent: TUFVerify

    private var options: GlobalOptions { parent.options }

    func validate() throws { try options.require(Self.needs) }

    func run() async throws {
        let results = try await options.withUpdater { updater in
            updater.progress = Output.terminalProgress
            try await updater.refresh()
            var results: [JSON] = []
            for name in options.targetName {
                let (path, file, downloaded) = try await updater.fetchTarget(name)
                results.append(["target": .string(name), "file": .string(path), "length": .int(file.length), "downloaded": .bool(downloaded)])
                if !options.json { Output.line("\(name): \(downloaded ? "downloaded and verified" : "already verified") at \(path)") }
            }
            return results
        }
        if options.json { Output.printJSON(["ok": true, "targets": .array(results)]) }
    }
}
