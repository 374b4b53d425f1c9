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

        Incremental runs use the state store (REPO/state/state.sqlite): without --project, every page's \
        size, mtime, ctime and inode are compared with the store and only changed pages are read. With \
        --project NAME (repeat) or --projects-from FILE (one name a line, # comments; - for stdin), only \
        those projects' pages are read (and simple/index.json when it changed): an upload, a yank, a \
        removed file or project. A name that is neither listed nor published is an error. A missing, \
        damaged or stale store is rebuilt from the published metadata and a full read. The store only \
        says which pages to read: a changed bin is built on the published bin (its signatures checked) \
        and the pages read; a published bin that does not verify is re-signed from a full read.

        Like every command that takes the lock, it first completes a publication a crash interrupted \
        (REPO/journal/plain-names.tsv). When a page copy the journal names is missing, the other \
        commands stop with an error naming it; generate is the way out: it reads the whole index, \
        writes the pages again and relinks them.
        """)

    @OptionGroup var repoOption: RepoOption
    @OptionGroup var publishing: IndexPublishingOptions
    @OptionGroup var bucketOptions: BucketOptions
    @Option(name: .long, help: ArgumentHelp("Publish only this project's page (an upload); repeat.", valueName: "NAME"))
    var project: [String] = []
    @Option(name: .long, help: ArgumentHelp("Read project names from FILE (one a line, # comments), - for stdin.", valueName: "FILE"))
    var projectsFrom: String?
    @Flag(name: .long, help: "Show progress on stderr (the default when stderr is a terminal).")
    var progress = false

    func validate() throws {
        for name in project where !ProjectNames.isUsable(name) { throw ValidationError("--project \(name): not a usable project name") }
    }

    func run() throws {
        let repo = try bucketOptions.attach(to: repoOption.repository(progress: progress || ProgressReporter.stderrIsTerminal))
        defer { repo.reportBucket() }
        let projects = project.isEmpty && projectsFrom == nil ? nil : try ProjectNames.read(project, from: projectsFrom)
        let r = try repo.generate(index: publishing.index, signers: try publishing.signers(), linkFiles: publishing.linkFiles,
                                  projects: projects, now: currentTime())
        if let held = r.heldRoot { note("tuf-repo: warning: the staged root waits: \(held)") }
        reportPrune(r)
        print(r.published ? "published \(r.written.count) metadata files (\(r.binsSigned) bins signed)" : "nothing changed; nothing published")
    }
}
