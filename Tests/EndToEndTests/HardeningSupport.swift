import Foundation
import Testing
import TUFTestSupport

/// Helpers of the tests that keep security classes closed (crash loop, concurrency, bad input):
/// child processes that can be killed or timed out, digests of whole folders, a synthetic
/// index of a few hundred projects, and the check that every plain page name serves the bytes
/// its bin signed.

/// True when `TUF_LONG_TESTS=1`: the loops run hundreds of times instead of dozens.
let longTests = ProcessInfo.processInfo.environment["TUF_LONG_TESTS"] == "1"

/// SplitMix64: a small seeded generator, so a failing run is replayed from its printed seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// How a child process ended.
struct ChildResult: CustomStringConvertible {
    var status: Int32
    /// True when it ended by a signal (then `status` is the signal number).
    var signaled: Bool
    /// True when this helper killed it (the kill delay or the timeout was reached first).
    var killed: Bool
    var timedOut: Bool
    var stdout: String
    var stderr: String
    var output: String { stdout + stderr }
    var description: String {
        let end = signaled ? "signal \(status)" : "exit \(status)"
        return "\(end)\(timedOut ? " (timed out)" : "")\n\(output.trimmingCharacters(in: .whitespacesAndNewlines))"
    }
}

enum Child {
    /// Runs `executable`, SIGKILLs it after `killAfter` seconds when given (counted from the
    /// moment `killWhen` first holds, when given: a kill aimed at a publication step), and in
    /// any case after `timeout` seconds (a FIFO or a lock must not hang the suite). Output goes
    /// to files, so a chatty child never blocks on a full pipe.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                    killAfter: Double? = nil, killWhen: (() -> Bool)? = nil, timeout: Double = 120) throws -> ChildResult {
        let child = try Running(executable, arguments, environment: environment)
        var killed = false
        if let killWhen {
            while child.process.isRunning, !killWhen() { usleep(100) }
        }
        if let killAfter {
            usleep(useconds_t(max(0, killAfter) * 1_000_000))
            if child.process.isRunning { killed = kill(child.process.processIdentifier, SIGKILL) == 0 }
        }
        var result = child.finish(timeout: timeout)
        result.killed = result.killed || killed
        return result
    }

    /// Starts `executable` without waiting (for runs started together); `finish` collects it.
    static func start(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Running {
        try Running(executable, arguments, environment: environment)
    }

    /// A child started with `start`.
    final class Running {
        let process = Process()
        let dir = TempDir(prefix: "tuf-child")
        private let out: FileHandle, err: FileHandle

        init(_ executable: String, _ arguments: [String], environment: [String: String]?) throws {
            _ = FileManager.default.createFile(atPath: dir.sub("out"), contents: nil)
            _ = FileManager.default.createFile(atPath: dir.sub("err"), contents: nil)
            out = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.sub("out")))
            err = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.sub("err")))
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            if let environment { process.environment = environment }
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Waits (killing the child after `timeout` seconds) and returns how it ended.
        func finish(timeout: Double = 120) -> ChildResult {
            let deadline = Date().addingTimeInterval(timeout)
            var timedOut = false
            while process.isRunning {
                if Date() > deadline { timedOut = true; kill(process.processIdentifier, SIGKILL); break }
                usleep(2_000)
            }
            process.waitUntilExit()
            try? out.close(); try? err.close()
            let read = { (name: String) in String(decoding: FileManager.default.contents(atPath: self.dir.sub(name)) ?? Data(), as: UTF8.self) }
            return ChildResult(status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                               killed: timedOut, timedOut: timedOut, stdout: read("out"), stderr: read("err"))
        }

        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
    }
}

/// Every entry below `root` (not following symlinks), relative path → what it is: a regular
/// file's mode and SHA-256, a symlink's target, a folder, or another kind. Paths in
/// `excluding` (relative, e.g. `.lock`) are left out. Comparing two digests tells whether
/// anything on disk changed.
func treeDigest(_ root: String, excluding: Set<String> = [".lock"]) -> [String: String] {
    var out: [String: String] = [:]
    func walk(_ relative: String) {
        let full = relative.isEmpty ? root : root + "/" + relative
        var st = stat()
        guard lstat(full, &st) == 0 else { return }
        let mode = String(st.st_mode & 0o7777, radix: 8)
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            if !relative.isEmpty { out[relative] = "dir \(mode)" }
            for name in ((try? FileManager.default.contentsOfDirectory(atPath: full)) ?? []).sorted() {
                let child = relative.isEmpty ? name : relative + "/" + name
                if !excluding.contains(child) { walk(child) }
            }
        case S_IFREG:
            out[relative] = "file \(mode) \(sha256((try? Data(contentsOf: URL(fileURLWithPath: full))) ?? Data()))"
        case S_IFLNK:
            out[relative] = "link -> \((try? FileManager.default.destinationOfSymbolicLink(atPath: full)) ?? "?")"
        default:
            out[relative] = "special \(String(st.st_mode, radix: 8))"
        }
    }
    walk("")
    return out
}

/// The differences between two `treeDigest`s, one line each (empty when equal).
func treeChanges(_ before: [String: String], _ after: [String: String]) -> [String] {
    Set(before.keys).union(after.keys).sorted().compactMap { p in
        switch (before[p], after[p]) {
        case let (b?, a?) where b != a: "changed \(p)"
        case (nil, _?): "added \(p)"
        case (_?, nil): "removed \(p)"
        default: nil
        }
    }
}

/// Plain page names under `REPO/targets` that do not serve what the published metadata signs:
/// follows timestamp → snapshot → every listed role and compares each `simple/…` target's
/// bytes with its signed length and sha256. A client without hash prefixes fetches exactly
/// these names. One line per fault; empty when every plain page name is right.
func plainPageFaults(repo: String) throws -> [String] {
    func object(_ path: String) throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] else {
            throw Failure("\(path): not a JSON object")
        }
        return o
    }
    let metadata = repo + "/metadata"
    let timestamp = try object(metadata + "/timestamp.json")["signed"] as? [String: Any]
    guard let sv = (timestamp?["meta"] as? [String: Any])?["snapshot.json"] as? [String: Any], let snapshotVersion = sv["version"] as? Int else {
        throw Failure("timestamp.json names no snapshot version")
    }
    let meta = (try object("\(metadata)/\(snapshotVersion).snapshot.json")["signed"] as? [String: Any])?["meta"] as? [String: Any] ?? [:]
    // Only the bins the bins role delegates to: after a rebin the old ones stay listed, unreachable.
    var delegated: Set<String> = ["targets.json", "bins.json"]
    if let bv = (meta["bins.json"] as? [String: Any])?["version"] as? Int,
       let d = (try object("\(metadata)/\(bv).bins.json")["signed"] as? [String: Any])?["delegations"] as? [String: Any] {
        for r in d["roles"] as? [[String: Any]] ?? [] { if let n = r["name"] as? String { delegated.insert(n + ".json") } }
        if let sr = d["succinct_roles"] as? [String: Any], let bits = sr["bit_length"] as? Int, let prefix = sr["name_prefix"] as? String {
            let digits = (bits + 3) / 4
            for i in 0..<(1 << bits) {
                let hex = String(i, radix: 16)
                delegated.insert("\(prefix)-\(String(repeating: "0", count: digits - hex.count))\(hex).json")
            }
        }
    }
    var faults: [String] = []
    for (name, value) in meta.sorted(by: { $0.key < $1.key }) where delegated.contains(name) {
        guard let version = (value as? [String: Any])?["version"] as? Int else { continue }
        let role = try object("\(metadata)/\(version).\(name)")
        let targets = (role["signed"] as? [String: Any])?["targets"] as? [String: Any] ?? [:]
        for (path, entry) in targets where path.hasPrefix("simple/") {
            guard let e = entry as? [String: Any], let signed = (e["hashes"] as? [String: Any])?["sha256"] as? String else { continue }
            guard let bytes = FileManager.default.contents(atPath: "\(repo)/targets/\(path)") else {
                faults.append("targets/\(path): missing (signed in \(version).\(name))"); continue
            }
            let served = sha256(bytes)
            if served != signed || bytes.count != e["length"] as? Int {
                faults.append("targets/\(path): serves sha256 \(served.prefix(12))… (\(bytes.count) bytes), \(version).\(name) signs \(signed.prefix(12))… (\(e["length"] ?? "?") bytes)")
            }
        }
    }
    return faults
}

/// A synthetic PEP 691 index of `count` projects with a few files each, written by hand in a
/// fixed layout; `mutate` changes a share of the pages as a live index would between runs.
struct SyntheticIndex {
    let root: String
    let count: Int
    /// Per project: its files as (filename, sha256, size, yanked).
    private(set) var files: [[(String, String, Int, Bool)]]
    private var rng: SeededGenerator

    static func name(_ i: Int) -> String { "project-\(i)" }
    static func page(_ i: Int) -> String { "simple/\(name(i))/index.json" }

    init(root: String, count: Int, seed: UInt64 = 458) throws {
        self.root = root
        self.count = count
        rng = SeededGenerator(seed: seed)
        files = []
        for i in 0..<count {
            let n = 1 + Int(rng.next() % 3)
            files.append((0..<n).map { v in Self.file(i, v, &rng) })
        }
        try FileManager.default.createDirectory(atPath: root + "/simple", withIntermediateDirectories: true)
        let list = (0..<count).map { "{\"name\": \"\(Self.name($0))\"}" }.joined(separator: ", ")
        try Data("{\"meta\": {\"api-version\": \"1.1\"}, \"projects\": [\(list)]}\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/simple/index.json"))
        for i in 0..<count { try writePage(i) }
    }

    private static func file(_ project: Int, _ version: Int, _ rng: inout SeededGenerator) -> (String, String, Int, Bool) {
        let name = "project_\(project)-\(version).0.tar.gz"
        return (name, sha256("\(name) \(rng.next())"), 100 + Int(rng.next() % 100_000), false)
    }

    private func writePage(_ i: Int) throws {
        let entries = files[i].map { f in
            "    {\"filename\": \"\(f.0)\", \"url\": \"../../packages/\(Self.name(i))/\(f.0)\", \"hashes\": {\"sha256\": \"\(f.1)\"}, "
                + "\"size\": \(f.2), \"yanked\": \(f.3)}"
        }.joined(separator: ",\n")
        let page = "{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"\(Self.name(i))\", \"files\": [\n\(entries)\n], \"versions\": []}\n"
        let dir = "\(root)/simple/\(Self.name(i))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(page.utf8).write(to: URL(fileURLWithPath: dir + "/index.json"))
    }

    /// Changes `share` of the pages (a new release, or a yank toggled); returns their paths.
    @discardableResult
    mutating func mutate(share: Double = 0.05) throws -> [String] {
        let n = max(1, Int(Double(count) * share))
        var changed = Set<Int>()
        while changed.count < n { changed.insert(Int(rng.next() % UInt64(count))) }
        for i in changed.sorted() {
            if rng.next() % 2 == 0 {
                files[i].append(Self.file(i, files[i].count, &rng))
            } else {
                let v = Int(rng.next() % UInt64(files[i].count))
                files[i][v].3.toggle()
            }
            try writePage(i)
        }
        return changed.sorted().map(Self.page)
    }
}

/// A repository of `bins` hashed bins over a `SyntheticIndex`, made by the real `tuf-repo` with
/// copies of the example keys (root 2 of root1…root3; every role published at `init`).
final class SyntheticRepository: @unchecked Sendable {
    let root: String
    var keys: String { root + "/keys" }
    var indexPath: String { root + "/index" }
    var index: SyntheticIndex
    let bins: Int

    let repo: String

    /// `repoAt` puts the repository elsewhere (on a small file system), removed with the value too.
    init(projects: Int, bins: Int, repoAt: String? = nil, initArguments: [String] = []) throws {
        root = try Workspace.makeTemporaryFolder("tuf-synthetic")
        repo = repoAt ?? root + "/repo"
        self.bins = bins
        let fm = FileManager.default
        try fm.copyItem(atPath: Interop.projectRoot.appendingPathComponent("keys-example/keys").path, toPath: self.root + "/keys")
        for name in try fm.contentsOfDirectory(atPath: self.root + "/keys") where name.hasSuffix(".pem") {
            try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: self.root + "/keys/" + name)
        }
        index = try SyntheticIndex(root: self.root + "/index", count: projects)
        try check(tufRepo(["init", "--repo", repo, "--bins", "\(bins)", "--durability", "none",
                           "--root-key", pub("root1"), "--root-key", pub("root2"), "--root-key", pub("root3"), "--root-threshold", "2",
                           "--targets-key", pub("targets"), "--bins-key", pub("bins"), "--bin-n-key", pub("bin-n"),
                           "--snapshot-key", pub("snapshot"), "--timestamp-key", pub("timestamp"),
                           "--sign-with", pem("root1"), "--sign-with", pem("root2"), "--sign-with", pem("targets"), "--sign-with", pem("bins"),
                           "--sign-with", pem("bin-n"), "--sign-with", pem("snapshot"), "--sign-with", pem("timestamp")] + initArguments), "init")
        try check(tufRepo(generateArguments), "generate")
    }

    deinit {
        try? FileManager.default.removeItem(atPath: repo)
        try? FileManager.default.removeItem(atPath: root)
    }

    func pub(_ name: String) -> String { "\(keys)/\(name).pub.json" }
    func pem(_ name: String) -> String { "\(keys)/\(name).pem" }

    var generateArguments: [String] {
        ["generate", "--repo", repo, "--index", indexPath, "--durability", "none"] + Workspace.onlineKeys.flatMap { ["--key", pem($0)] }
    }

    func check(_ r: ChildResult, _ what: String) throws {
        guard !r.signaled, r.status == 0 else { throw Failure("tuf-repo \(what): \(r)") }
    }

    /// Runs the built `tuf-repo`, killed after `killAfter` seconds when given.
    func tufRepo(_ arguments: [String], killAfter: Double? = nil, killWhen: (() -> Bool)? = nil) throws -> ChildResult {
        guard let binary = BuiltBinaries.tufRepo else { throw Failure("tuf-repo is not built beside the tests") }
        return try Child.run(binary, arguments, killAfter: killAfter, killWhen: killWhen)
    }

    /// `tuf-repo verify`: nil when the repository verifies, else what it said.
    func verify() throws -> String? {
        let r = try tufRepo(["verify", "--repo", repo])
        return r.status == 0 && !r.signaled ? nil : r.description
    }
}

/// Device and inode of `path` (nil when missing): a rename onto it changes them.
func fileIdentity(_ path: String) -> [UInt64]? {
    var st = stat()
    return stat(path, &st) == 0 ? [UInt64(st.st_dev), UInt64(st.st_ino)] : nil
}

/// A fresh python-tuf client downloads `page` from the repository at `server` with hash-prefixed
/// names and again without (plain names under `targets/`; not when `withoutPrefix` is false);
/// nil when both verified, else python-tuf's words.
func pythonClientFault(server: LoopbackServer, repo: String, page: String, withoutPrefix: Bool = true) throws -> String? {
    var faults: [String] = []
    for prefix in withoutPrefix ? [true, false] : [true] {
        let client = try PythonClient()
        let r = try client.fetch([page], metadataURL: "\(server.baseURL)/metadata/", targetsURL: "\(server.baseURL)/targets/",
                                 trustedRoot: "\(repo)/metadata/1.root.json", prefix: prefix)
        if r.status != 0 {
            faults.append("python-tuf \(prefix ? "with" : "without") hash prefixes: \(r.output.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }
    return faults.isEmpty ? nil : faults.joined(separator: "; ")
}
