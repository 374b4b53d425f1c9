import ArgumentParser
import TUFCanonicalJSON
import TUFClient

/// `project NAME`: the verified project page and the signed yank state of each file.
struct Project: AsyncParsableCommand {
    static let needs: [GlobalOptions.Need] = [.metadataDir, .metadataURL, .targetBaseURL]
    static let configuration = CommandConfiguration(
        abstract: "Verify a project page and show each file's signed yank state.",
        usage: GlobalOptions.usage("project", needs: needs, optional: ["--target-dir <dir>", "--no-target-hash-prefix"], arguments: "<name>"),
        discussion: """
        Downloads simple/<normalized name>/index.json through TUF and lists each file with the yank \
        state (and reason) signed in its target entry. When the served page does not match its signed \
        hash and differs only in "yanked" values, the error is a malicious yank naming the files; any \
        other difference is a hash mismatch.
        """)
    @ParentCommand var parent: TUFVerify
    @Argument(help: "The project name (normalized per PEP 503).")
    var name: String

    private var options: GlobalOptions { parent.options }

    func validate() throws {
        try options.require(Self.needs)
        // A PEP 503 name is one path segment; checked on bytes, since a combining character
        // after "/" would hide the slash from a Character comparison.
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, !bytes.contains(UInt8(ascii: "/")), !bytes.contains(UInt8(ascii: "\\")) else {
            throw ValidationError("project name \"\(name)\" is not a project name (empty, or contains a slash)")
        }
    }

    func run() async throws {
        let verified = try await options.withUpdater { updater in
            try await updater.refresh()
            return try await updater.verifyProject(name)
        }
        let pagePath = verified.pagePath, files = verified.files
        if options.json {
            let entries: [JSON] = files.map { f in
                let yanked: JSON = switch f.yank {
                case .notYanked: false
                case .yanked(let reason?): .string(reason)
                case .yanked(nil): true
                }
                return ["filename": .string(f.filename), "target": .string(f.targetPath), "yanked": yanked]
            }
            Output.printJSON(["ok": true, "project": .string(YankVerifier.normalize(name)), "page": .string(pagePath), "files": .array(entries)])
        } else {
            Output.line("\(pagePath): verified, \(files.count) file(s)")
            for f in files { Output.line("  \(f.filename)  \(f.yank)") }
        }
    }
}
