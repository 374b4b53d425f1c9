import ArgumentParser
import TUFRepository

struct Enqueue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Queue project names for publication (an upload hook); returns at once.",
        discussion: """
        Appends each NAME (and the names of --from FILE, one a line, # comments; - for stdin) to \
        the durable upload queue REPO/queue/queue.sqlite. It never waits for signing or for the \
        repository lock; `tuf-repo publish` drains the queue (and moves over the entries of a \
        queue at the old place, REPO/state/queue.sqlite).

        The hook's user needs to write REPO/queue/ only (and read REPO/tuf-repo.json): e.g. \
        `install -d -m 2770 -g uploaders REPO/queue` with the signer in group uploaders. The queue \
        database is created mode 0660. A queued name only asks for a page to be re-read. \
        --durability and --lock-wait are accepted as by every command that writes (for scripts \
        that pass them to all); the queue is always synced on commit and takes no lock.
        """)

    @OptionGroup var repoOption: RepoOption
    @Option(name: .long, help: ArgumentHelp("Read names from FILE (one a line), - for stdin.", valueName: "FILE"))
    var from: String?
    @Argument(help: ArgumentHelp("Project names.", valueName: "NAME"))
    var names: [String] = []

    func validate() throws {
        for name in names where !ProjectNames.isUsable(name) { throw ValidationError("\(name): not a usable project name") }
        if names.isEmpty, from == nil { throw ValidationError("give at least one NAME or --from FILE") }
    }

    func run() throws {
        let n = try repoOption.repository().enqueue(try ProjectNames.read(names, from: from))
        print("queued \(n) project\(n == 1 ? "" : "s")")
    }
}
