import Foundation
import Testing
import TUFClient
import TUFCrypto
import TUFTestSupport

/// A repository made by the real `tuf-repo` from copies of `keys-example/keys` and
/// `keys-example/index` in a temporary folder (removed with the value), so a test can change
/// the index and run `generate` again. Root is 2 of root1…root3; root3 is the encrypted key,
/// signed in a second sitting as an operator would.
final class Workspace: @unchecked Sendable {
    static let passphraseVariable = "TUF_E2E_EXAMPLE_PASSPHRASE"
    static let onlineKeys = ["bin-n", "snapshot", "timestamp"]

    let root: String
    var keys: String { root + "/keys" }
    var index: String { root + "/index" }
    var repo: String { root + "/repo" }
    var metadata: String { repo + "/metadata" }
    let linkFiles: Bool
    /// Added to the environment of every `tuf-repo` run (a bucket's credentials).
    var environment: [String: String]

    /// `init` (root1, targets, bins now; root3 in a second sitting), then `generate`.
    /// `indexSource` is the index snapshot to copy (keys-example/index unless given).
    init(succinct: Bool = false, linkFiles: Bool = true, expires: [String] = [], initArguments: [String] = [],
         indexSource: String? = nil, environment: [String: String] = [:]) throws {
        root = try Self.makeTemporaryFolder("tuf-e2e")
        self.linkFiles = linkFiles
        self.environment = environment
        do {
            let fm = FileManager.default
            let example = Interop.projectRoot.appendingPathComponent("keys-example").path
            try fm.copyItem(atPath: example + "/keys", toPath: keys)
            try fm.copyItem(atPath: indexSource ?? example + "/index", toPath: index)
            // git does not keep file modes; the key loader wants private keys to be private.
            for name in try fm.contentsOfDirectory(atPath: keys) where name.hasSuffix(".pem") {
                try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keys + "/" + name)
            }
            var initArgs = ["init", "--repo", repo, "--bins", "16", "--durability", "none",
                            "--root-key", pub("root1"), "--root-key", pub("root2"), "--root-key", pub("root3"), "--root-threshold", "2",
                            "--targets-key", pub("targets"), "--bins-key", pub("bins"), "--bin-n-key", pub("bin-n"),
                            "--snapshot-key", pub("snapshot"), "--timestamp-key", pub("timestamp"),
                            "--sign-with", pem("root1"), "--sign-with", pem("targets"), "--sign-with", pem("bins")]
            if succinct { initArgs.append("--succinct") }
            for e in expires { initArgs += ["--expires", e] }
            initArgs += initArguments
            try tufRepo(initArgs)
            try tufRepo(["sign", "--yes", "--repo", repo, "root", "--key", pem("root3"), "--passphrase-env", Self.passphraseVariable])
            try generate()
        } catch {
            try? FileManager.default.removeItem(atPath: root)
            throw error
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func pub(_ name: String) -> String { "\(keys)/\(name).pub.json" }
    func pem(_ name: String) -> String { "\(keys)/\(name).pem" }

    /// Runs `tuf-repo` (with the example passphrase in its environment).
    @discardableResult
    func tufRepo(_ arguments: [String], check: Bool = true) throws -> (status: Int32, output: String) {
        guard let binary = BuiltBinaries.tufRepo else { throw Failure("tuf-repo is not built beside the tests") }
        var environment = ProcessInfo.processInfo.environment.merging(self.environment) { $1 }
        environment[Self.passphraseVariable] = "example-only"
        let result = try Interop.run(binary, arguments, environment: environment)
        if check, result.status != 0 { throw Failure("tuf-repo \(arguments.joined(separator: " ")): exit \(result.status)\n\(result.output)") }
        return result
    }

    /// `tuf-repo generate` from the workspace's index with the online keys.
    @discardableResult
    func generate() throws -> String {
        var args = ["generate", "--repo", repo, "--index", index, "--durability", "none"]
        if linkFiles { args.append("--link-files") }
        for k in Self.onlineKeys { args += ["--key", pem(k)] }
        return try tufRepo(args).output
    }

    /// Sets the `yanked` value of `filename` on `project`'s page in the index (true, false or
    /// a reason string), as the index would after a maintainer yanks or un-yanks a release.
    func setYanked(project: String, filename: String, _ value: Any) throws {
        let path = "\(index)/simple/\(project)/index.json"
        var page = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var files = page["files"] as! [[String: Any]]
        guard let i = files.firstIndex(where: { $0["filename"] as? String == filename }) else { throw Failure("\(filename) not on \(path)") }
        files[i]["yanked"] = value
        page["files"] = files
        try JSONSerialization.data(withJSONObject: page, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    /// Adds a distribution file to `project` in the index (the file and its page entry).
    func addFile(project: String, filename: String, content: String) throws {
        let fileURL = URL(fileURLWithPath: "\(index)/packages/\(project)/\(filename)")
        try Data(content.utf8).write(to: fileURL)
        let path = "\(index)/simple/\(project)/index.json"
        var page = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        var files = page["files"] as! [[String: Any]]
        files.append(["filename": filename, "url": "../../packages/\(project)/\(filename)", "hashes": ["sha256": sha256(content)],
                      "size": content.utf8.count, "yanked": false])
        page["files"] = files
        try JSONSerialization.data(withJSONObject: page, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: path))
    }

    /// The bytes of a published file under `REPO/`.
    func published(_ relative: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(repo)/\(relative)")) }

    /// The URL path, on a server of `REPO/`, of `target`'s hash-prefixed copy as published now
    /// (targets are the index's bytes, so the index gives the hash).
    func hashedURLPath(_ target: String) throws -> String {
        let digest = sha256(try Data(contentsOf: URL(fileURLWithPath: "\(index)/\(target)")))
        let slash = target.lastIndex(of: "/").map { target.index(after: $0) } ?? target.startIndex
        return "/targets/\(target[..<slash])\(digest).\(target[slash...])"
    }

    /// Copies `REPO/metadata` aside (to replay old files later) and returns the folder.
    func keepMetadata(as name: String) throws -> String {
        let copy = "\(root)/\(name)"
        try FileManager.default.copyItem(atPath: metadata, toPath: copy)
        return copy
    }

    /// Every published metadata file name → bytes.
    func metadataFiles() throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: metadata) where name.hasSuffix(".json") {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: "\(metadata)/\(name)"))
        }
        return out
    }

    /// The published version of `role` (its highest `N.role.json`).
    func version(of role: String) throws -> Int { try highestVersion(of: role, in: metadata) }

    /// The bin-n role whose newest published version lists `target`.
    func bin(listing target: String) throws -> String { try EndToEndTests.bin(listing: target, in: metadata) }

    /// Serves `REPO/` on 127.0.0.1 with serve.py's tampering `arguments`.
    func serve(_ arguments: [String] = []) throws -> LoopbackServer { try LoopbackServer(root: repo, arguments: arguments) }

    static func makeTemporaryFolder(_ prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() + "\(prefix)-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { throw Failure("mkdtemp failed") }
        return String(cString: made)
    }
}

/// A `tuf-verify` client: its own metadata and target folders in a temporary folder.
final class VerifyClient: @unchecked Sendable {
    let root: String
    var metadata: String { root + "/metadata" }
    var targets: String { root + "/targets" }

    /// `tuf-verify init` with the trusted root `trustedRoot` (no network).
    init(trustedRoot: String) throws {
        root = try Workspace.makeTemporaryFolder("tuf-e2e-client")
        let result = try run(["--metadata-dir", metadata, "init", trustedRoot])
        guard result.status == 0 else { throw Failure("tuf-verify init: \(result.output)") }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Global options for `server` (metadata at /metadata/, targets at /targets/ unless given).
    func options(_ server: LoopbackServer, targetBase: String? = nil) -> [String] {
        ["--metadata-dir", metadata, "--metadata-url", "\(server.baseURL)/metadata/",
         "--target-base-url", targetBase ?? "\(server.baseURL)/targets/", "--target-dir", targets]
    }

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard let binary = BuiltBinaries.tufVerify else { throw Failure("tuf-verify is not built beside the tests") }
        return try Interop.run(binary, arguments)
    }

    /// The version in the trusted local copy of `role`.
    func trustedVersion(_ role: String) throws -> Int? {
        try signedVersion(Data(contentsOf: URL(fileURLWithPath: Updater.metadataPath(metadata, role: role))))
    }
}

/// python-tuf's ngclient (Tests/Interop/ngclient_fetch.py) with its own work folder.
final class PythonClient: @unchecked Sendable {
    let root: String
    init() throws { root = try Workspace.makeTemporaryFolder("tuf-e2e-python") }
    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// One line per downloaded target, decoded; `status` is the script's exit status.
    struct Result {
        var status: Int32
        var output: String
        var lines: [String: [String: Any]]
    }

    /// Refreshes and downloads `targets`; the trusted root is copied only on the first run.
    func fetch(_ targets: [String], metadataURL: String, targetsURL: String, trustedRoot: String, prefix: Bool = true) throws -> Result {
        let args = ["--metadata-url", metadataURL, "--targets-url", targetsURL, "--trusted-root", trustedRoot, "--workdir", root]
            + (prefix ? [] : ["--no-prefix"]) + targets
        let (status, output) = try Interop.runPython("ngclient_fetch.py", args)
        var lines: [String: [String: Any]] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("{") {
            if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let path = object["path"] as? String {
                lines[path] = object
            }
        }
        return Result(status: status, output: output, lines: lines)
    }

    /// The version of python-tuf's trusted local `role`.
    func trustedVersion(_ role: String) throws -> Int? { try signedVersion(Data(contentsOf: URL(fileURLWithPath: "\(root)/metadata/\(role).json"))) }
}

/// The highest version of `role` among the `N.role.json` files in `folder`.
func highestVersion(of role: String, in folder: String) throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: folder).compactMap { name in
        name.hasSuffix(".\(role).json") ? Int(name.dropLast(role.count + 6)) : nil
    }.max() ?? 0
}

/// The bin-n role whose newest version in `folder` lists `target`.
func bin(listing target: String, in folder: String) throws -> String {
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.contains(".bin") {
        let role = String(name.drop(while: { $0 != "." }).dropFirst().dropLast(5))
        guard name == "\(try highestVersion(of: role, in: folder)).\(role).json" else { continue }
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)"))) as? [String: Any]
        if ((object?["signed"] as? [String: Any])?["targets"] as? [String: Any])?[target] != nil { return role }
    }
    throw Failure("no bin in \(folder) lists \(target)")
}

/// `signed.version` of a metadata file.
func signedVersion(_ data: Data) throws -> Int? {
    ((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["signed"] as? [String: Any])?["version"] as? Int
}

/// Hex SHA-256, the way the index pages list it.
func sha256(_ data: Data) -> String {
    Hex.encode(Hash.digest(.sha256, Array(data)))
}

func sha256(_ text: String) -> String { sha256(Data(text.utf8)) }

/// A set-up step that did not work.
struct Failure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One honest repository from the example keys and index (with `--link-files`), made once
/// and shared by the tests that only read it; each of them has its own clients and servers.
/// Tests that change the index make their own `Workspace`.
enum Shared {
    static let workspace: Result<Workspace, any Error> = {
        let made = Result { try Workspace() }
        if case .success(let w) = made {
            sharedRoot = w.root
            // A static lives until exit; remove its folder then.
            atexit { if let root = sharedRoot { try? FileManager.default.removeItem(atPath: root) } }
        }
        return made
    }()

    static func get() throws -> Workspace { try workspace.get() }
}

nonisolated(unsafe) private var sharedRoot: String?
