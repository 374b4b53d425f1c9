import Foundation
import Testing
import TUFMetadata
import TUFTestSupport
@testable import TUFClient

/// `tuf-verify serve`'s index against a simulated repository: requests at once, a dripping
/// upstream, cache files changed behind its back, metadata that expires between refreshes,
/// and what its error bodies echo.
struct VerifyingIndexServeTests {
    /// A page that verified once answers at once while another page's upstream drips: the
    /// dripping download is held until the second answer has arrived (no wall time).
    @Test func testVerifiedPageAnswersWhileAnotherPageDrips() async {
        let h = IndexHarness()
        let index = h.index()
        #expect(await get(index, "/simple/beta/").status == 200)
        let drip = h.fetcher.hold("targets/simple/alpha/")
        let slow = Task { await get(index, "/simple/alpha/") }
        await drip.entered.wait()
        let log = EventLog()
        let guardTask = watchdog(drip, log)
        let fast = await get(index, "/simple/beta/")
        log.note("beta answered")
        drip.release()
        let dripped = await slow.value
        guardTask.cancel()
        #expect(log.all.first == "beta answered", "\(log.all)")
        #expect(fast.status == 200 && bodyText(fast).contains("beta-1.0-py3-none-any.whl"), "\(bodyText(fast))")
        #expect(dripped.status == 200, "\(bodyText(dripped))")
    }

    /// Two pages not seen before verify at once: both downloads are under way together.
    @Test func testPagesVerifyInParallel() async {
        let h = IndexHarness()
        let index = h.index()
        #expect(await get(index, "/simple/beta/").status == 200) // the chain refreshed and bin-b loaded
        let alpha = h.fetcher.hold("targets/simple/alpha/"), gamma = h.fetcher.hold("targets/simple/gamma/")
        let first = Task { await get(index, "/simple/alpha/") }
        let second = Task { await get(index, "/simple/gamma/") }
        let log = EventLog()
        let guardTask = watchdog(alpha, log)
        await alpha.entered.wait()
        await gamma.entered.wait()
        log.note("both under way")
        alpha.release(); gamma.release()
        let answers = [await first.value, await second.value]
        guardTask.cancel()
        #expect(log.all.first == "both under way", "\(log.all)")
        #expect(answers.map(\.status) == [200, 200])
    }

    /// A cache file edited in place after it verified (same size, its mtime put back) is
    /// checked again and fetched anew: the edited bytes are never sent.
    @Test func testEditedCacheFileIsNotServed() async throws {
        let h = IndexHarness()
        let index = h.index()
        let path = "/files/\(IndexHarness.wheelPath("alpha"))"
        let first = await get(index, path)
        #expect(first.status == 200 && bodyBytes(first) == IndexHarness.wheel("alpha"))
        let file = h.cachedWheel("alpha")
        var before = stat()
        #expect(stat(file, &before) == 0)
        let edited = Array("THE WHEEL OF ALPHA 6.6".utf8)
        #expect(edited.count == IndexHarness.wheel("alpha").count)
        let fd = open(file, O_WRONLY)
        #expect(pwrite(fd, edited, edited.count, 0) == edited.count)
        close(fd)
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, file, &times, 0) == 0)
        let second = await get(index, path)
        #expect(second.status == 200)
        #expect(bodyBytes(second) == IndexHarness.wheel("alpha"), "\(String(decoding: bodyBytes(second), as: UTF8.self))")
        #expect(FileManager.default.contents(atPath: file).map(Array.init) == IndexHarness.wheel("alpha"))
    }

    /// A cache file swapped for a symbolic link (to edited bytes) after it verified is not
    /// followed: refused, naming the link, and what it points to is neither sent nor changed.
    @Test func testCacheFileSwappedForALinkIsNotFollowed() async throws {
        let h = IndexHarness()
        let index = h.index()
        let path = "/files/\(IndexHarness.wheelPath("alpha"))"
        #expect(await get(index, path).status == 200)
        let file = h.cachedWheel("alpha"), elsewhere = h.dir.sub("elsewhere.whl")
        _ = FileManager.default.createFile(atPath: elsewhere, contents: Data("THE WHEEL OF ALPHA 6.6".utf8))
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: elsewhere)
        let second = await get(index, path)
        #expect(second.status == 409 && bodyText(second).contains("not a regular file"), "\(second.status) \(bodyText(second))")
        #expect(FileManager.default.contents(atPath: elsewhere).map { String(decoding: $0, as: UTF8.self) } == "THE WHEEL OF ALPHA 6.6")
    }

    /// 5.4.4, 5.5.6, 5.6.5: metadata that expired since the last refresh is not used, however
    /// recent that refresh: the index refreshes, and refuses (freeze attack) while the
    /// repository serves nothing newer; once it does, pages are served again. `warmUp` is
    /// the page asked for first (beta: bin-a is first loaded after the clock moved on).
    @Test(arguments: [("timestamp", "alpha"), ("snapshot", "alpha"), ("targets", "alpha"), ("bin-a", "alpha"), ("bin-a", "beta")])
    func testExpiredMetadataIsNotUsedWithinTheRefreshInterval(role: String, warmUp: String) async {
        let h = IndexHarness()
        let soon = MetadataFactory.now.adding(seconds: 86_400)
        Self.setExpiry(h.sim, role, soon)
        let index = h.index()
        #expect(await get(index, "/simple/\(warmUp)/").status == 200)
        h.clock.advance(days: 2)
        let frozen = await get(index, "/simple/alpha/")
        #expect(frozen.status == 409 && bodyText(frozen).contains("freeze attack"), "\(frozen.status) \(bodyText(frozen))")
        let file = await get(index, "/files/\(IndexHarness.wheelPath("alpha"))")
        #expect(file.status == 409, "\(file.status) \(bodyText(file))")
        Self.setExpiry(h.sim, role, MetadataFactory.farFuture)
        let renewed = await get(index, "/simple/alpha/")
        #expect(renewed.status == 200, "\(bodyText(renewed))")
    }

    static func setExpiry(_ sim: RepositorySimulator, _ role: String, _ expires: Expiry) {
        switch role {
        case "timestamp": sim.timestamp.expires = expires
        case "snapshot": sim.snapshot.expires = expires
        case "targets": sim.targets.expires = expires; sim.targets.version += 1
        // Same version: the simulator serves only a bin's current version, and the trusted
        // snapshot (still current) names the version it listed.
        default: sim.delegates[role]!.expires = expires
        }
        sim.updateSnapshot()
    }

    /// What a request path decodes to is shown escaped in every answer: no ESC, CR or LF
    /// from the request reaches the body.
    @Test(arguments: ["/simple/%1B%5B31m%0D%0AX-Injected:%201/", "/files/packages/%1B%5B2J%0D%0Ax.whl", "/simple/a%C2%9Bb/"])
    func testErrorBodiesEscapeTheRequestPath(path: String) async {
        let h = IndexHarness()
        let answer = await get(h.index(), path)
        #expect(answer.status == 404, "\(answer.status)")
        let text = bodyText(answer)
        #expect(!text.dropLast().unicodeScalars.contains { DisplayText.needsEscape($0) }, "\(text.debugDescription)")
        #expect(text.hasSuffix("\n"), "\(text.debugDescription)")
    }
}
