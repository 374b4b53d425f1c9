import Foundation
import Testing
import TUFTestSupport

/// pip and uv, the real installers from the test venv, installing through `tuf-verify
/// serve` from a repository of real wheels that a tampering mirror serves (issue 10).
/// One case at a time: each runs pip or uv processes, a mirror and a proxy, and fourteen of
/// them at once crowded the two cores enough that another suite's slow-retrieval test missed
/// its one-second idle timeout once.
@Suite(.enabled(if: Interop.enabled), .serialized) struct InstallerTests {
    static let forged = "demo_app-2.0-py3-none-any.whl"

    /// The proxy's own answer for a refused page or file: 409, the attack in the body.
    static func expectRefusal(_ proxy: VerifyingProxy, _ path: String, _ attack: String) throws {
        let answer = try httpRequest(proxy.base + path, headers: ["Accept": "application/vnd.pypi.simple.v1+json"])
        #expect(answer.status == 409, "\(answer.status) \(answer.text)")
        #expect(answer.text.contains(attack), "\(answer.text)")
    }

    @Test(arguments: Installer.allCases)
    func testHonestInstallGetsNewestAndPinnedOlder(installer: Installer) throws {
        let r = try WheelRepository.get()
        let mirror = try r.mirror()
        defer { mirror.stop() }
        let proxy = try r.proxy()
        try proxy.start(mirror)
        let newest = try installer.install("demo-app", index: proxy.url)
        #expect(newest.status == 0, "\(newest.output)\n\(proxy.log)")
        #expect(newest.installed == ["demo-app": "2.0", "helper-lib": "1.0"], "\(newest.output)")
        let older = try installer.install("demo-app<2", index: proxy.url)
        #expect(older.status == 0, "\(older.output)")
        #expect(older.installed == ["demo-app": "1.5"], "\(older.output)")
        // What reached the installer came from the verified cache, byte for byte.
        let cached = try Data(contentsOf: URL(fileURLWithPath: "\(proxy.cache)/\(WheelRepository.newestWheel)"))
        #expect(cached == (try Data(contentsOf: URL(fileURLWithPath: "\(r.w.index)/\(WheelRepository.newestWheel)"))))
        #expect(proxy.stop() == 0)
        #expect(proxy.log.contains("stopped"), "\(proxy.log)")
    }

    /// The headline attack: a mirror forges a yank of the newest release (for everyone). Straight
    /// at the mirror the installer skips the "yanked" 2.0 and installs 1.5; through the proxy it
    /// fails, and the reason is a malicious yank naming the file.
    @Test(arguments: Installer.allCases)
    func testForgedYankFailsThroughTheProxyWhileDirectInstallsOlder(installer: Installer) throws {
        let r = try WheelRepository.get()
        let mirror = try r.mirror(try r.urlPaths(WheelRepository.page).flatMap { ["--forge-yank", $0, Self.forged, "\"forged by the mirror\""] })
        defer { mirror.stop() }
        let direct = try installer.install("demo-app", index: "\(mirror.baseURL)/index/simple/")
        #expect(direct.status == 0, "\(direct.output)")
        #expect(direct.installed["demo-app"] == "1.5", "the forged yank should fool a direct install: \(direct.output)")

        let proxy = try r.proxy()
        try proxy.start(mirror)
        let through = try installer.install("demo-app", index: proxy.url, verbose: installer == .pip)
        #expect(through.status != 0, "\(through.output)")
        #expect(through.installed.isEmpty, "\(through.output)")
        switch installer {
        // pip logs why a page could not be fetched only at -vv: the status line's reason.
        case .pip: #expect(through.output.contains("malicious yank"), "\(through.output)")
        case .uv: #expect(through.output.contains("409"), "\(through.output)")
        }
        #expect(proxy.log.contains("malicious yank") && proxy.log.contains("demo-app") && proxy.log.contains(Self.forged), "\(proxy.log)")
        try Self.expectRefusal(proxy, "/simple/demo-app/", "malicious yank")
    }

    /// A mirror that swaps the newest wheel for another: refused before a byte reaches the
    /// installer, and nothing is left in the cache.
    @Test(arguments: Installer.allCases)
    func testSwappedWheelIsRefused(installer: Installer) throws {
        let r = try WheelRepository.get()
        let other = "\(r.w.index)/\(WheelRepository.olderWheel)"
        let mirror = try r.mirror(try r.urlPaths(WheelRepository.newestWheel).flatMap { ["--replace", $0, other] })
        defer { mirror.stop() }
        let proxy = try r.proxy()
        try proxy.start(mirror)
        let outcome = try installer.install("demo-app", index: proxy.url)
        #expect(outcome.status != 0, "\(outcome.output)")
        #expect(outcome.installed["demo-app"] == nil, "\(outcome.output)")
        switch installer {
        // pip shows the reason phrase of a failed download at its default verbosity.
        case .pip: #expect(outcome.output.contains("length mismatch") || outcome.output.contains("hash mismatch"), "\(outcome.output)")
        case .uv: #expect(outcome.output.contains("409"), "\(outcome.output)")
        }
        #expect(proxy.log.contains(WheelRepository.newestWheel), "\(proxy.log)")
        #expect(!FileManager.default.fileExists(atPath: "\(proxy.cache)/\(WheelRepository.newestWheel)"))
        let leftovers = proxy.cacheFiles(containing: "demo_app-2.0")
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// The page from before 2.0 was uploaded, replayed: direct installs get 1.5 without a word;
    /// through the proxy the page does not match its signed hash.
    @Test func testReplayedOldPageIsRefused() throws {
        let r = try WheelRepository.get()
        let mirror = try r.mirror(try r.urlPaths(WheelRepository.page).flatMap { ["--replace", $0, r.oldPage] })
        defer { mirror.stop() }
        let direct = try Installer.pip.install("demo-app", index: "\(mirror.baseURL)/index/simple/")
        #expect(direct.installed["demo-app"] == "1.5", "\(direct.output)")
        let proxy = try r.proxy()
        try proxy.start(mirror)
        for installer in Installer.allCases {
            let outcome = try installer.install("demo-app", index: proxy.url)
            #expect(outcome.status != 0 && outcome.installed.isEmpty, "\(installer): \(outcome.output)")
        }
        let answer = try httpRequest(proxy.base + "/simple/demo-app/")
        #expect(answer.status == 409 && (answer.text.contains("length mismatch") || answer.text.contains("hash mismatch")), "\(answer.text)")
    }

    /// Yesterday's timestamp replayed to a proxy that has seen today's: a rollback, refused on
    /// every page until the mirror serves a current one again.
    @Test func testReplayedTimestampIsARollback() throws {
        let r = try WheelRepository.get()
        let honest = try r.mirror()
        defer { honest.stop() }
        let proxy = try r.proxy()
        try proxy.start(honest)
        #expect(try Installer.pip.install("demo-app", index: proxy.url).installed["demo-app"] == "2.0")
        let replaying = try r.mirror(["--replace", "/repo/metadata/timestamp.json", "\(r.oldMetadata)/timestamp.json"])
        defer { replaying.stop() }
        try proxy.start(replaying)
        let outcome = try Installer.pip.install("demo-app", index: proxy.url)
        #expect(outcome.status != 0 && outcome.installed.isEmpty, "\(outcome.output)")
        try Self.expectRefusal(proxy, "/simple/demo-app/", "rollback attack")
        #expect(proxy.log.contains("rollback attack"), "\(proxy.log)")
    }

    /// A mirror that stopped updating: its timestamp has expired (a freeze attack).
    @Test(arguments: Installer.allCases)
    func testFrozenTimestampIsRefused(installer: Installer) throws {
        let r = try WheelRepository.get()
        let mirror = try r.mirror(["--replace", "/repo/metadata/timestamp.json", r.frozenTimestamp])
        defer { mirror.stop() }
        let proxy = try r.proxy()
        try proxy.start(mirror)
        let outcome = try installer.install("demo-app", index: proxy.url)
        #expect(outcome.status != 0 && outcome.installed.isEmpty, "\(outcome.output)")
        try Self.expectRefusal(proxy, "/simple/", "freeze attack")
        try Self.expectRefusal(proxy, "/files/\(WheelRepository.newestWheel)", "freeze attack")
    }

    /// HTTP as installers use it: content negotiation, 404 for what is not listed, HEAD from
    /// the signed length, byte ranges of the verified file, many requests at once.
    @Test func testHTTPSurface() throws {
        let r = try WheelRepository.get()
        let mirror = try r.mirror()
        defer { mirror.stop() }
        let proxy = try r.proxy()
        try proxy.start(mirror)
        let json = try httpRequest(proxy.url + "demo-app/", headers: ["Accept": "application/vnd.pypi.simple.v1+json"])
        #expect(json.status == 200 && json.headers["content-type"] == "application/vnd.pypi.simple.v1+json")
        let page = try JSONSerialization.jsonObject(with: json.body) as? [String: Any]
        let files = page?["files"] as? [[String: Any]] ?? []
        #expect(files.compactMap { $0["filename"] as? String }.sorted() == ["demo_app-1.0-py3-none-any.whl", "demo_app-1.5-py3-none-any.whl", Self.forged])
        #expect(files.allSatisfy { ($0["url"] as? String)?.hasPrefix("/files/packages/demo-app/") == true })
        let html = try httpRequest(proxy.url + "demo-app/", headers: ["Accept": "text/html"])
        #expect(html.status == 200 && html.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(html.text.contains("data-requires-python=\"&gt;=3.8\"") && html.text.contains("#sha256="), "\(html.text)")
        #expect(try httpRequest(proxy.url + "demo-app/", headers: ["Accept": "application/xml"]).status == 406)
        #expect(try httpRequest(proxy.url + "no-such-project/").status == 404)
        #expect(try httpRequest(proxy.base + "/files/packages/demo-app/not-signed.whl").status == 404)
        #expect(try httpRequest(proxy.base + "/files/..%2F..%2Fetc%2Fpasswd").status == 404)
        let index = try httpRequest(proxy.url, headers: ["Accept": "application/vnd.pypi.simple.v1+json"])
        #expect(index.text.contains("\"demo-app\"") && index.text.contains("\"helper-lib\""), "\(index.text)")

        let wheel = try Data(contentsOf: URL(fileURLWithPath: "\(r.w.index)/\(WheelRepository.newestWheel)"))
        let fileURL = proxy.base + "/files/" + WheelRepository.newestWheel
        let head = try httpRequest(fileURL, method: "HEAD")
        #expect(head.status == 200 && head.headers["content-length"] == String(wheel.count) && head.headers["accept-ranges"] == "bytes")
        let first = try httpRequest(fileURL, headers: ["Range": "bytes=0-3"])
        #expect(first.status == 206 && first.body == wheel.prefix(4) && first.headers["content-range"] == "bytes 0-3/\(wheel.count)")
        let tail = try httpRequest(fileURL, headers: ["Range": "bytes=-22"])
        #expect(tail.status == 206 && tail.body == wheel.suffix(22))
        #expect(try httpRequest(fileURL, headers: ["Range": "bytes=\(wheel.count)-"]).status == 416)

        // An installer resolving in parallel: 24 requests at once, every answer right.
        let paths = (0..<24).map { i in
            i % 3 == 0 ? "/simple/demo-app/" : i % 3 == 1 ? "/simple/helper-lib/" : "/files/packages/helper-lib/helper_lib-1.0-py3-none-any.whl"
        }
        let helper = try Data(contentsOf: URL(fileURLWithPath: "\(r.w.index)/packages/helper-lib/helper_lib-1.0-py3-none-any.whl"))
        let results = ConcurrentResults(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { i in
            results.set(i, try? httpRequest(proxy.base + paths[i], headers: ["Accept": "application/vnd.pypi.simple.v1+json"]))
        }
        for (i, answer) in results.values.enumerated() {
            #expect(answer?.status == 200, "\(paths[i])")
            if paths[i].hasPrefix("/files/") { #expect(answer?.body == helper) }
        }
        #expect(proxy.stop() == 0)
    }

    /// An upstream that sends without end, or stalls: the download is cut off (at the signed
    /// length, or after --fetch-timeout), refused, and no partial file stays in the cache.
    @Test func testEndlessAndStalledUpstreams() throws {
        let r = try WheelRepository.get()
        let paths = try r.urlPaths(WheelRepository.newestWheel).dropLast()
        let endless = try r.mirror(paths.flatMap { ["--endless", $0] })
        defer { endless.stop() }
        let proxy = try r.proxy()
        try proxy.start(endless)
        let cut = try httpRequest(proxy.base + "/files/" + WheelRepository.newestWheel)
        #expect(cut.status == 409 && cut.text.contains("endless data"), "\(cut.status) \(cut.text)")
        let slow = try r.mirror(paths.flatMap { ["--slow", $0] })
        defer { slow.stop() }
        try proxy.start(slow, extra: ["--fetch-timeout", "1"])
        let stalled = try httpRequest(proxy.base + "/files/" + WheelRepository.newestWheel)
        #expect(stalled.status == 502 && stalled.text.contains("download failed"), "\(stalled.status) \(stalled.text)")
        let leftovers = proxy.cacheFiles(containing: "demo_app-2.0")
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    /// One stalled upstream does not stall the proxy: while the mirror holds helper-lib's page
    /// (until the test releases it), a page that already verified is answered; the held
    /// request is still waiting then, and is answered once released.
    @Test func testVerifiedPageAnswersWhileAnotherIsHeldUpstream() throws {
        let r = try WheelRepository.get()
        let release = NSTemporaryDirectory() + "tuf-e2e-release-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: release) }
        let heldPaths = try r.urlPaths("simple/helper-lib/index.json").dropLast()
        let mirror = try r.mirror(heldPaths.flatMap { ["--hold", $0, release] })
        defer { mirror.stop() }
        let proxy = try r.proxy()
        // The held download must not end by itself while the test looks.
        try proxy.start(mirror, extra: ["--fetch-timeout", "600"])
        let json = ["Accept": "application/vnd.pypi.simple.v1+json"]
        #expect(try httpRequest(proxy.url + "demo-app/", headers: json).status == 200)
        let held = ConcurrentResults(count: 1)
        let answered = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            held.set(0, try? httpRequest(proxy.url + "helper-lib/", headers: json))
            answered.signal()
        }
        let holding = { mirror.events().contains { $0.kind == "accepted" && heldPaths.contains($0.path) } }
        for _ in 0..<1500 where !holding() { usleep(20_000) }
        #expect(holding(), "the proxy never asked for helper-lib's page")
        let again = try httpRequest(proxy.url + "demo-app/", headers: json)
        #expect(again.status == 200, "\(again.status) \(again.text)")
        #expect(answered.wait(timeout: .now()) == .timedOut, "the held request ended before the other was answered")
        _ = FileManager.default.createFile(atPath: release, contents: Data())
        answered.wait()
        #expect(held.values[0]?.status == 200, "\(String(describing: held.values[0]?.text))")
        #expect(proxy.stop() == 0)
    }

    /// `tuf-verify check`: files fetched some other way, checked against the signed metadata.
    @Test func testCheckFilesOnDisk() throws {
        let r = try WheelRepository.get()
        let mirror = try r.mirror()
        defer { mirror.stop() }
        let client = try VerifyClient(trustedRoot: "\(r.w.metadata)/1.root.json")
        let options = ["--metadata-dir", client.metadata, "--metadata-url", "\(mirror.baseURL)/repo/metadata/",
                       "--target-base-url", "\(mirror.baseURL)/repo/targets/"]
        let good = "\(r.w.index)/\(WheelRepository.newestWheel)"
        let ok = try client.run(options + ["check", good, "\(r.w.index)/\(WheelRepository.olderWheel)"])
        #expect(ok.status == 0, "\(ok.output)")
        // The same name with other bytes (the 1.5 wheel renamed): exit 1, naming the file.
        let folder = try Workspace.makeTemporaryFolder("tuf-e2e-check")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bad = "\(folder)/demo_app-2.0-py3-none-any.whl"
        try FileManager.default.copyItem(atPath: "\(r.w.index)/\(WheelRepository.olderWheel)", toPath: bad)
        let refused = try client.run(options + ["check", good, bad])
        #expect(refused.status == 1, "\(refused.output)")
        #expect(refused.output.contains("\(bad): FAILED") && refused.output.contains("mismatch"), "\(refused.output)")
        #expect(!refused.output.contains("\(good): FAILED"), "\(refused.output)")
        // By target path, and a file no page lists.
        let byPath = try client.run(options + ["--target-name", WheelRepository.newestWheel, "check", good])
        #expect(byPath.status == 0, "\(byPath.output)")
        let stray = "\(folder)/unknown_project-1.0-py3-none-any.whl"
        _ = FileManager.default.createFile(atPath: stray, contents: Data("x".utf8))
        let unknown = try client.run(options + ["check", stray])
        #expect(unknown.status == 1 && unknown.output.contains("unknown-project"), "\(unknown.output)")
    }
}

/// Answers collected from concurrent requests.
final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [HTTPAnswer?]
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: HTTPAnswer?) { lock.withLock { storage[i] = value } }
    var values: [HTTPAnswer?] { lock.withLock { storage } }
}
