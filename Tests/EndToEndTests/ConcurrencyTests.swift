import Foundation
import Testing
import TUFTestSupport

/// Runs that overlap on one repository (two cron jobs and the timestamp refresh started at
/// once) never interleave their writes: each ends cleanly, exit 0, or exit 1 saying the
/// repository is locked, and the repository verifies afterwards, with python-tuf's client too.
@Suite(.enabled(if: Interop.enabled), .serialized) struct ConcurrencyTests {
    /// `lockWait` nil: the default wait (the runs queue up); 0: the losers give up at once.
    @Test(arguments: [nil, 0.0] as [Double?])
    func testTwoGeneratesAndATimestampStartedTogetherEndCleanly(lockWait: Double?) throws {
        guard let binary = BuiltBinaries.tufRepo else { throw Failure("tuf-repo is not built beside the tests") }
        let r = try SyntheticRepository(projects: 200, bins: 256)
        let server = try LoopbackServer(root: r.repo)
        defer { server.stop() }
        let wait = lockWait.map { ["--lock-wait", "\($0)"] } ?? []
        var outcomes: [String] = []
        for round in 0..<4 {
            let changed = try r.index.mutate()
            let runs = try [r.generateArguments + wait, r.generateArguments + wait,
                            ["timestamp", "--repo", r.repo, "--durability", "none", "--key", r.pem("timestamp")] + wait]
                .map { try Child.start(binary, $0) }
            let results = runs.map { $0.finish() }
            for (name, result) in zip(["generate", "generate", "timestamp"], results) {
                let locked = result.status == 1 && result.stderr.contains("is locked by another tuf-repo run")
                #expect(!result.signaled && (result.status == 0 || locked), "round \(round), \(name): \(result)")
                outcomes.append("\(name): \(result.signaled ? "signal" : locked ? "locked" : "exit \(result.status)")")
            }
            let verified = try r.verify(), plain = try plainPageFaults(repo: r.repo)
            #expect(verified == nil, "round \(round): \(verified ?? "")")
            #expect(plain.isEmpty, "round \(round): \(plain)")
            let python = try pythonClientFault(server: server, repo: r.repo, page: changed[0])
            #expect(python == nil, "round \(round): \(python ?? "")")
            // A generate that lost the race publishes on its next run; the index is then served.
            try r.check(r.tufRepo(r.generateArguments), "generate after the race")
            for p in changed {
                #expect(FileManager.default.contents(atPath: "\(r.repo)/targets/\(p)") == FileManager.default.contents(atPath: "\(r.indexPath)/\(p)"),
                        "round \(round): targets/\(p) is not the index's page")
            }
        }
        print("concurrency (lock wait \(lockWait.map { "\($0)s" } ?? "default")): " + Dictionary(grouping: outcomes, by: { $0 })
            .map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", "))
    }
}
