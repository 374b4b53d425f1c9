import Foundation
import Testing
import TUFTestSupport

/// Malformed input to every `tuf-repo` subcommand is a clear error that changes nothing: exit 1
/// or 2, a message on stderr naming the file or field, the whole repository (and the keys and
/// index around it) byte for byte as before. Runs as root, so `chmod 000` cannot make a file
/// unreadable here; a folder where a file is expected stands in for an unreadable file.
@Suite(.enabled(if: Interop.enabled)) struct BadInputRepoTests {
    static let pass = ["--passphrase-env", BadInputFolder.passphraseVariable]
    static let page = "simple/tiny-utils/index.json"

    static func generate(_ f: BadInputFolder, _ extra: [String] = []) -> [String] {
        ["generate", "--repo", f.repo, "--index", f.index, "--durability", "none", "--link-files"]
            + Workspace.onlineKeys.flatMap { ["--key", f.pem($0)] } + extra
    }

    /// A project in the list (and its page, so only the name rule can refuse it).
    static func addProject(_ f: BadInputFolder, listed name: String, pageDirectory: String? = nil) throws -> [String] {
        let list = try f.read("index/simple/index.json")
        let escaped = String(decoding: try JSONSerialization.data(withJSONObject: [name], options: .fragmentsAllowed), as: UTF8.self).dropFirst().dropLast()
        try f.write("index/simple/index.json", list.replacingOccurrences(of: "\"projects\": [", with: "\"projects\": [{\"name\": \(escaped)}, "))
        if let dir = pageDirectory {
            try f.write("index/simple/\(dir)/index.json", "{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"x\", \"files\": [], \"versions\": []}")
        }
        return generate(f)
    }

    static let keyCases: [BadInput] = [
        BadInput("keygen: unknown key type", mentions: ["--type"]) { f in ["keygen", "--type", "dsa", "--out", f.keys + "/new"] },
        BadInput("keygen: the key files exist", mentions: ["root1.pem", "already exists"]) { f in ["keygen", "--out", f.keys + "/root1"] },
        BadInput("keygen: passphrase variable unset", mentions: ["TUF_BAD_INPUT_UNSET"]) { f in
            ["keygen", "--out", f.keys + "/new", "--passphrase-env", "TUF_BAD_INPUT_UNSET"]
        },
        BadInput("init: truncated public key JSON", mentions: ["bad.pub.json"]) { f in
            f.initArguments(rootKey: try f.write("keys/bad.pub.json", BadJSON.truncated(try f.read("keys/root1.pub.json"))))
        },
        BadInput("init: public key JSON over the depth limit", mentions: ["bad.pub.json"]) { f in
            f.initArguments(rootKey: try f.write("keys/bad.pub.json", BadJSON.deep))
        },
        BadInput("init: public key with a number for keyval.public", mentions: ["bad.pub.json"]) { f in
            try f.write("keys/bad.pub.json", try f.read("keys/root1.pub.json"))
            try f.edit("keys/bad.pub.json", field: "public", to: "42")
            return f.initArguments(rootKey: f.root + "/keys/bad.pub.json")
        },
        BadInput("init: public key with a duplicate member", mentions: ["bad.pub.json"]) { f in
            f.initArguments(rootKey: try f.write("keys/bad.pub.json", BadJSON.duplicated(try f.read("keys/root1.pub.json"), field: "keytype")))
        },
        BadInput("init: public key of an unknown key type", mentions: ["bad.pub.json"]) { f in
            try f.write("keys/bad.pub.json", try f.read("keys/root1.pub.json"))
            try f.edit("keys/bad.pub.json", field: "keytype", to: "\"dsa\"")
            return f.initArguments(rootKey: f.root + "/keys/bad.pub.json")
        },
        BadInput("init: garbage public key file", mentions: ["bad.pub.json"]) { f in
            f.initArguments(rootKey: try f.write("keys/bad.pub.json", bytes: BadJSON.garbage))
        },
        BadInput("init: a folder as the public key file (unreadable)", mentions: ["folder.pub.json"]) { f in
            try FileManager.default.createDirectory(atPath: f.keys + "/folder.pub.json", withIntermediateDirectories: true)
            return f.initArguments(rootKey: f.keys + "/folder.pub.json")
        },
        BadInput("init: root threshold -1", mentions: ["--root-threshold"]) { f in f.initArguments(threshold: "-1") },
        BadInput("init: root threshold 2^63", mentions: ["--root-threshold"]) { f in f.initArguments(threshold: BadJSON.overflow) },
        BadInput("init: bins 1e3", mentions: ["--bins"]) { f in f.initArguments(extra: ["--bins", "1e3"]) },
        BadInput("init: negative expiry", mentions: ["--expires"]) { f in f.initArguments(extra: ["--expires", "timestamp=-1d"]) },
        BadInput("init: over an existing repository", mentions: ["repo"]) { f in
            f.initArguments().map { $0 == f.root + "/new-repo" ? f.repo : $0 } + ["--sign-with", f.pem("root1")]
        },
        BadInput("init: wrong passphrase", mentions: ["root3.pem", "passphrase"]) { f in
            f.passphrase = "not-the-passphrase"
            return f.initArguments(extra: ["--sign-with", f.pem("root3")] + pass)
        },
        BadInput("init: garbage private key", mentions: ["bad.pem"]) { f in
            f.initArguments(extra: ["--sign-with", try f.write("keys/bad.pem", bytes: BadJSON.garbage)])
        },
    ]

    static let indexCases: [BadInput] = [
        BadInput("generate: truncated project page", mentions: [page]) { f in
            try f.write("index/" + page, BadJSON.truncated(try f.read("index/" + page))); return generate(f)
        },
        BadInput("generate: truncated project list", mentions: ["simple/index.json"]) { f in
            try f.write("index/simple/index.json", BadJSON.truncated(try f.read("index/simple/index.json"))); return generate(f)
        },
        BadInput("generate: project page over the depth limit", mentions: [page]) { f in try f.write("index/" + page, BadJSON.deep); return generate(f) },
        BadInput("generate: project page over the size limit (sparse, 257 MiB)", mentions: [page]) { f in
            let path = f.root + "/index/" + page
            guard truncate(path, 257 << 20) == 0 else { throw Failure("truncate \(path)") }
            return generate(f)
        },
        BadInput("generate: size as a string", mentions: [page, "size"]) { f in try f.edit("index/" + page, field: "size", to: "\"12\""); return generate(f) },
        BadInput("generate: size -1", mentions: [page, "size"]) { f in try f.edit("index/" + page, field: "size", to: "-1"); return generate(f) },
        BadInput("generate: size 2^63", mentions: [page]) { f in try f.edit("index/" + page, field: "size", to: BadJSON.overflow); return generate(f) },
        BadInput("generate: size 1e3", mentions: [page]) { f in try f.edit("index/" + page, field: "size", to: "1e3"); return generate(f) },
        BadInput("generate: yanked as a number", mentions: [page, "yanked"]) { f in try f.edit("index/" + page, field: "yanked", to: "3"); return generate(f) },
        BadInput("generate: files as an object", mentions: [page, "files"]) { f in
            try f.write("index/" + page, "{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"tiny-utils\", \"files\": {}, \"versions\": []}")
            return generate(f)
        },
        BadInput("generate: duplicate member in a page", mentions: [page]) { f in
            try f.write("index/" + page, BadJSON.duplicated(try f.read("index/" + page), field: "name")); return generate(f)
        },
        BadInput("generate: project named ..", mentions: ["simple/index.json"]) { f in try addProject(f, listed: "..") },
        BadInput("generate: project name with NUL", mentions: ["simple/index.json"]) { f in try addProject(f, listed: "a\u{0}b") },
        BadInput("generate: absolute project name", mentions: ["simple/index.json"]) { f in try addProject(f, listed: "/etc") },
        BadInput("generate: project name with a combining character after /", mentions: ["simple/index.json"]) { f in
            try addProject(f, listed: "x/\u{301}y", pageDirectory: "x/\u{301}y")
        },
        BadInput("generate: project name starting with a combining character", mentions: ["simple/index.json"]) { f in
            try addProject(f, listed: "\u{301}x", pageDirectory: "\u{301}x")
        },
        BadInput("generate --link-files: a file URL (a combining character after ..) naming a missing file", mentions: ["etc/hostname"]) { f in
            try f.edit("index/" + page, field: "url", to: "\"../../packages/tiny-utils/..\u{301}/../../../etc/hostname\""); return generate(f)
        },
        BadInput("generate: project page is a symlink out of the index", mentions: [page]) { f in
            try f.write("outside.json", try f.read("index/" + page))
            try FileManager.default.removeItem(atPath: f.index + "/" + page)
            try FileManager.default.createSymbolicLink(atPath: f.index + "/" + page, withDestinationPath: f.root + "/outside.json")
            return generate(f)
        },
        BadInput("generate: project folder is a symlink out of the index", mentions: ["simple/tiny-utils"]) { f in
            try FileManager.default.moveItem(atPath: f.index + "/simple/tiny-utils", toPath: f.root + "/outside")
            try FileManager.default.createSymbolicLink(atPath: f.index + "/simple/tiny-utils", withDestinationPath: f.root + "/outside")
            return generate(f)
        },
        BadInput("generate: distribution file is a symlink out of the index (--link-files)", mentions: ["packages/zeta/zeta-0.0.1.tar.gz"]) { f in
            let file = f.index + "/packages/zeta/zeta-0.0.1.tar.gz"
            try f.write("outside.tar.gz", bytes: try Data(contentsOf: URL(fileURLWithPath: file)))
            try FileManager.default.removeItem(atPath: file)
            try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: f.root + "/outside.tar.gz")
            // Without the state store the run reads the whole index and re-links every file.
            try FileManager.default.removeItem(atPath: f.repo + "/state")
            return generate(f)
        },
        BadInput("generate: project page is a FIFO", mentions: [page]) { f in try f.fifo("index/" + page); return generate(f) },
        BadInput("generate: a folder as the project page (unreadable)", mentions: [page]) { f in
            try FileManager.default.removeItem(atPath: f.index + "/" + page)
            try FileManager.default.createDirectory(atPath: f.index + "/" + page, withIntermediateDirectories: true)
            return generate(f)
        },
        BadInput("generate: wrong passphrase", mentions: ["root3.pem", "passphrase"]) { f in
            f.passphrase = "not-the-passphrase"; return generate(f, ["--key", f.pem("root3")] + pass)
        },
        BadInput("generate: garbage private key", mentions: ["bad.pem"]) { f in
            generate(f, ["--key", try f.write("keys/bad.pem", bytes: BadJSON.garbage)])
        },
        BadInput("generate: private key is a FIFO", mentions: ["fifo.pem"]) { f in generate(f, ["--key", try f.fifo("keys/fifo.pem")]) },
    ]

    static func sign(_ f: BadInputFolder, key: String = "root1") -> [String] { ["sign", "--yes", "--repo", f.repo, "root", "--key", f.pem(key)] }
    static func signFile(_ f: BadInputFolder, _ text: String, key: String = "root1") throws -> [String] {
        ["sign", "--yes", "--file", try f.write("offline/root.json", text), "--key", f.pem(key)]
    }
    static func stagedRoot(_ f: BadInputFolder) throws -> String { try f.stageRoot(); return try f.read("repo/staged/root.json") }

    static let signCases: [BadInput] = [
        BadInput("sign: nothing staged", mentions: ["root"]) { f in sign(f) },
        BadInput("sign: truncated staged root", mentions: ["staged/root.json"]) { f in
            try f.write("repo/staged/root.json", BadJSON.truncated(try stagedRoot(f))); return sign(f)
        },
        BadInput("sign: staged root version -1", mentions: ["staged/root.json", "version"]) { f in
            _ = try stagedRoot(f); try f.edit("repo/staged/root.json", field: "version", to: "-1"); return sign(f)
        },
        BadInput("sign: staged root version 2^63", mentions: ["staged/root.json"]) { f in
            _ = try stagedRoot(f); try f.edit("repo/staged/root.json", field: "version", to: BadJSON.overflow); return sign(f)
        },
        BadInput("sign: staged root version 1e3", mentions: ["staged/root.json"]) { f in
            _ = try stagedRoot(f); try f.edit("repo/staged/root.json", field: "version", to: "1e3"); return sign(f)
        },
        BadInput("sign: staged root with a duplicate member", mentions: ["staged/root.json"]) { f in
            try f.write("repo/staged/root.json", BadJSON.duplicated(try stagedRoot(f), field: "expires")); return sign(f)
        },
        BadInput("sign: a key that is not a root key", mentions: ["root"]) { f in _ = try stagedRoot(f); return sign(f, key: "targets") },
        BadInput("sign: wrong passphrase", mentions: ["root3.pem", "passphrase"]) { f in
            _ = try stagedRoot(f); f.passphrase = "not-the-passphrase"; return sign(f, key: "root3") + pass
        },
        BadInput("sign: garbage private key", mentions: ["bad.pem"]) { f in
            _ = try stagedRoot(f); return ["sign", "--yes", "--repo", f.repo, "root", "--key", try f.write("keys/bad.pem", bytes: BadJSON.garbage)]
        },
        BadInput("sign --file: truncated", mentions: ["offline/root.json"]) { f in try signFile(f, BadJSON.truncated(try stagedRoot(f))) },
        BadInput("sign --file: over the depth limit", mentions: ["offline/root.json"]) { f in try signFile(f, BadJSON.deep) },
        BadInput("sign --file: signed is an array", mentions: ["offline/root.json", "signed"]) { f in
            try signFile(f, "{\"signatures\": [], \"signed\": []}")
        },
        BadInput("sign --file: version 2^63", mentions: ["offline/root.json"]) { f in
            let text = try stagedRoot(f)
            try f.write("offline/root.json", text); try f.edit("offline/root.json", field: "version", to: BadJSON.overflow)
            return ["sign", "--yes", "--file", f.root + "/offline/root.json", "--key", f.pem("root1")]
        },
        BadInput("sign --file: duplicate member", mentions: ["offline/root.json"]) { f in
            try signFile(f, BadJSON.duplicated(try stagedRoot(f), field: "expires"))
        },
        BadInput("sign --file: an online role (snapshot)", mentions: ["offline/root.json"]) { f in
            try signFile(f, try f.read("repo/metadata/1.snapshot.json"))
        },
        BadInput("sign --file: garbage file", mentions: ["offline/root.json"]) { f in
            ["sign", "--yes", "--file", try f.write("offline/root.json", bytes: BadJSON.garbage), "--key", f.pem("root1")]
        },
        BadInput("sign --file: the file is a FIFO", mentions: ["offline/root.json"]) { f in
            try FileManager.default.createDirectory(atPath: f.root + "/offline", withIntermediateDirectories: true)
            return ["sign", "--yes", "--file", try f.fifo("offline/root.json"), "--key", f.pem("root1")]
        },
    ]

    static let otherCases: [BadInput] = [
        BadInput("rotate: unknown role", mentions: ["nobody"]) { f in ["rotate", "--repo", f.repo, "nobody", "--threshold", "1"] },
        BadInput("rotate: threshold -1", mentions: ["threshold"]) { f in ["rotate", "--repo", f.repo, "root", "--threshold=-1"] },
        BadInput("rotate: threshold 2^63", mentions: ["--threshold"]) { f in ["rotate", "--repo", f.repo, "root", "--threshold", BadJSON.overflow] },
        BadInput("rotate: threshold 1e3", mentions: ["--threshold"]) { f in ["rotate", "--repo", f.repo, "root", "--threshold", "1e3"] },
        BadInput("rotate: garbage key to add", mentions: ["bad.pub.json"]) { f in
            ["rotate", "--repo", f.repo, "root", "--add-key", try f.write("keys/bad.pub.json", bytes: BadJSON.garbage)]
        },
        BadInput("rotate: key of an unknown type to add", mentions: ["bad.pub.json"]) { f in
            try f.write("keys/bad.pub.json", try f.read("keys/root1.pub.json"))
            try f.edit("keys/bad.pub.json", field: "keytype", to: "\"dsa\"")
            return ["rotate", "--repo", f.repo, "root", "--add-key", f.keys + "/bad.pub.json"]
        },
        BadInput("rotate: removing a keyid root does not have", mentions: ["0000"]) { f in
            ["rotate", "--repo", f.repo, "root", "--remove-key", String(repeating: "0", count: 64)]
        },
        BadInput("rotate: truncated published root", mentions: ["root.json"]) { f in
            try f.write("repo/metadata/root.json", BadJSON.truncated(try f.read("repo/metadata/root.json")))
            return ["rotate", "--repo", f.repo, "root", "--threshold", "2"]
        },
        BadInput("timestamp: a key that is not the timestamp key", mentions: ["timestamp"]) { f in
            ["timestamp", "--repo", f.repo, "--key", f.pem("targets")]
        },
        BadInput("timestamp: garbage private key", mentions: ["bad.pem"]) { f in
            ["timestamp", "--repo", f.repo, "--key", try f.write("keys/bad.pem", bytes: BadJSON.garbage)]
        },
        BadInput("timestamp: negative window", mentions: ["--if-expiring-within"]) { f in
            ["timestamp", "--repo", f.repo, "--key", f.pem("timestamp"), "--if-expiring-within", "-1d"]
        },
        BadInput("timestamp: published timestamp version -1", mentions: ["timestamp.json"]) { f in
            try f.edit("repo/metadata/timestamp.json", field: "version", to: "-1")
            return ["timestamp", "--repo", f.repo, "--key", f.pem("timestamp")]
        },
        BadInput("timestamp: published timestamp version 2^63", mentions: ["timestamp.json"]) { f in
            try f.edit("repo/metadata/timestamp.json", field: "version", to: BadJSON.overflow)
            return ["timestamp", "--repo", f.repo, "--key", f.pem("timestamp")]
        },
        BadInput("timestamp: published timestamp version 1e3", mentions: ["timestamp.json"]) { f in
            try f.edit("repo/metadata/timestamp.json", field: "version", to: "1e3")
            return ["timestamp", "--repo", f.repo, "--key", f.pem("timestamp")]
        },
        BadInput("timestamp: published timestamp with a duplicate member", mentions: ["timestamp.json"]) { f in
            try f.write("repo/metadata/timestamp.json", BadJSON.duplicated(try f.read("repo/metadata/timestamp.json"), field: "expires"))
            return ["timestamp", "--repo", f.repo, "--key", f.pem("timestamp")]
        },
        BadInput("status: not a repository", mentions: ["keys"]) { f in ["status", "--repo", f.keys] },
        BadInput("status: truncated policy file", mentions: ["tuf-repo.json"]) { f in
            try f.write("repo/tuf-repo.json", BadJSON.truncated(try f.read("repo/tuf-repo.json"))); return ["status", "--repo", f.repo]
        },
        BadInput("status: policy file over the depth limit", mentions: ["tuf-repo.json"]) { f in
            try f.write("repo/tuf-repo.json", BadJSON.deep); return ["status", "--repo", f.repo]
        },
        BadInput("status: published root with a duplicate member", mentions: ["root.json"]) { f in
            try f.write("repo/metadata/root.json", BadJSON.duplicated(try f.read("repo/metadata/root.json"), field: "expires"))
            return ["status", "--repo", f.repo]
        },
        BadInput("verify: truncated snapshot", mentions: ["1.snapshot.json"]) { f in
            try f.write("repo/metadata/1.snapshot.json", BadJSON.truncated(try f.read("repo/metadata/1.snapshot.json")))
            return ["verify", "--repo", f.repo]
        },
        BadInput("verify: timestamp version 2^63", mentions: ["timestamp.json"]) { f in
            try f.edit("repo/metadata/timestamp.json", field: "version", to: BadJSON.overflow); return ["verify", "--repo", f.repo]
        },
        BadInput("verify: root version -1", mentions: ["1.root.json"]) { f in
            try f.edit("repo/metadata/1.root.json", field: "version", to: "-1"); return ["verify", "--repo", f.repo]
        },
        BadInput("verify: root with a number for keys", mentions: ["1.root.json", "keys"]) { f in
            let text = try f.read("repo/metadata/1.root.json")
            try f.write("repo/metadata/1.root.json", text.replacingOccurrences(of: "\"keys\":", with: "\"keys\": 7, \"was-keys\":"))
            return ["verify", "--repo", f.repo]
        },
    ]

    @Test(arguments: keyCases) func testKeygenAndInitRefuseBadInputCleanly(_ bad: BadInput) throws { try expectCleanRefusal(bad) }
    @Test(arguments: indexCases) func testGenerateRefusesABadIndexOrKeyCleanly(_ bad: BadInput) throws { try expectCleanRefusal(bad) }
    @Test(arguments: signCases) func testSignRefusesBadInputCleanly(_ bad: BadInput) throws { try expectCleanRefusal(bad) }
    @Test(arguments: otherCases) func testRotateTimestampStatusVerifyRefuseBadInputCleanly(_ bad: BadInput) throws { try expectCleanRefusal(bad) }
}
