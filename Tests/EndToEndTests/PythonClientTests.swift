import Foundation
import Testing
import TUFTestSupport

/// Interop, tuf-repo → python-tuf: python-tuf's `ngclient.Updater` refreshes a repository made
/// by the real `tuf-repo` binary, served on 127.0.0.1, and downloads pages and distribution
/// files with and without hash-prefixed names, seeing the signed `custom.yanked`.
@Suite(.enabled(if: Interop.enabled)) struct PythonClientTests {
    static let page = "simple/tiny-utils/index.json"
    static let yankedWithReason = "packages/tiny-utils/tiny_utils-0.2.tar.gz"
    static let yankedWithoutReason = "packages/demo-app/demo_app-2.1-py3-none-any.whl"
    static let notYanked = "packages/zeta/zeta-0.0.1.tar.gz"
    static let targets = [page, yankedWithReason, yankedWithoutReason, notYanked]

    /// The reason tiny-utils 0.2 is yanked with, as the index page says.
    static func reason(in w: Workspace) throws -> String {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(w.index)/\(page)"))
        let files = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["files"] as? [[String: Any]] ?? []
        guard let reason = files.first(where: { $0["filename"] as? String == "tiny_utils-0.2.tar.gz" })?["yanked"] as? String else {
            throw Failure("tiny_utils-0.2.tar.gz is not yanked with a reason in the example index")
        }
        return reason
    }

    /// Every target downloaded with the index's bytes, and the yank state as signed.
    static func expectDownloads(_ result: PythonClient.Result, from w: Workspace) throws {
        #expect(result.status == 0, "\(result.output)")
        for target in targets {
            let line = result.lines[target]
            let expected = sha256(try Data(contentsOf: URL(fileURLWithPath: "\(w.index)/\(target)")))
            #expect(line?["sha256"] as? String == expected, "\(target): \(result.output)")
        }
        let reason = try Self.reason(in: w)
        #expect((result.lines[yankedWithReason]?["custom"] as? [String: Any])?["yanked"] as? String == reason, "\(result.output)")
        #expect((result.lines[yankedWithoutReason]?["custom"] as? [String: Any])?["yanked"] as? Bool == true, "\(result.output)")
        #expect(result.lines[notYanked]?["custom"] is NSNull, "\(result.output)")
        #expect(result.lines[page]?["custom"] is NSNull, "\(result.output)")
    }

    /// A fresh python-tuf client downloads every target from `w` served on loopback (targets
    /// from the repository's `targets/`) and sees what was signed.
    static func expectPythonClientDownloads(from w: Workspace) throws {
        let server = try w.serve()
        defer { server.stop() }
        let result = try PythonClient().fetch(targets, metadataURL: "\(server.baseURL)/metadata/", targetsURL: "\(server.baseURL)/targets/",
                                              trustedRoot: "\(w.metadata)/1.root.json")
        try expectDownloads(result, from: w)
    }

    @Test func testPythonClientDownloadsHashPrefixedTargetsAndSeesYanks() throws {
        try Self.expectPythonClientDownloads(from: try Shared.get())
    }

    /// prefix_targets_with_hash=False against the index's own file layout: metadata from the
    /// repository, pages and files from a second server of the index folder (PyPI's file host).
    @Test func testPythonClientDownloadsFromTheIndexLayoutWithoutHashPrefix() throws {
        let w = try Shared.get()
        let metadata = try w.serve()
        defer { metadata.stop() }
        let files = try LoopbackServer(root: w.index)
        defer { files.stop() }
        let client = try PythonClient()
        let result = try client.fetch(Self.targets, metadataURL: "\(metadata.baseURL)/metadata/", targetsURL: "\(files.baseURL)/",
                                      trustedRoot: "\(w.metadata)/1.root.json", prefix: false)
        try Self.expectDownloads(result, from: w)
    }

    @Test func testPythonClientReadsSuccinctHashBins() throws {
        try Self.expectPythonClientDownloads(from: try Workspace(succinct: true))
    }

    /// Root v2 from `tuf-repo rotate` + `sign`: root1 and root2 are replaced by two new keys,
    /// root3 stays, threshold 2; signed by root1 + root3 (old set) and root3 + new1 (new set).
    /// A python-tuf client that trusted v1, and one bootstrapped from v1 afterwards, both
    /// reach v2 through the root loop (and so does tuf-verify).
    @Test func testPythonClientFollowsRootRotationFromTheOldRoot() throws {
        let w = try Workspace()
        let server = try w.serve()
        defer { server.stop() }
        let fetch = { (client: PythonClient) in
            try client.fetch([Self.page], metadataURL: "\(server.baseURL)/metadata/", targetsURL: "\(server.baseURL)/targets/",
                             trustedRoot: "\(w.metadata)/1.root.json")
        }
        let earlier = try PythonClient()
        let first = try fetch(earlier)
        #expect(first.status == 0, "\(first.output)")
        #expect(try earlier.trustedVersion("root") == 1)

        for name in ["new1", "new2"] { try w.tufRepo(["keygen", "--type", "ed25519", "--out", "\(w.keys)/\(name)"]) }
        try w.tufRepo(["rotate", "--repo", w.repo, "root", "--add-key", w.pub("new1"), "--add-key", w.pub("new2"),
                       "--remove-key", w.pub("root1"), "--remove-key", w.pub("root2"), "--threshold", "2"])
        try w.tufRepo(["sign", "--yes", "--repo", w.repo, "root", "--key", w.pem("root1")])
        try w.tufRepo(["sign", "--yes", "--repo", w.repo, "root", "--key", w.pem("root3"), "--passphrase-env", Workspace.passphraseVariable])
        #expect(!FileManager.default.fileExists(atPath: "\(w.metadata)/2.root.json"), "published before the new keys signed")
        try w.tufRepo(["sign", "--yes", "--repo", w.repo, "root", "--key", w.pem("new1")])
        #expect(try w.version(of: "root") == 2)

        let again = try fetch(earlier)
        #expect(again.status == 0, "\(again.output)")
        #expect(try earlier.trustedVersion("root") == 2)
        let fresh = try PythonClient()
        let bootstrapped = try fetch(fresh)
        #expect(bootstrapped.status == 0, "\(bootstrapped.output)")
        #expect(try fresh.trustedVersion("root") == 2)
        #expect(bootstrapped.lines[Self.page]?["sha256"] as? String == sha256(try w.published("targets/" + Self.page)))
        // tuf-verify, bootstrapped from v1 as well, takes the same path.
        let verify = try VerifyClient(trustedRoot: "\(w.metadata)/1.root.json")
        let refresh = try verify.run(verify.options(server) + ["refresh", "--json"])
        #expect(refresh.status == 0 && refresh.output.contains("\"root\":2"), "\(refresh.output)")
    }
}
