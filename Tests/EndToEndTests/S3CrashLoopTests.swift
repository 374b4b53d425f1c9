import Foundation
import Testing
import TUFTestSupport

/// Crash safety of a bucket publication (issue 20): uploads and cron's timestamp publishing to
/// a real seaweedfs are SIGKILLed at seeded random moments (`TUF_CRASH_SEED` replays a run).
/// After every kill python-tuf's client must read the bucket (the publication before, or this
/// one), and the same command run again must complete: the bucket's timestamp is then the
/// folder's and names the changed page. The kill delays cover the whole run (lease, levelling,
/// targets, bins, snapshot, timestamp, plain names, release).
@Suite(.enabled(if: Interop.enabled && S3TestServer.enabled), .serialized) struct S3CrashLoopTests {
    static let prefix = "crash"
    static let page = "simple/tiny-utils/index.json"

    @Test func killedBucketPublicationsLeaveABucketClientsReadAndARerunCompletes() async throws {
        let seed = ProcessInfo.processInfo.environment["TUF_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("S3CrashLoopTests seed \(seed) (TUF_CRASH_SEED replays it)")
        var random = SeededGenerator(seed: seed)
        let server = try await S3TestServer.start(.seaweedfs)
        defer { server.stop() }
        let b = try BucketWorkspace(server, prefix: Self.prefix)
        let w = b.w
        guard let binary = BuiltBinaries.tufRepo else { throw Failure("tuf-repo is not built beside the tests") }
        var environment = ProcessInfo.processInfo.environment.merging(w.environment) { $1 }
        environment[Workspace.passphraseVariable] = "example-only"
        let online = Workspace.onlineKeys.flatMap { ["--key", w.pem($0)] }
        // How long one whole upload takes here: the kills fall within it.
        try w.setYanked(project: "tiny-utils", filename: "tiny_utils-0.1.tar.gz", "measured")
        let started = Date()
        let whole = try Child.run(binary, ["generate", "--repo", w.repo, "--index", w.index, "--durability", "none", "--project", "tiny-utils"] + online,
                                  environment: environment)
        #expect(whole.status == 0, "\(whole)")
        let span = max(0.02, Date().timeIntervalSince(started))
        let kills = longTests ? 60 : 16
        var landed = 0
        for kill in 1...kills {
            let timestamp = kill % 4 == 0
            if !timestamp { try w.setYanked(project: "tiny-utils", filename: "tiny_utils-0.1.tar.gz", "kill \(kill)") }
            let arguments = timestamp ? ["timestamp", "--repo", w.repo, "--key", w.pem("timestamp")]
                : ["generate", "--repo", w.repo, "--index", w.index, "--durability", "none", "--project", "tiny-utils"] + online
            let delay = Double.random(in: 0.0...span, using: &random)
            let killed = try Child.run(binary, arguments, environment: environment, killAfter: delay)
            if killed.killed { landed += 1 }
            let context = "kill #\(kill) (seed \(seed)): \(arguments[0]) SIGKILLed \(Int(delay * 1000)) ms in: \(killed)"
            let read = try b.read([Self.page])
            #expect(read.status == 0, "the bucket after \(context)\n\(read.output)")
            let rerun = try Child.run(binary, arguments, environment: environment)
            #expect(rerun.status == 0 && !rerun.signaled, "rerun after \(context)\n\(rerun)")
            let after = try b.read([Self.page])
            let served = sha256(try w.published("targets/\(Self.page)"))
            #expect(after.status == 0 && after.lines[Self.page]?["sha256"] as? String == served,
                    "after the rerun of \(context)\n\(after.output)")
        }
        // A good share of the kills must land inside a run, or the loop tested little.
        #expect(landed * 3 >= kills, "only \(landed) of \(kills) kills landed before the command ended")
        print("S3CrashLoopTests: \(landed) of \(kills) kills landed inside a run")
    }
}
