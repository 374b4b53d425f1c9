import ArgumentParser
import TUFCanonicalJSON
import TUFClient

/// `check FILE...`: verify distribution files already on disk against the signed metadata.
struct Check: AsyncParsableCommand {
    static let needs: [GlobalOptions.Need] = [.metadataDir, .metadataURL]
    static let configuration = CommandConfiguration(
        abstract: "Verify wheels and sdists already on disk against the signed metadata.",
        usage: GlobalOptions.usage("check", needs: needs, optional: ["--target-base-url <url>", "--target-name <path> ..."], arguments: "<file> ..."),
        discussion: """
        For files fetched some other way (a CI cache, another installer). Each FILE is checked against \
        the signed length and hashes of its target: the --target-name given for it (in the same order), \
        or else the file of that name on its project's signed page (the project is read from the file \
        name; this needs --target-base-url to fetch the page). Exit 1 when any file does not match, \
        naming each one.
        """)
    @ParentCommand var parent: TUFVerify
    @Argument(help: "Wheels or sdists to check.")
    var files: [String]

    private var options: GlobalOptions { parent.options }

    func validate() throws {
        try options.require(Self.needs)
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
        guard options.targetName.isEmpty || options.targetName.count == files.count else {
            throw ValidationError("give one --target-name per file (\(files.count) files, \(options.targetName.count) --target-name)")
        }
    }

    func run() async throws {
        try await options.withUpdater(check)
    }

    private func check(_ updater: Updater) async throws {
        try await updater.refresh()
        var results: [JSON] = []
        var failed: [String] = []
        for (i, file) in files.enumerated() {
            let given = options.targetName.isEmpty ? nil : options.targetName[i]
            do {
                let checked = try await updater.checkLocalFile(file, targetPath: given)
                results.append(["file": .string(file), "ok": true, "target": .string(checked.targetPath)])
                if !options.json { Output.line("\(file): verified (\(checked.targetPath), \(checked.targetFile.length) bytes)") }
            } catch {
                failed.append(file)
                results.append(["file": .string(file), "ok": false, "code": .string(error.code.rawValue), "message": .string(error.message)])
                if !options.json { Output.line("\(file): FAILED: \(error.attack): \(error.message)") }
            }
        }
        if options.json { Output.printJSON(["ok": .bool(failed.isEmpty), "files": .array(results)]) }
        if !failed.isEmpty {
            // Already reported line by line (or in the JSON): exit 1 without a second report.
            throw ExitCode(1)
        }
    }
}
