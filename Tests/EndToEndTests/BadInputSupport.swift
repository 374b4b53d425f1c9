import Foundation
import Testing
import TUFTestSupport

/// One malformed input to one command: how to set it up in a copy of an honest repository,
/// and what the error must name. Every case must end with exit 1 or 2 (no signal, no hang,
/// not 0), a message on stderr containing each of `mustMention`, and nothing changed on disk.
struct BadInput: CustomTestStringConvertible, Sendable {
    enum Tool: Sendable { case tufRepo, tufVerify }
    let name: String
    let tool: Tool
    let mustMention: [String]
    /// Sets the case up in `f` and returns the arguments of the run.
    let prepare: @Sendable (BadInputFolder) throws -> [String]
    /// A client looking a target up saves the delegated metadata it verified on the way
    /// (`bins.json`, `bin-N.json` beside `root.json`), as python-tuf does; those new files are allowed.
    let cachesDelegations: Bool
    var testDescription: String { name }

    init(_ name: String, _ tool: Tool = .tufRepo, mentions: [String], cachesDelegations: Bool = false,
         _ prepare: @escaping @Sendable (BadInputFolder) throws -> [String]) {
        self.name = name; self.tool = tool; self.mustMention = mentions; self.cachesDelegations = cachesDelegations; self.prepare = prepare
    }
}

/// A copy (hard links kept) of the shared honest workspace: `keys/`, `index/`, `repo/`, and a
/// `client/` for tuf-verify; removed with the value, servers stopped.
final class BadInputFolder: @unchecked Sendable {
    static let passphraseVariable = "TUF_BAD_INPUT_PASSPHRASE"
    let root: String
    var keys: String { root + "/keys" }
    var index: String { root + "/index" }
    var repo: String { root + "/repo" }
    var metadata: String { repo + "/metadata" }
    var clientMetadata: String { root + "/client/metadata" }
    var clientTargets: String { root + "/client/targets" }
    /// The passphrase the run gets in `passphraseVariable` (the example keys' one by default).
    var passphrase = "example-only"
    private var servers: [LoopbackServer] = []
    /// The port of the honest server `trustingClient` refreshed from.
    private(set) var port = 0

    init() throws {
        let shared = try Shared.get()
        root = try Workspace.makeTemporaryFolder("tuf-bad-input")
        for part in ["keys", "index", "repo"] {
            let r = try Child.run("/bin/cp", ["-a", "\(shared.root)/\(part)", "\(root)/\(part)"], timeout: 60)
            guard r.status == 0 else { throw Failure("cp -a: \(r)") }
        }
    }

    deinit {
        for s in servers { s.stop() }
        try? FileManager.default.removeItem(atPath: root)
    }

    func pub(_ name: String) -> String { "\(keys)/\(name).pub.json" }
    func pem(_ name: String) -> String { "\(keys)/\(name).pem" }

    /// Writes `text` (or `bytes`) to `path` under the folder; returns the full path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String { try write(relative, bytes: Data(text.utf8)) }

    @discardableResult
    func write(_ relative: String, bytes: Data) throws -> String {
        let path = relative.hasPrefix("/") ? relative : root + "/" + relative
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: relative.hasPrefix("/") ? relative : root + "/" + relative)), as: UTF8.self)
    }

    /// Rewrites the first `"field": value` of a JSON file's text (keeping everything else).
    func edit(_ relative: String, field: String, to value: String) throws {
        let text = try read(relative)
        guard let range = text.range(of: "\"\(field)\"\\s*:\\s*(\"[^\"]*\"|[-0-9.eE+]+|true|false|null)", options: .regularExpression) else {
            throw Failure("\(relative): no \(field)")
        }
        try write(relative, text.replacingCharacters(in: range, with: "\"\(field)\": \(value)"))
    }

    /// Runs `tuf-repo` once to set a case up (it must succeed).
    func setUp(_ arguments: [String]) throws {
        guard let binary = BuiltBinaries.tufRepo else { throw Failure("tuf-repo is not built beside the tests") }
        var environment = ProcessInfo.processInfo.environment
        environment[Workspace.passphraseVariable] = "example-only"
        let r = try Child.run(binary, arguments, environment: environment)
        guard r.status == 0 else { throw Failure("set-up tuf-repo \(arguments.joined(separator: " ")): \(r)") }
    }

    /// Stages root v2 (same keys), the input of the `sign` cases.
    func stageRoot() throws { try setUp(["rotate", "--repo", repo, "root", "--threshold", "2"]) }

    /// A tuf-verify client trusting root v1, refreshed once, so a later refresh of honest
    /// metadata changes nothing.
    func trustingClient(server: LoopbackServer? = nil) throws -> [String] {
        guard let binary = BuiltBinaries.tufVerify else { throw Failure("tuf-verify is not built beside the tests") }
        let r = try Child.run(binary, ["--metadata-dir", clientMetadata, "init", metadata + "/1.root.json"])
        guard r.status == 0 else { throw Failure("tuf-verify init: \(r)") }
        let s = try server ?? serve()
        port = s.port
        let options = ["--metadata-dir", clientMetadata, "--metadata-url", "\(s.baseURL)/metadata/",
                       "--target-base-url", "\(s.baseURL)/targets/", "--target-dir", clientTargets]
        let refresh = try Child.run(binary, options + ["refresh"])
        guard refresh.status == 0 else { throw Failure("tuf-verify refresh: \(refresh)") }
        return options
    }

    /// Serves `repo/` on loopback with serve.py's tampering `arguments` for the case's life.
    func serve(_ arguments: [String] = []) throws -> LoopbackServer {
        let s = try LoopbackServer(root: repo, arguments: arguments)
        servers.append(s)
        return s
    }

    /// The arguments of an `init` of a new repository `new-repo` with `root1` replaced by
    /// `rootKey` and `extra` appended.
    func initArguments(rootKey: String? = nil, threshold: String = "1", extra: [String] = []) -> [String] {
        ["init", "--repo", root + "/new-repo", "--bins", "16", "--root-key", rootKey ?? pub("root1"), "--root-key", pub("root2"),
         "--root-threshold=\(threshold)", "--targets-key", pub("targets"), "--bins-key", pub("bins"), "--bin-n-key", pub("bin-n"),
         "--snapshot-key", pub("snapshot"), "--timestamp-key", pub("timestamp")] + extra
    }

    /// A FIFO at `relative` (nothing ever writes to it: a reader that opens it blocks).
    @discardableResult
    func fifo(_ relative: String) throws -> String {
        let path = root + "/" + relative
        try? FileManager.default.removeItem(atPath: path)
        guard mkfifo(path, 0o644) == 0 else { throw Failure("mkfifo \(path) failed") }
        return path
    }
}

/// Malformed JSON texts shared by the tables.
enum BadJSON {
    /// The first half of `text`.
    static func truncated(_ text: String) -> String { String(text.prefix(text.count / 2)) }
    /// Nested arrays far deeper than any parser limit here (32 for the index, 64 elsewhere).
    static let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    static let garbage = Data((0..<512).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) })
    /// 2^63: one more than the largest signed 64-bit integer.
    static let overflow = "9223372036854775808"
    /// A member repeated (the second value differing), after the opening brace.
    static func duplicated(_ text: String, field: String) -> String {
        guard let r = text.range(of: "\"\(field)\"") else { return text }
        return text.replacingCharacters(in: r, with: "\"\(field)\": \"duplicate\", \"\(field)\"")
    }
}

/// Runs one case and checks the rules of the table.
func expectCleanRefusal(_ bad: BadInput) throws {
    let f = try BadInputFolder()
    let arguments = try bad.prepare(f)
    // The state store is a cache: a refused run may create it again (empty) when it is missing.
    let before = treeDigest(f.root, excluding: ["repo/.lock", "repo/state"])
    let binary = bad.tool == .tufRepo ? BuiltBinaries.tufRepo : BuiltBinaries.tufVerify
    guard let binary else { throw Failure("the tools are not built beside the tests") }
    var environment = ProcessInfo.processInfo.environment
    environment[BadInputFolder.passphraseVariable] = f.passphrase
    let r = try Child.run(binary, arguments, environment: environment, timeout: 20)
    #expect(!r.timedOut, "\(bad.name): hung; killed after 20 s")
    #expect(!r.signaled, "\(bad.name): ended by signal \(r.status)\n\(r.output)")
    #expect(r.signaled || r.status == 1 || r.status == 2, "\(bad.name): exit \(r.status), expected 1 or 2\n\(r.output)")
    #expect(!r.stderr.isEmpty, "\(bad.name): nothing on stderr\n\(r.output)")
    for word in bad.mustMention {
        // On bytes: a Character comparison misses "simple/" before a combining character.
        #expect(Data(r.stderr.utf8).range(of: Data(word.utf8)) != nil, "\(bad.name): stderr does not name \"\(word)\":\n\(r.stderr)")
    }
    let changes = treeChanges(before, treeDigest(f.root, excluding: ["repo/.lock", "repo/state"])).filter { change in
        !(bad.cachesDelegations && isAddedDelegatedRole(change))
    }
    #expect(changes.isEmpty, "\(bad.name): changed on disk: \(changes.prefix(10).joined(separator: ", "))")
}

/// True for a change that adds one delegated role's file directly in the client's metadata
/// folder (top-level roles were saved by the trusting refresh, so theirs are never "added").
private func isAddedDelegatedRole(_ change: String) -> Bool {
    let prefix = "added client/metadata/"
    guard change.hasPrefix(prefix) else { return false }
    let name = change.utf8.dropFirst(prefix.utf8.count)
    return !name.contains(UInt8(ascii: "/")) && name.reversed().starts(with: ".json".utf8.reversed())
}
