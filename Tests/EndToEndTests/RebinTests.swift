import Foundation
import Testing
import TUFTestSupport

/// `tuf-repo rebin` on a live repository, through the real CLI: tuf-verify and python-tuf's
/// ngclient, each holding the metadata of the old layout, follow every change of bin count and
/// of named ↔ succinct roles and download a target; a bin name an older layout used is never
/// overwritten; the policy changes only when the publication succeeds.
@Suite(.enabled(if: Interop.enabled), .serialized) struct RebinTests {
    static let page = "simple/tiny-utils/index.json"
    static let file = "packages/zeta/zeta-0.0.1.tar.gz"

    @discardableResult
    func rebin(_ w: Workspace, _ args: [String], check: Bool = true) throws -> (status: Int32, output: String) {
        try w.tufRepo(["rebin", "--repo", w.repo, "--durability", "none"] + args
                      + ["bins", "bin-n", "snapshot", "timestamp"].flatMap { ["--key", w.pem($0)] }, check: check)
    }

    func snapshotRoles(_ w: Workspace) throws -> Set<String> {
        let ts = try JSONSerialization.jsonObject(with: w.published("metadata/timestamp.json")) as! [String: Any]
        let v = ((ts["signed"] as! [String: Any])["meta"] as! [String: Any])["snapshot.json"] as! [String: Any]
        let s = try JSONSerialization.jsonObject(with: w.published("metadata/\(v["version"]!).snapshot.json")) as! [String: Any]
        return Set(((s["signed"] as! [String: Any])["meta"] as! [String: Any]).keys)
    }

    @Test func clientsThatTrustedTheOldLayoutFollowEveryRebin() throws {
        let w = try Workspace(linkFiles: true)
        let server = try w.serve()
        defer { server.stop() }
        let verify = try VerifyClient(trustedRoot: w.metadata + "/1.root.json")
        let python = try PythonClient()
        func bothDownload(_ when: String) throws {
            let v = try verify.run(verify.options(server) + ["--target-name", Self.page, "--target-name", Self.file, "download"])
            #expect(v.status == 0, "tuf-verify \(when): \(v.output)")
            let p = try python.fetch([Self.page, Self.file], metadataURL: "\(server.baseURL)/metadata/",
                                     targetsURL: "\(server.baseURL)/targets/", trustedRoot: w.metadata + "/1.root.json")
            #expect(p.status == 0 && p.lines[Self.file] != nil, "python-tuf \(when): \(p.output)")
            let page = sha256(try Data(contentsOf: URL(fileURLWithPath: w.index + "/" + Self.page)))
            #expect(p.lines[Self.page]?["sha256"] as? String == page, "python-tuf \(when): the page is not the index's: \(p.output)")
            #expect(try w.tufRepo(["verify", "--repo", w.repo]).status == 0, "verify \(when)")
        }
        try bothDownload("before")
        let sixteen = try w.published("metadata/1.bin-0.json")

        for (step, (args, count, names)) in [(["--bins", "64"], 64, "bin-00"), (["--bins", "8", "--succinct"], 8, "bin-0"),
                                     (["--bins", "8", "--no-succinct"], 8, "bin-0"), (["--bins", "256"], 256, "bin-00")].enumerated() {
            // An upload between two rebins: the rebin carries the bins now delegated, never the
            // stale targets of an older layout's bins that the snapshot still lists.
            try w.addFile(project: "tiny-utils", filename: "tiny_utils-7.\(step).tar.gz", content: "before rebin \(args)")
            try w.generate()
            try rebin(w, args)
            // Every new bin is listed; the old ones stay listed, undelegated (spec 5.5.5).
            let roles = try snapshotRoles(w)
            #expect(roles.contains(names + ".json") && roles.count >= count + 2, "\(args): \(roles.sorted().prefix(5))")
            let policy = String(decoding: try w.published("tuf-repo.json"), as: UTF8.self)
            #expect(policy.contains("\"bins\": \(count),"), "\(policy)")
            try bothDownload("after rebin \(args)")
        }
        // The 8-bin layout reused bin-0; the 16-bin layout's first version of it is untouched.
        #expect(try w.published("metadata/1.bin-0.json") == sixteen)
        // And uploads after it go into the new bins.
        try w.addFile(project: "zeta", filename: "zeta-0.0.2.tar.gz", content: "after the rebin")
        try w.generate()
        try bothDownload("after an upload")
    }

    @Test func aRebinWithoutTheBinsKeyChangesNothing() throws {
        let w = try Workspace(linkFiles: false)
        let before = try w.published("tuf-repo.json")
        let r = try w.tufRepo(["rebin", "--repo", w.repo, "--bins", "64"] + ["bin-n", "snapshot", "timestamp"].flatMap { ["--key", w.pem($0)] },
                              check: false)
        #expect(r.status == 1 && r.output.contains("bins (rebin to 64 bins)"), "\(r.output)")
        #expect(try w.published("tuf-repo.json") == before)
        #expect(!FileManager.default.fileExists(atPath: w.repo + "/staged/bins.json"))
        // Without the online keys: the staged bins and the policy are put back.
        let s = try w.tufRepo(["rebin", "--repo", w.repo, "--bins", "64", "--key", w.pem("bins")], check: false)
        #expect(s.status == 1, "\(s.output)")
        #expect(try w.published("tuf-repo.json") == before)
        #expect(!FileManager.default.fileExists(atPath: w.repo + "/staged/bins.json"))
        #expect(try w.tufRepo(["verify", "--repo", w.repo]).status == 0)
    }
}
