import ArgumentParser
import TUFCanonicalJSON
import TUFRepository

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit the published repository as a client would; exit 1 naming each fault.",
        discussion: "Checks the root chain, every signature against its threshold, versions, hashes, lengths, expiry, and every target of every bin.")

    @OptionGroup var repoOption: RepoOption
    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let repo = repoOption.repository()
        if repo.hasInterruptedPublication {
            let n = try repo.completeInterruptedPublication()
            note("tuf-repo: completed an interrupted publication: relinked \(n) plain page name(s)")
        }
        let faults = try repo.audit(now: currentTime())
        if json {
            JSONOutput.print(["faults": .array(faults.map { .string($0) }), "ok": .bool(faults.isEmpty)], style: .pretty)
        } else {
            // Faults are errors: on stderr, where scripts and cron mail look for them.
            for f in faults { note("FAULT: \(f)") }
            if faults.isEmpty { print("ok: the repository verifies") }
        }
        if !faults.isEmpty {
            if json { note("tuf-repo: error: \(repoOption.repo) does not verify: \(faults.count) fault(s); the first: \(faults[0])") }
            throw ExitCode(1)
        }
    }
}
