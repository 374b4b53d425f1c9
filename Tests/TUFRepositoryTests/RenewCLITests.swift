import Foundation
import Testing
import TUFTestSupport

/// `renew`, `check-expiry` and the days left in `status --json`, driven through the built
/// `tuf-repo` with its wall clock frozen by libfaketime (FakeTime).
@Suite struct RenewCLITests {
    static let enabled = CLITests.enabled
    static let start = "2026-01-01T00:00:00Z"

    /// A repository initialised and generated at `start` with the example keys (root 1 of root1, root2).
    struct Repo {
        let dir = TempDir()
        var repo: String { dir.sub("repo") }
        var k: String { dir.sub("keys") }

        init() throws {
            try FileManager.default.copyItem(atPath: CLITests.keys, toPath: dir.sub("keys"))
            for name in try FileManager.default.contentsOfDirectory(atPath: dir.sub("keys")) where name.hasSuffix(".pem") {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(dir.sub("keys"))/\(name)")
            }
            let k = dir.sub("keys"), repo = dir.sub("repo")
            let i = try run(["init", "--repo", repo, "--bins", "16", "--durability", "none",
                             "--root-key", "\(k)/root1.pub.json", "--root-key", "\(k)/root2.pub.json", "--root-threshold", "2",
                             "--targets-key", "\(k)/targets.pub.json", "--bins-key", "\(k)/bins.pub.json",
                             "--bin-n-key", "\(k)/bin-n.pub.json", "--snapshot-key", "\(k)/snapshot.pub.json",
                             "--timestamp-key", "\(k)/timestamp.pub.json",
                             "--sign-with", "\(k)/root1.pem", "--sign-with", "\(k)/root2.pem", "--sign-with", "\(k)/targets.pem",
                             "--sign-with", "\(k)/bins.pem"], at: start)
            guard i.status == 0 else { throw Failure("init: \(i.output)") }
            let g = try generate(at: start)
            guard g.status == 0 else { throw Failure("generate: \(g.output)") }
        }

        func run(_ args: [String], at now: String) throws -> (status: Int32, output: String) {
            try FakeTime.run(try BuiltBinaries.require(CLITests.binary, "tuf-repo"), args, at: now)
        }

        func generate(at now: String) throws -> (status: Int32, output: String) {
            try run(["generate", "--repo", repo, "--index", CLITests.index, "--durability", "none",
                     "--key", "\(k)/bin-n.pem", "--key", "\(k)/snapshot.pem", "--key", "\(k)/timestamp.pem"], at: now)
        }

        func json(_ args: [String], at now: String) throws -> [String: Any] {
            let r = try run(args + ["--json"], at: now)
            guard let o = try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any] else { throw Failure(r.output) }
            return o
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    @Test(.enabled(if: enabled)) func checkExpiryExitCodesFollowTheClock() throws {
        let r = try Repo()
        let fresh = try r.run(["check-expiry", "--repo", r.repo, "--within", "30d"], at: Self.start)
        #expect(fresh.status == 0, "\(fresh.output)")
        #expect(fresh.output.contains("ok: root version 1 expires 2027-01-01T00:00:00Z (365 days left)"), "\(fresh.output)")
        // 22 days before the offline roles expire.
        let late = "2026-12-10T00:00:00Z"
        let due = try r.run(["check-expiry", "--repo", r.repo, "--within", "30d"], at: late)
        #expect(due.status == 1)
        for role in ["root", "targets", "bins"] { #expect(due.output.contains("DUE: \(role) version 1 expires 2027-01-01T00:00:00Z"), "\(due.output)") }
        #expect(try r.run(["check-expiry", "--repo", r.repo, "--within", "21d"], at: late).status == 0)
        let j = try r.json(["check-expiry", "--repo", r.repo, "--within", "30d"], at: late)
        #expect(j["due"] as? [String] == ["root", "targets", "bins"])
        let first = (j["roles"] as? [[String: Any]])?.first
        #expect(first?["days_left"] as? Int == 22)
        #expect(first?["seconds_left"] as? Int == 22 * 86_400)
        // Expired: negative days, still due.
        let gone = try r.run(["check-expiry", "--repo", r.repo, "--within", "1d"], at: "2027-02-01T00:00:00Z")
        #expect(gone.status == 1 && gone.output.contains("EXPIRED"), "\(gone.output)")
        // Usage errors.
        #expect(try r.run(["check-expiry", "--repo", r.repo, "--within", "30x"], at: late).status == 2)
        #expect(try r.run(["check-expiry", "--repo", r.repo], at: late).status == 2)
        #expect(try r.run(["check-expiry", "--repo", r.dir.sub("none"), "--within", "30d"], at: late).status == 1)
    }

    /// Release builds once read TUF_REPO_TEST_NOW: a stray export moved every command's clock,
    /// so an expired repository passed `check-expiry`. The variable is now just a variable.
    @Test(.enabled(if: enabled)) func noEnvironmentVariableMovesTheClock() throws {
        let r = try Repo()
        var environment = ProcessInfo.processInfo.environment
        environment["TUF_REPO_TEST_NOW"] = Self.start
        let gone = try FakeTime.run(try BuiltBinaries.require(CLITests.binary, "tuf-repo"),
                                    ["check-expiry", "--repo", r.repo, "--within", "1d"], at: "2027-02-01T00:00:00Z", environment: environment)
        #expect(gone.status == 1 && gone.output.contains("EXPIRED"), "\(gone.output)")
    }

    @Test(.enabled(if: enabled)) func statusJSONGivesDaysAndSecondsLeftForEveryRole() throws {
        let r = try Repo()
        let s = try r.json(["status", "--repo", r.repo], at: "2026-01-02T00:00:00Z")
        let roles = try #require(s["published"] as? [[String: Any]])
        #expect(roles.map { $0["role"] as? String } == ["root", "targets", "bins", "snapshot", "timestamp"])
        #expect(roles[0]["days_left"] as? Int == 364)
        #expect(roles[0]["seconds_left"] as? Int == 364 * 86_400)
        // The timestamp (1 day, from the start) has expired a day later.
        #expect(roles[4]["seconds_left"] as? Int == 0)
        // Bins: seconds left to the earliest bin expiry (bins expire staggered, within a day).
        let bins = try #require(s["bins"] as? [String: Any])
        let earliest = try #require(ISO8601DateFormatter().date(from: bins["earliest_expiry"] as? String ?? ""))
        let asked = try #require(ISO8601DateFormatter().date(from: "2026-01-02T00:00:00Z"))
        #expect(bins["seconds_left"] as? Int == Int(earliest.timeIntervalSince(asked)))
        #expect((bins["days_left"] as? Int).map { $0 <= 0 } == true)
    }

    @Test(.enabled(if: enabled)) func renewWithKeyStagesSignsAndPublishesNextVersion() throws {
        let r = try Repo()
        let late = "2026-12-10T00:00:00Z"
        let before = try Data(contentsOf: URL(fileURLWithPath: r.repo + "/metadata/1.targets.json"))
        let renew = try r.run(["renew", "--repo", r.repo, "targets", "--key", "\(r.k)/targets.pem"], at: late)
        #expect(renew.status == 0, "\(renew.output)")
        #expect(renew.output.contains("signed staged targets"))
        // Publishing needs the online keys: generate publishes it.
        #expect(try r.generate(at: late).status == 0)
        let published = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: r.repo + "/metadata/2.targets.json"))) as? [String: Any]
        let signed = try #require(published?["signed"] as? [String: Any])
        #expect(signed["version"] as? Int == 2)
        #expect(signed["expires"] as? String == "2027-12-10T00:00:00Z")
        let old = try JSONSerialization.jsonObject(with: before) as? [String: Any]
        let oldSigned = try #require(old?["signed"] as? [String: Any])
        #expect((signed["delegations"] as? NSDictionary) == (oldSigned["delegations"] as? NSDictionary))
        #expect(!FileManager.default.fileExists(atPath: r.repo + "/staged/targets.json"))
        #expect(try r.run(["check-expiry", "--repo", r.repo, "--within", "30d"], at: late).output.contains("ok: targets version 2"))
        #expect(try r.run(["verify", "--repo", r.repo], at: late).status == 0)
    }

    @Test(.enabled(if: enabled)) func renewRootNeedsTheThresholdThenPublishes() throws {
        let r = try Repo()
        let late = "2026-12-10T00:00:00Z"
        let renew = try r.run(["renew", "--repo", r.repo, "root", "--expires", "400d"], at: late)
        #expect(renew.status == 0, "\(renew.output)")
        let staged = try r.run(["check-expiry", "--repo", r.repo, "--within", "30d"], at: late)
        #expect(staged.output.contains("ok: root (staged) version 2 expires 2028-01-14T00:00:00Z"), "\(staged.output)")
        #expect(try r.run(["sign", "--yes", "--repo", r.repo, "root", "--key", "\(r.k)/root1.pem"], at: late).status == 0)
        #expect(!FileManager.default.fileExists(atPath: r.repo + "/metadata/2.root.json"))
        #expect(try r.run(["sign", "--yes", "--repo", r.repo, "root", "--key", "\(r.k)/root2.pem"], at: late).status == 0)
        #expect(try r.generate(at: late).status == 0)
        #expect(FileManager.default.fileExists(atPath: r.repo + "/metadata/2.root.json"))
        #expect(try r.run(["verify", "--repo", r.repo], at: late).status == 0)
    }

    @Test(.enabled(if: enabled), arguments: [["renew", "--repo", "x", "snapshot"], ["renew", "--repo", "x", "root", "--expires", "0d"],
                                             ["renew", "--repo", "x", "bins", "--expires", "1y"]])
    func renewUsageErrorsExitTwo(_ args: [String]) throws {
        #expect(try Interop.run(try BuiltBinaries.require(CLITests.binary, "tuf-repo"), args, environment: ProcessInfo.processInfo.environment).status == 2)
    }
}

/// `status` names the keys that still have to sign a staged role, per threshold.
@Suite struct StagedSignersCLITests {
    @Test(.enabled(if: CLITests.enabled)) func statusNamesMissingSignersPerThreshold() throws {
        let r = try RenewCLITests.Repo()
        let now = RenewCLITests.start
        // Root 2-of-2 (root1, root2) → 2-of-3 with root3 added; root1 signs.
        #expect(try r.run(["rotate", "--repo", r.repo, "root", "--add-key", "\(r.k)/root3.pub.json"], at: now).status == 0)
        #expect(try r.run(["sign", "--yes", "--repo", r.repo, "root", "--key", "\(r.k)/root1.pem"], at: now).status == 0)
        let s = try r.json(["status", "--repo", r.repo], at: now)
        let staged = try #require(s["staged"] as? [[String: Any]])
        let new = try #require(staged.first { $0["role"] as? String == "root (staged)" })
        let old = try #require(staged.first { ($0["role"] as? String)?.contains("previous root") == true })
        #expect(new["signatures_needed"] as? Int == 1)
        #expect((new["can_still_sign"] as? [String])?.count == 2)
        #expect(old["signatures_needed"] as? Int == 1)
        #expect((old["can_still_sign"] as? [String])?.count == 1)
        let text = try r.run(["status", "--repo", r.repo], at: now).output
        #expect(text.contains("needs 1 more of: "), "\(text)")
    }
}
