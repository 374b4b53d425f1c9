import Foundation
import Testing
import TUFMetadata
import TUFTestSupport

/// `generate --project/--projects-from`, `enqueue` and `publish` through the real binary.
@Suite struct UploadCLITests {
    func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, output: String) {
        try Interop.run(try BuiltBinaries.require(CLITests.binary, "tuf-repo"), args, environment: ProcessInfo.processInfo.environment)
    }

    /// A repository made from the example keys and a copy of the example index.
    func setUp(_ dir: TempDir) throws -> (repo: String, index: String, online: [String]) {
        let repo = dir.sub("repo"), k = dir.sub("keys"), index = dir.sub("index")
        try FileManager.default.copyItem(atPath: CLITests.keys, toPath: k)
        try FileManager.default.copyItem(atPath: CLITests.index, toPath: index)
        for name in try FileManager.default.contentsOfDirectory(atPath: k) where name.hasSuffix(".pem") {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(k)/\(name)")
        }
        let initArgs = ["init", "--repo", repo, "--bins", "16", "--durability", "none",
                        "--root-key", "\(k)/root1.pub.json", "--root-key", "\(k)/root2.pub.json", "--root-threshold", "1",
                        "--targets-key", "\(k)/targets.pub.json", "--bins-key", "\(k)/bins.pub.json",
                        "--bin-n-key", "\(k)/bin-n.pub.json", "--snapshot-key", "\(k)/snapshot.pub.json",
                        "--timestamp-key", "\(k)/timestamp.pub.json",
                        "--sign-with", "\(k)/root1.pem", "--sign-with", "\(k)/targets.pem", "--sign-with", "\(k)/bins.pem"]
        let i = try run(initArgs)
        #expect(i.status == 0, "\(i.output)")
        let online = ["--key", "\(k)/bin-n.pem", "--key", "\(k)/snapshot.pem", "--key", "\(k)/timestamp.pem"]
        let g = try run(["generate", "--repo", repo, "--index", index, "--durability", "none"] + online)
        #expect(g.status == 0, "\(g.output)")
        return (repo, index, online)
    }

    @Test(.enabled(if: CLITests.enabled)) func projectUploadsAndTheQueue() throws {
        let dir = TempDir()
        let (repo, index, online) = try setUp(dir)
        for sub in ["enqueue", "publish"] { #expect(try run([sub, "--help"]).status == 0) }
        // Nothing changed.
        let same = try run(["generate", "--repo", repo, "--index", index, "--project", "zeta"] + online)
        #expect(same.status == 0 && same.output.contains("nothing published"), "\(same.output)")
        // A changed page (a yank by hand) is published by naming it in a list file.
        let page = index + "/simple/zeta/index.json"
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: page)), as: UTF8.self)
        try Data(text.replacingOccurrences(of: "\"yanked\": false", with: "\"yanked\": true").utf8).write(to: URL(fileURLWithPath: page))
        try Data("# uploads\n\nzeta\n".utf8).write(to: URL(fileURLWithPath: dir.sub("list")))
        let up = try run(["generate", "--repo", repo, "--index", index, "--projects-from", dir.sub("list")] + online)
        #expect(up.status == 0 && up.output.contains("published"), "\(up.output)")
        #expect(try run(["verify", "--repo", repo]).status == 0)
        // Unknown name: exit 1 naming it; bad name: usage error 2.
        let unknown = try run(["generate", "--repo", repo, "--index", index, "--project", "no-such-project"] + online)
        #expect(unknown.status == 1 && unknown.output.contains("no-such-project"), "\(unknown.output)")
        #expect(try run(["generate", "--repo", repo, "--index", index, "--project", "a/b"] + online).status == 2)
        #expect(try run(["enqueue", "--repo", repo, "a/b"]).status == 2)
        // The queue: enqueue returns at once, publish drains it.
        try Data(text.utf8).write(to: URL(fileURLWithPath: page))
        let q = try run(["enqueue", "--repo", repo, "zeta", "tiny-utils"])
        #expect(q.status == 0 && q.output.contains("queued 2"), "\(q.output)")
        let p = try run(["publish", "--repo", repo, "--index", index] + online)
        #expect(p.status == 0 && p.output.contains("published 2 queued names"), "\(p.output)")
        #expect(try run(["publish", "--repo", repo, "--index", index] + online).output.contains("queue is empty"))
        #expect(try run(["verify", "--repo", repo]).status == 0)
    }
}
