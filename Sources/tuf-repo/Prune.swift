import ArgumentParser
import TUFCanonicalJSON
import TUFRepository

struct Prune: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove old snapshots and the bins and page copies only they reference (retention).",
        discussion: """
        Keeps the current snapshot and every snapshot superseded less than the retention window ago \
        (the policy's, set by init --retention, default 1h; change it with --set-retention), with every \
        role file and hash-prefixed target copy they reach; every root version stays. Removes the rest, \
        including files left by killed runs. generate and timestamp prune at their end too. With a \
        bucket (--publish, or the policy's), the bucket is swept by the same marks: what is removed \
        here, and on this command every key of its listing that no kept snapshot reaches.
        """)

    @OptionGroup var repoOption: RepoOption
    @OptionGroup var bucketOptions: BucketOptions
    @Flag(name: .long, help: "Report what would be removed; remove nothing.")
    var dryRun = false
    @Option(name: .long, help: ArgumentHelp("Change the policy's retention window first (e.g. 2h).", valueName: "DURATION"))
    var setRetention: String?
    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func validate() throws {
        if let setRetention { _ = try parseDuration(setRetention, option: "--set-retention") }
    }

    func run() throws {
        let repo = try bucketOptions.attach(to: repoOption.repository())
        defer { repo.reportBucket() }
        if let setRetention { try repo.setRetention(try parseDuration(setRetention, option: "--set-retention")) }
        let r = try repo.prune(dryRun: dryRun)
        if json { JSONOutput.print(r.json, style: .pretty); return }
        let verb = dryRun ? "would remove" : "removed"
        print("kept \(r.snapshotsKept.count) snapshots; \(verb) \(r.snapshotsRemoved.count) snapshots, "
              + "\(r.metadataFiles.count) metadata files and \(r.targetFiles.count) target files (\(r.bytesFreed) bytes)"
              + (repo.bucket.map { "; \(verb) \(r.bucketKeys.count) objects in \($0.name)" } ?? ""))
    }
}

/// Warns when the retention sweep at the end of a publishing command failed.
func reportPrune(_ r: PublishResult) {
    if let failure = r.pruneFailure { note("tuf-repo: warning: retention: the published repository stands, but pruning failed: \(failure)") }
}
