import Foundation
import Synchronization
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// A `VerifyingIndex` over a simulated repository of three projects (alpha, beta, gamma), each
/// a signed page and one wheel, and the signed project list. alpha is listed by `bin-a`, the others by `bin-b`, both
/// delegated from targets, so a bin is loaded on first use as PyPI's are. The fetcher can hold
/// chosen downloads (a dripping upstream the test releases) and the clock is the test's.
final class IndexHarness {
    static let projects = ["alpha", "beta", "gamma"]
    let sim = RepositorySimulator()
    let dir = TempDir(prefix: "tuf-index")
    let fetcher: GatedFetcher
    let clock = TestClock(MetadataFactory.now)

    init() {
        sim.addDelegation("targets", DelegatedRole(name: "bin-a", keyIDs: [], threshold: 1, paths: ["simple/alpha/*", "packages/alpha/*"]))
        sim.addDelegation("targets", DelegatedRole(name: "bin-b", keyIDs: [], threshold: 1, paths: ["simple/*/*", "packages/*/*"]))
        for project in Self.projects {
            let bin = project == "alpha" ? "bin-a" : "bin-b"
            sim.addTarget(bin, Self.wheel(project), Self.wheelPath(project))
            sim.addTarget(bin, Self.page(project), "simple/\(project)/index.json")
        }
        sim.addTarget("targets", Self.projectList, "simple/index.json")
        sim.updateSnapshot()
        fetcher = GatedFetcher(inner: sim)
        try! FileManager.default.createDirectory(atPath: dir.sub("metadata"), withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(atPath: dir.sub("cache"), withIntermediateDirectories: true)
        try! Data(sim.signedRoots[0]).write(to: URL(fileURLWithPath: dir.sub("metadata/root.json")))
    }

    static let projectList = Array(#"{"meta": {"api-version": "1.1"}, "projects": [{"name": "alpha"}, {"name": "beta"}, {"name": "gamma"}]}"#.utf8)

    static func wheel(_ project: String) -> [UInt8] { Array("the wheel of \(project) 1.0".utf8) }
    static func wheelPath(_ project: String) -> String { "packages/\(project)/\(project)-1.0-py3-none-any.whl" }

    static func page(_ project: String) -> [UInt8] {
        let name = "\(project)-1.0-py3-none-any.whl", wheel = wheel(project)
        return Array("""
            {"meta": {"api-version": "1.1"}, "name": "\(project)", "files": [{"filename": "\(name)", \
            "url": "../../packages/\(project)/\(name)", "hashes": {"sha256": "\(Hex.encode(Hash.digest(.sha256, wheel)))"}, \
            "size": \(wheel.count), "yanked": false}], "versions": ["1.0"]}
            """.utf8)
    }

    /// The cache file of `project`'s wheel.
    func cachedWheel(_ project: String) -> String { dir.sub("cache/\(Self.wheelPath(project))") }

    func index(refreshInterval: Double = 365 * 86_400) -> VerifyingIndex {
        var configuration = VerifyingIndex.Configuration(metadataDir: dir.sub("metadata"), metadataBaseURL: RepositorySimulator.metadataURL,
                                                         targetBaseURL: RepositorySimulator.targetsURL, cacheDir: dir.sub("cache"),
                                                         fetcher: fetcher)
        configuration.refreshInterval = refreshInterval
        let clock = self.clock
        configuration.clock = { clock.now }
        return VerifyingIndex(configuration)
    }
}

/// A GET as pip sends it.
func get(_ index: VerifyingIndex, _ path: String) async -> IndexResponse {
    await index.respond(to: IndexRequest(method: .get, uri: path, accept: "application/vnd.pypi.simple.v1+json"))
}

/// The bytes a response would send.
func bodyBytes(_ response: IndexResponse) -> [UInt8] {
    switch response.body {
    case .bytes(let bytes): return bytes
    case .head: return []
    case .file(let file, let offset, let length):
        // From the descriptor the index checked, as the HTTP layer sends it.
        guard let fd = file.take() else { return [] }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: Int(length))
        let n = pread(fd, &bytes, bytes.count, off_t(offset))
        return Array(bytes.prefix(max(0, n)))
    }
}

func bodyText(_ response: IndexResponse) -> String { String(decoding: bodyBytes(response), as: UTF8.self) }

/// What happened, in order, across tasks.
final class EventLog: Sendable {
    private let events = Mutex<[String]>([])
    func note(_ event: String) { events.withLock { $0.append(event) } }
    var all: [String] { events.withLock { $0 } }
}

/// A clock the test sets.
final class TestClock: Sendable {
    private let time: Mutex<Expiry>
    init(_ start: Expiry) { time = Mutex(start) }
    var now: Expiry { time.withLock { $0 } }
    func advance(days: Int64) { time.withLock { $0 = $0.adding(seconds: days * 86_400) } }
}

/// Releases `gate` after a long while if the test has not: a test that would otherwise hang
/// forever on a regression fails instead (its event log then shows "watchdog" first).
func watchdog(_ gate: FetchGate, _ log: EventLog) -> Task<Void, Never> {
    Task {
        try? await Task.sleep(for: .seconds(30))
        guard !Task.isCancelled else { return }
        log.note("watchdog")
        gate.release()
    }
}
