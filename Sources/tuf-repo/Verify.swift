import ArgumentParser
import TUFCanonicalJSON
import TUFMetadata
import TUFRepository

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit the published repository as a client would; exit 1 naming each fault.",
        discussion: """
        Checks the root chain, every signature against its threshold, versions, hashes, lengths, expiry, and every \
        target of every bin. An audit, safe on a copy of someone else's repository: it takes no lock and writes \
        nothing. When a crash interrupted a publication, it says which plain page names the next locked command \
        (e.g. tuf-repo timestamp) would relink, and which only tuf-repo generate can write again; --json lists \
        them under "interrupted_publication".
        """)

    @OptionGroup var repoOption: RepoOption
    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        let repo = repoOption.repository()
        var faults: [String] = []
        var interrupted: InterruptedPublication?
        do { interrupted = try repo.interruptedPublication() } catch { faults.append(error.message) }
        faults += try repo.audit(now: currentTime())
        if json {
            var out: [(String, JSON)] = [("faults", .array(faults.map { .string($0) })), ("ok", .bool(faults.isEmpty))]
            if let i = interrupted {
                out.append(("interrupted_publication", .object(JSONObject([
                    .init(key: "missing_copies", value: .array(i.missingCopies.map { .string($0) })),
                    .init(key: "relink", value: .array(i.relink.map { .string($0) })),
                    .init(key: "snapshot_version", value: .int(i.snapshotVersion)),
                ]))))
            }
            JSONOutput.print(JSON.object(JSONObject(out.map { .init(key: $0.0, value: $0.1) })), style: .pretty)
        } else {
            if let i = interrupted { report(i) }
            // Faults are errors: on stderr, where scripts and cron mail look for them.
            for f in faults { note("FAULT: \(f)") }
            if faults.isEmpty { print("ok: the repository verifies") }
        }
        if !faults.isEmpty {
            if json { note("tuf-repo: error: \(repoOption.repo) does not verify: \(faults.count) fault(s); the first: \(faults[0])") }
            throw ExitCode(1)
        }
    }

    /// What completing the interrupted publication would do (verify itself repairs nothing).
    private func report(_ i: InterruptedPublication) {
        let list = { (names: [String]) in names.prefix(5).map { DisplayText.escaped($0) }.joined(separator: ", ") + (names.count > 5 ? ", …" : "") }
        if !i.relink.isEmpty {
            note("tuf-repo: a crash interrupted the publication of snapshot version \(i.snapshotVersion): the next locked command (e.g. tuf-repo timestamp) would relink \(i.relink.count) plain page name(s): \(list(i.relink))")
        }
        if !i.missingCopies.isEmpty {
            note("tuf-repo: \(i.missingCopies.count) plain page name(s) of snapshot version \(i.snapshotVersion) have no hash-prefixed copy to link to; run tuf-repo generate to write them again: \(list(i.missingCopies))")
        }
    }
}
