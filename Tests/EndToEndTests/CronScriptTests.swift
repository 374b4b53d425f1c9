import Foundation
import Testing
import TUFTestSupport

/// `Scripts/cron-timestamp`, the documented cron job, run as cron would run it. Only bash and
/// the built `tuf-repo` are needed (no Python), so it always runs.
@Suite struct CronScriptTests {
    static func runCron(_ w: Workspace, index: Bool = true, refresh: String? = nil,
                        environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        environment["TUF_REPO"] = w.repo
        environment["TUF_KEYS"] = w.keys
        // The built binary, never a tuf-repo found on PATH.
        environment["TUF_BIN"] = try BuiltBinaries.require(BuiltBinaries.tufRepo, "tuf-repo")
        if index { environment["TUF_INDEX"] = w.index }
        if let refresh { environment["TUF_REFRESH"] = refresh }
        for (k, v) in extra { environment[k] = v }
        let script = Interop.projectRoot.appendingPathComponent("Scripts/cron-timestamp").path
        return try Interop.run("/bin/bash", [script], environment: environment)
    }

    @Test func testCronPublishesChangesThenLeavesAFreshTimestampAlone() throws {
        let w = try Workspace(linkFiles: false)
        let before = try w.metadataFiles()
        // Nothing changed and the timestamp is fresh: nothing is written.
        let idle = try Self.runCron(w)
        #expect(idle.status == 0, "\(idle.output)")
        #expect(try w.metadataFiles() == before)

        // A new release in the index: the cron run publishes it.
        try w.addFile(project: "zeta", filename: "zeta-0.0.2.tar.gz", content: "zeta 0.0.2")
        let snapshotVersion = try w.version(of: "snapshot")
        let changed = try Self.runCron(w)
        #expect(changed.status == 0, "\(changed.output)")
        #expect(try w.version(of: "snapshot") == snapshotVersion + 1)
    }

    @Test func testCronRefreshesATimestampAboutToExpire() throws {
        let w = try Workspace(linkFiles: false)
        let old = try w.published("metadata/timestamp.json")
        // The timestamp expires within a day; a 2-day window makes it due.
        let result = try Self.runCron(w, index: false, refresh: "2d")
        #expect(result.status == 0, "\(result.output)")
        #expect(try w.published("metadata/timestamp.json") != old)
    }

    @Test func testCronRefreshesTheTimestampThenFailsOnAnOfflineRoleAboutToExpire() throws {
        let w = try Workspace(linkFiles: false)
        let old = try w.published("metadata/timestamp.json")
        // Offline roles are valid for 365 days; a 400-day warning window makes them due.
        let result = try Self.runCron(w, index: false, refresh: "2d", environment: ["TUF_EXPIRY_WARN": "400d"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("DUE: root version 1"), "\(result.output)")
        // The failing check came after the refresh, which still happened.
        #expect(try w.published("metadata/timestamp.json") != old)
    }

    @Test func testCronWithoutARepositoryFailsSayingSo() throws {
        let w = try Workspace(linkFiles: false)
        var environment = ProcessInfo.processInfo.environment
        environment["TUF_KEYS"] = w.keys
        environment.removeValue(forKey: "TUF_REPO")
        let script = Interop.projectRoot.appendingPathComponent("Scripts/cron-timestamp").path
        let result = try Interop.run("/bin/bash", [script], environment: environment)
        #expect(result.status != 0)
        #expect(result.output.contains("TUF_REPO"))
    }
}
