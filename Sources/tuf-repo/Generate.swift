import ArgumentParser
import TUFRepository

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish new bin-n, snapshot and timestamp versions from a PEP 691 index snapshot.",
        discussion: """
        Reads INDEX/simple/index.json and every project page; every distribution file and page becomes a \
        target in its bin (yanked files carry custom {"yanked": true | "<reason>"}). Only bins whose \
        content changed, or that expire within their refresh window, get a new version; an unchanged \
        snapshot publishes nothing. Each --key is matched to its roles by keyid. Also publishes staged \
        offline roles that are fully signed. A malformed snapshot publishes nothing.
        """)

    @OptionGroup var repoOption: RepoOption
    @Option(name: .long, help: ArgumentHelp("The index snapshot directory.", valueName: "INDEX"))
    var index: String
    @Option(name: .long, help: ArgumentHelp("An online private key (PEM file or pkcs11: URI); repeat.", valueName: "KEY"))
    var key: [String] = []
    @OptionGroup var keyOptions: PrivateKeyOptions
    @Flag(name: .long, help: "Hard-link INDEX/packages files into REPO/targets under hash-prefixed names.")
    var linkFiles = false
    @Flag(name: .long, help: "Show progress on stderr (the default when stderr is a terminal).")
    var progress = false

    func run() throws {
        let repo = repoOption.repository(progress: progress || ProgressReporter.stderrIsTerminal)
        let r = try repo.generate(index: index, signers: try keyOptions.load(key), linkFiles: linkFiles, now: currentTime())
        if let held = r.heldRoot { note("tuf-repo: warning: the staged root waits: \(held)") }
        print(r.published ? "published \(r.written.count) metadata files (\(r.binsSigned) bins signed)" : "nothing changed; nothing published")
    }
}
