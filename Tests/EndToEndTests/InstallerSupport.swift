import Foundation
import Testing
import TUFTestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A repository of real wheels (Tests/Interop/make_wheel_index.py) published by `tuf-repo`
/// in two generations: first demo-app 1.0 and 1.5, then also demo-app 2.0 (which requires
/// helper-lib 1.0). Kept aside for replays: the first generation's demo-app page and
/// metadata, and a timestamp of the current generation signed with the clock three days
/// back, so that it has expired (a frozen timestamp). Made once, shared by the tests.
final class WheelRepository: @unchecked Sendable {
    let w: Workspace
    let oldPage: String
    let oldMetadata: String
    let frozenTimestamp: String
    static let page = "simple/demo-app/index.json"
    static let newestWheel = "packages/demo-app/demo_app-2.0-py3-none-any.whl"
    static let olderWheel = "packages/demo-app/demo_app-1.5-py3-none-any.whl"

    static let shared: Result<WheelRepository, any Error> = Result { try WheelRepository() }
    static func get() throws -> WheelRepository { try shared.get() }

    private init() throws {
        let source = try Workspace.makeTemporaryFolder("tuf-e2e-wheels")
        defer { try? FileManager.default.removeItem(atPath: source) }
        try Self.makeIndex(source, "--without-newest")
        w = try Workspace(indexSource: source)
        oldPage = "\(w.root)/old-page.json"
        try FileManager.default.copyItem(atPath: "\(w.index)/\(Self.page)", toPath: oldPage)
        oldMetadata = try w.keepMetadata(as: "old-metadata")
        try Self.makeIndex(w.index)
        try w.generate()
        // A copy of the repository whose timestamp is re-signed "three days ago".
        let frozen = "\(w.root)/frozen-repo"
        try FileManager.default.copyItem(atPath: w.repo, toPath: frozen)
        let signed = try FakeTime.run(BuiltBinaries.tufRepo!, ["timestamp", "--repo", frozen, "--key", w.pem("timestamp"), "--durability", "none"],
                                      at: FakeTime.iso8601(Date().addingTimeInterval(-3 * 86400)))
        guard signed.status == 0 else { throw Failure("tuf-repo timestamp (frozen copy): \(signed.output)") }
        frozenTimestamp = "\(w.root)/frozen-timestamp.json"
        try FileManager.default.copyItem(atPath: "\(frozen)/metadata/timestamp.json", toPath: frozenTimestamp)
        // The shared value lives until exit: remove its folder then.
        wheelRepositoryRoot = w.root
        atexit { if let root = wheelRepositoryRoot { try? FileManager.default.removeItem(atPath: root) } }
    }

    static func makeIndex(_ folder: String, _ arguments: String...) throws {
        let result = try Interop.runPython("make_wheel_index.py", [folder] + arguments)
        guard result.status == 0 else { throw Failure("make_wheel_index.py: \(result.output)") }
    }

    /// The tampering mirror: serves the workspace folder, so the TUF repository is at
    /// `/repo/metadata/` and `/repo/targets/`, and the index an installer can use directly
    /// (no TUF) at `/index/simple/`.
    func mirror(_ arguments: [String] = []) throws -> LoopbackServer {
        try LoopbackServer(root: w.root, arguments: ["--index-pages"] + arguments)
    }

    /// A new `tuf-verify serve` (not started) trusting the repository's first root.
    func proxy() throws -> VerifyingProxy { try VerifyingProxy(trustedRoot: "\(w.metadata)/1.root.json") }

    /// The URL paths at which the mirror serves `target`'s bytes: the repository's plain and
    /// hash-prefixed names, and the index's own (what a direct install reads).
    func urlPaths(_ target: String) throws -> [String] {
        ["/repo/targets/\(target)", "/repo" + (try w.hashedURLPath(target)), "/index/\(target)"]
    }
}

nonisolated(unsafe) private var wheelRepositoryRoot: String?

/// `tuf-verify serve` against a mirror, with its own trusted root, metadata and cache in a
/// temporary folder; stopped (SIGTERM) and removed with the value.
final class VerifyingProxy: @unchecked Sendable {
    let root: String
    var metadata: String { root + "/metadata" }
    var cache: String { root + "/cache" }
    private(set) var url = ""
    private var process: Process?
    private var input: Pipe?
    private var logPath: String { root + "/serve.log" }

    init(trustedRoot: String) throws {
        root = try Workspace.makeTemporaryFolder("tuf-e2e-proxy")
        let result = try Interop.run(BuiltBinaries.tufVerify!, ["--metadata-dir", metadata, "init", trustedRoot])
        guard result.status == 0 else { throw Failure("tuf-verify init: \(result.output)") }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Starts serving from `mirror`'s repository; stops a running one first (same metadata
    /// and cache: a restart, as between two runs of a user's proxy).
    func start(_ mirror: LoopbackServer, extra: [String] = []) throws {
        try start(upstream: "\(mirror.baseURL)/repo", extra: extra)
    }

    /// Starts serving from the repository at `upstream` (`/metadata/` and `/targets/` below it).
    func start(upstream: String, extra: [String] = []) throws {
        stop()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BuiltBinaries.tufVerify!)
        process.arguments = ["--metadata-dir", metadata, "--metadata-url", "\(upstream)/metadata/",
                             "--target-base-url", "\(upstream)/targets/", "serve", "--cache-dir", cache,
                             "--until-stdin-closes"] + extra
        let input = Pipe(), output = Pipe()
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        self.process = process
        self.input = input
        var line: [UInt8] = []
        while let byte = try output.fileHandleForReading.read(upToCount: 1)?.first, byte != UInt8(ascii: "\n") { line.append(byte) }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("serving http://127.0.0.1:") else { throw Failure("tuf-verify serve did not start: \(text)\n\(log)") }
        url = String(text.dropFirst("serving ".count))
    }

    /// SIGTERM, then the exit status (nil when it was not running).
    @discardableResult
    func stop() -> Int32? {
        guard let process else { return nil }
        self.process = nil
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? input?.fileHandleForWriting.close()
        return process.terminationStatus
    }

    /// Paths below the cache folder (files and temporary files alike) whose name contains `text`.
    func cacheFiles(containing text: String) -> [String] {
        (FileManager.default.enumerator(atPath: cache)?.allObjects as? [String] ?? []).filter { $0.contains(text) }
    }

    /// What the server wrote on stderr so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// `http://127.0.0.1:PORT` (the URL without `/simple/`).
    var base: String { String(url.dropLast("/simple/".count)) }

    /// The port it listens on.
    var port: Int { Int(base.split(separator: ":").last ?? "") ?? 0 }
}

/// One HTTP exchange with the proxy, as an installer would make it.
struct HTTPAnswer {
    let status: Int
    let headers: [String: String]
    let body: Data
    var text: String { String(decoding: body, as: UTF8.self) }
}

func httpRequest(_ url: String, method: String = "GET", headers: [String: String] = [:]) throws -> HTTPAnswer {
    var request = URLRequest(url: URL(string: url)!)
    request.httpMethod = method
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let done = DispatchSemaphore(value: 0)
    let box = AnswerBox()
    let session = URLSession(configuration: .ephemeral)
    session.dataTask(with: request) { data, response, error in
        box.set(data, response as? HTTPURLResponse, error)
        done.signal()
    }.resume()
    done.wait()
    session.finishTasksAndInvalidate()
    return try box.answer()
}

private final class AnswerBox: @unchecked Sendable {
    private var data: Data?, response: HTTPURLResponse?, error: Error?
    func set(_ d: Data?, _ r: HTTPURLResponse?, _ e: Error?) { data = d; response = r; error = e }
    func answer() throws -> HTTPAnswer {
        if let error { throw error }
        guard let response else { throw Failure("no HTTP response") }
        var headers: [String: String] = [:]
        for (k, v) in response.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
        return HTTPAnswer(status: response.statusCode, headers: headers, body: data ?? Data())
    }
}

/// pip or uv from the test venv, installing into a fresh target folder each time, with no
/// configuration or cache of the machine's (this machine's pip.conf adds find-links).
enum Installer: String, CustomStringConvertible, CaseIterable, Sendable {
    case pip, uv

    var description: String { rawValue }

    struct Outcome {
        let status: Int32
        let output: String
        /// Installed distributions: normalized name → version (from the `.dist-info` folders).
        let installed: [String: String]
    }

    func install(_ requirement: String, index: String, verbose: Bool = false) throws -> Outcome {
        guard let python = Interop.python else { throw Failure("TUF_INTEROP_PYTHON is not set (run Scripts/test)") }
        let target = try Workspace.makeTemporaryFolder("tuf-e2e-install")
        defer { try? FileManager.default.removeItem(atPath: target) }
        var environment = ProcessInfo.processInfo.environment
        let arguments: [String]
        let executable: String
        switch self {
        case .pip:
            environment["PIP_CONFIG_FILE"] = "/dev/null"
            environment["PIP_FIND_LINKS"] = nil
            executable = python
            arguments = ["-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check", "--no-input",
                         "--target", target, "--index-url", index] + (verbose ? ["-vv"] : []) + [requirement]
        case .uv:
            environment["UV_NO_CONFIG"] = "1"
            environment["UV_FIND_LINKS"] = nil
            environment["UV_CACHE_DIR"] = target + "/.uv-cache"
            environment["UV_PYTHON_DOWNLOADS"] = "never"
            executable = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("uv").path
            guard FileManager.default.isExecutableFile(atPath: executable) else { throw Failure("\(executable): uv is not installed in the test venv (run Scripts/bootstrap)") }
            arguments = ["pip", "install", "--python", python, "--no-cache", "--target", target, "--index-url", index] + [requirement]
        }
        let result = try Interop.run(executable, arguments, environment: environment)
        var installed: [String: String] = [:]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? [] where name.hasSuffix(".dist-info") {
            let stem = name.dropLast(".dist-info".count)
            guard let dash = stem.lastIndex(of: "-") else { continue }
            installed[stem[..<dash].replacingOccurrences(of: "_", with: "-").lowercased()] = String(stem[stem.index(after: dash)...])
        }
        return Outcome(status: result.status, output: result.output, installed: installed)
    }
}
