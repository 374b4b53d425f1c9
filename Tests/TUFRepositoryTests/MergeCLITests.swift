import Foundation
import Testing
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// `tuf-repo sign --merge`: copies of a staged root rotation (2-of-3 → 3-of-5) signed in
/// parallel, gathered into the staged role; every refusal names the copy and stages nothing.
@Suite struct MergeCLITests {
    static let enabled = CLITests.enabled

    /// A published repository (root 2-of-3: root1..root3) with a staged root version 2 that
    /// drops root3 and adds root4 and root5 at threshold 3. It needs root1 and root2 (old
    /// threshold) and three of root1, root2, root4, root5 (new threshold).
    struct Ceremony {
        let dir = TempDir()
        var repo: String { dir.sub("repo") }
        var keys: String { dir.sub("keys") }
        var staged: String { repo + "/staged/root.json" }
        let cli = CLITests()

        init() throws {
            try FileManager.default.copyItem(atPath: CLITests.keys, toPath: dir.sub("keys"))
            for name in try FileManager.default.contentsOfDirectory(atPath: keys) where name.hasSuffix(".pem") {
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: "\(keys)/\(name)")
            }
            let k = keys
            try check(["init", "--repo", repo, "--bins", "16", "--durability", "none",
                       "--root-key", "\(k)/root1.pub.json", "--root-key", "\(k)/root2.pub.json", "--root-key", "\(k)/root3.pub.json",
                       "--root-threshold", "2", "--targets-key", "\(k)/targets.pub.json", "--bins-key", "\(k)/bins.pub.json",
                       "--bin-n-key", "\(k)/bin-n.pub.json", "--snapshot-key", "\(k)/snapshot.pub.json",
                       "--timestamp-key", "\(k)/timestamp.pub.json", "--sign-with", "\(k)/root1.pem", "--sign-with", "\(k)/root2.pem",
                       "--sign-with", "\(k)/targets.pem", "--sign-with", "\(k)/bins.pem"])
            try check(["generate", "--repo", repo, "--index", CLITests.index, "--durability", "none",
                       "--key", "\(k)/bin-n.pem", "--key", "\(k)/snapshot.pem", "--key", "\(k)/timestamp.pem"])
            for n in ["root4", "root5", "stranger"] { try check(["keygen", "--out", "\(k)/\(n)"]) }
            try check(["rotate", "--repo", repo, "root", "--remove-key", "\(k)/root3.pub.json",
                       "--add-key", "\(k)/root4.pub.json", "--add-key", "\(k)/root5.pub.json", "--threshold", "3"])
        }

        func run(_ args: [String]) throws -> (status: Int32, output: String) { try cli.run(args) }

        func check(_ args: [String]) throws {
            let r = try run(args)
            #expect(r.status == 0, "\(args.prefix(2)): \(r.output)")
        }

        /// A copy of the staged root signed with `key` (sign --file, as on another machine).
        func signedCopy(_ name: String, by key: String) throws -> String {
            let copy = dir.sub(name + ".json")
            try FileManager.default.copyItem(atPath: staged, toPath: copy)
            try check(["sign", "--yes", "--file", copy, "--key", "\(keys)/\(key).pem"])
            return copy
        }

        var published2: Bool { FileManager.default.fileExists(atPath: repo + "/metadata/2.root.json") }
        func stagedBytes() -> Data? { FileManager.default.contents(atPath: staged) }
    }

    @Test(.enabled(if: enabled)) func copiesSignedInParallelMergeInOneCallAndPublish() throws {
        let c = try Ceremony()
        let copies = try ["root1", "root2", "root4"].map { try c.signedCopy("copy-\($0)", by: $0) }
        let r = try c.run(["sign", "--yes", "--repo", c.repo, "root", "--merge"] + copies)
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("merged 3 new signature(s)"), "\(r.output)")
        #expect(c.published2, "root version 2 is published once both thresholds are met")
        #expect(!FileManager.default.fileExists(atPath: c.staged))
        #expect(try c.run(["verify", "--repo", c.repo]).status == 0)
    }

    @Test(.enabled(if: enabled)) func copiesMergedOneByOnePublishAtTheLast() throws {
        let c = try Ceremony()
        for key in ["root1", "root4"] {
            let r = try c.run(["sign", "--yes", "--repo", c.repo, "root", "--merge", try c.signedCopy("copy-\(key)", by: key)])
            #expect(r.status == 0, "\(r.output)")
            #expect(r.output.contains("not published yet"), "\(r.output)")
            #expect(!c.published2)
        }
        let last = try c.run(["sign", "--yes", "--repo", c.repo, "root", "--merge", try c.signedCopy("copy-root2", by: "root2")])
        #expect(last.status == 0, "\(last.output)")
        #expect(c.published2)
    }

    @Test(.enabled(if: enabled)) func theSameKeyTwiceCountsOnce() throws {
        let c = try Ceremony()
        let a = try c.signedCopy("a", by: "root1"), again = try c.signedCopy("again", by: "root1")
        let r = try c.run(["sign", "--yes", "--repo", c.repo, "root", "--merge", a, again])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("merged 1 new signature(s)"), "\(r.output)")
        let twice = try c.run(["sign", "--yes", "--repo", c.repo, "root", "--merge", a])
        #expect(twice.output.contains("merged 0 new signature(s)") && twice.output.contains("already present"), "\(twice.output)")
        #expect(!c.published2, "one key, however often, is one signature of the three needed")
    }

    /// Each bad copy is refused naming it, and the staged root stays byte for byte as it was,
    /// even when a good copy comes first in the same call.
    @Test(.enabled(if: enabled)) func badCopiesAreRefusedByNameAndNothingIsStaged() throws {
        let c = try Ceremony()
        let good = try c.signedCopy("good", by: "root1")
        let text = try String(contentsOfFile: try c.signedCopy("base", by: "root2"), encoding: .utf8)
        func write(_ name: String, _ s: String) throws -> String {
            let p = c.dir.sub(name); try s.write(toFile: p, atomically: true, encoding: .utf8); return p
        }
        // One byte of the signed part changed (the expiry's last digit of the seconds).
        var changed = Array(text.utf8)
        let expires = text.range(of: "\"expires\":\"")!.upperBound
        let at = text.utf8.distance(from: text.utf8.startIndex, to: expires) + 18
        changed[at] = changed[at] == UInt8(ascii: "1") ? UInt8(ascii: "2") : UInt8(ascii: "1")
        let cases: [(String, String)] = [
            (try write("one-byte.json", String(decoding: changed, as: UTF8.self)), "its signed part differs from the staged root"),
            (try write("truncated.json", String(text.prefix(text.count / 2))), "not TUF metadata"),
            (c.repo + "/metadata/1.root.json", "it is version 1, the staged root is version 2"),
            (c.repo + "/metadata/1.targets.json", "is targets metadata, not the staged root"),
            (try c.signedCopy("stranger", by: "stranger"), "which is not a key of root"),
            (try write("forged.json", text.replacingOccurrences(of: "\"sig\":\"", with: "\"sig\":\"00")), "does not verify"),
        ]
        let before = c.stagedBytes()
        for (copy, reason) in cases {
            let r = try c.run(["sign", "--yes", "--repo", c.repo, "root", "--merge", good, copy])
            #expect(r.status == 1, "\(copy): \(r.output)")
            #expect(r.output.contains(copy), "the error names the copy: \(r.output)")
            #expect(r.output.contains(reason), "\(copy): \(r.output)")
            #expect(c.stagedBytes() == before, "\(copy): the staged root changed")
            #expect(!c.published2)
        }
    }

    @Test(.enabled(if: enabled)) func mergeUsageErrorsExitTwo() throws {
        let c = try Ceremony()
        #expect(try c.run(["sign", "--yes", "--repo", c.repo, "root"]).status == 2, "neither --key nor --merge")
        #expect(try c.run(["sign", "--yes", "--file", c.staged, "--merge", c.staged]).status == 2, "--merge needs --repo")
        #expect(try c.run(["sign", "--yes", "--repo", c.repo, "root", "--merge", c.staged, "--key", "\(c.keys)/root1.pem"]).status == 2)
    }
}

/// The review `sign` prints before signing, and its confirmation.
@Suite struct SigningReviewCLITests {
    static let enabled = CLITests.enabled

    @Test(.enabled(if: enabled)) func reviewNamesTheChangesAndTheDigestOfTheSignedBytes() throws {
        let c = try MergeCLITests.Ceremony()
        let r = try c.run(["sign", "--yes", "--repo", c.repo, "root", "--key", "\(c.keys)/root1.pem"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("version: 1 → 2"), "\(r.output)")
        #expect(r.output.contains("root: threshold 2 → 3 of 4 keys"), "\(r.output)")
        for key in ["root4", "root5"] {
            let id = try MergeCLITests.keyID(c.keys + "/\(key).pub.json")
            #expect(r.output.contains("root: key added \(id.prefix(16)) (ed25519/ed25519)"), "\(key): \(r.output)")
        }
        let removed = try MergeCLITests.keyID(c.keys + "/root3.pub.json")
        #expect(r.output.contains("root: key removed \(removed.prefix(16))"), "\(r.output)")
        // The digest, computed independently by python-tuf: SHA-256 of the canonical `signed`.
        let py = try Interop.run(try #require(Interop.python, "TUF_INTEROP_PYTHON"), ["-c", """
            import hashlib, sys
            from tuf.api.metadata import Metadata
            md = Metadata.from_file(sys.argv[1])
            print(hashlib.sha256(md.signed_bytes).hexdigest())
            """, c.staged])
        let digest = py.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest.count == 64, "\(py.output)")
        #expect(r.output.contains("SHA-256 of the bytes to sign: \(digest)"), "\(r.output)")
    }

    /// The attack: the staged root keeps the timestamp keyid and puts another key's
    /// material under it. `sign --repo` shows the change (old and new fingerprint) and counts
    /// it; it and `sign --file` (no published root to compare with) refuse it and leave the
    /// file as it was.
    @Test(.enabled(if: enabled)) func aKeySwappedUnderItsKeyidIsShownAndNotSigned() throws {
        let c = try MergeCLITests.Ceremony()
        var md = try Metadata<Root>(bytes: Array(try #require(c.stagedBytes())))
        let id = try #require(md.signed.roles[.timestamp]?.keyIDs.first)
        md.signed.keys[id] = try KeyFiles.loadPublic(c.keys + "/stranger.pub.json")
        try Data(md.encoded()).write(to: URL(fileURLWithPath: c.staged))
        let copy = c.dir.sub("copy.json")
        try FileManager.default.copyItem(atPath: c.staged, toPath: copy)
        let before = c.stagedBytes()
        for args in [["--repo", c.repo, "root"], ["--file", copy]] {
            let r = try c.run(["sign", "--yes"] + args + ["--key", "\(c.keys)/root1.pem"])
            #expect(r.status == 1, "\(args[0]): \(r.output)")
            if args[0] == "--repo" {
                #expect(r.output.contains("timestamp: key \(id.prefix(16)) changed: ed25519/ed25519 "), "\(r.output)")
                #expect(r.output.contains("4 of them to keys"), "the rotation's three and the swap: \(r.output)")
            }
            #expect(r.output.contains("refused: root: keyid \(id)"), "\(args[0]): \(r.output)")
            #expect(!r.output.contains("signed staged root") && !r.output.contains("signed root metadata"), "\(r.output)")
        }
        #expect(c.stagedBytes() == before)
        #expect(FileManager.default.contents(atPath: copy) == before)
        #expect(!c.published2)
    }

    @Test(.enabled(if: enabled)) func withoutATerminalAndWithoutYesNothingIsSigned() throws {
        let c = try MergeCLITests.Ceremony()
        let before = c.stagedBytes()
        let copy = try c.signedCopy("copy", by: "root1")
        let copyBefore = FileManager.default.contents(atPath: copy)
        for args in [["sign", "--repo", c.repo, "root", "--key", "\(c.keys)/root2.pem"], ["sign", "--file", copy, "--key", "\(c.keys)/root2.pem"]] {
            let r = try c.run(args)   // the test runner's stdin is no terminal
            #expect(r.status == 1, "\(r.output)")
            #expect(r.output.contains("SHA-256 of the bytes to sign"), "the review is shown first: \(r.output)")
            #expect(r.output.contains("pass --yes"), "\(r.output)")
        }
        #expect(c.stagedBytes() == before)
        #expect(FileManager.default.contents(atPath: copy) == copyBefore)
    }
}

extension MergeCLITests {
    static func keyID(_ pubFile: String) throws -> String {
        let json = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: pubFile))) as? [String: Any]
        return json?["keyid"] as? String ?? ""
    }
}
