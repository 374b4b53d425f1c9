import ArgumentParser
import Foundation
import Glibc
import TUFRepository

/// Set by SIGTERM/SIGINT: `publish --follow` finishes its batch, then exits 0.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

struct Publish: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the projects queued by enqueue: one snapshot and timestamp per batch.",
        discussion: """
        Takes the queued names (all, or the oldest --max-batch N), publishes them as one \
        `generate --project` run, and only then removes them from the queue, so a publisher \
        killed half-way loses nothing. Names neither listed nor published are skipped with a \
        warning. --follow keeps draining, polling every 50 ms, until SIGTERM or SIGINT (the \
        current batch finishes, then exit 0); without --max-batch it sizes each batch so that it \
        takes about a second, from how long the last one took (a name is then published within \
        about 2 s of its enqueue).
        """)

    @OptionGroup var repoOption: RepoOption
    @OptionGroup var publishing: IndexPublishingOptions
    @OptionGroup var bucketOptions: BucketOptions
    @Option(name: .long, help: ArgumentHelp("At most N queue entries per publication.", valueName: "N"))
    var maxBatch: Int?
    @Flag(name: .long, help: "Keep draining the queue until SIGTERM or SIGINT.")
    var follow = false

    func validate() throws {
        if let maxBatch, maxBatch < 1 { throw ValidationError("--max-batch must be at least 1") }
    }

    func run() throws {
        let repo = try bucketOptions.attach(to: repoOption.repository())
        defer { repo.reportBucket() }
        let signers = try publishing.signers()
        if follow {
            signal(SIGTERM) { _ in stopRequested = 1 }
            signal(SIGINT) { _ in stopRequested = 1 }
        }
        var total = 0
        // --follow without --max-batch sizes each batch from the last one's duration.
        var sizer = BatchSizer()
        repeat {
            let started = monotonicSeconds()
            let limit = maxBatch ?? (follow ? sizer.limit : nil)
            if let batch = try repo.publishQueue(index: publishing.index, signers: signers, linkFiles: publishing.linkFiles, maxBatch: limit, now: currentTime()) {
                sizer.record(entries: batch.entries, seconds: monotonicSeconds() - started)
                total += batch.entries
                for name in batch.result.skipped { note("tuf-repo: warning: \(name) is neither listed nor published; skipped") }
                let r = batch.result
                print(r.published ? "published \(batch.entries) queued names: \(r.written.count) metadata files (\(r.binsSigned) bins signed)"
                                  : "published \(batch.entries) queued names: nothing changed")
                continue
            }
            if !follow { break }
            usleep(50_000)
        } while stopRequested == 0
        if total == 0, !follow { print("the queue is empty; nothing published") }
    }

    private func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
