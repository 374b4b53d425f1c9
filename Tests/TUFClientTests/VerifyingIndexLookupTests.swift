import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
import TUFTestSupport
@testable import TUFClient

/// One request, one lookup: `serve` answers a page or a file from one delegation search, one
/// download and one parse of what verified, and builds what it sends from that one value.
struct VerifyingIndexLookupTests {
    /// Each URL the upstream saw, with how often (the simulator logs every fetch).
    static func counts(_ sim: RepositorySimulator) -> [String: Int] {
        sim.fetchTracker.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    /// A cold page request fetches each role and the page once; the file of the page is
    /// fetched once when asked for; asked again, nothing is fetched (the refresh is fresh and
    /// the cache verified).
    @Test func testAPageAndItsFileAreEachFetchedOnce() async {
        let h = IndexHarness()
        let index = h.index()
        #expect(await get(index, "/simple/alpha/").status == 200)
        let page = Self.counts(h.sim)
        #expect(page.values.allSatisfy { $0 == 1 }, "\(h.sim.fetchTracker)")
        for role in ["/timestamp.json", ".snapshot.json", ".targets.json", ".bin-a.json"] {
            #expect(page.keys.filter { $0.hasSuffix(role) }.count == 1, "\(role): \(h.sim.fetchTracker)")
        }
        #expect(page.keys.contains { $0.hasPrefix(RepositorySimulator.targetsURL + "simple/alpha/") }, "\(h.sim.fetchTracker)")
        #expect(!page.keys.contains { $0.contains("bin-b") }, "a page of bin-a loads no other bin: \(h.sim.fetchTracker)")
        h.sim.clearFetchTracker()
        let wheel = await get(index, "/files/\(IndexHarness.wheelPath("alpha"))")
        #expect(wheel.status == 200 && bodyBytes(wheel) == IndexHarness.wheel("alpha"))
        #expect(h.sim.fetchTracker.count == 1 && h.sim.fetchTracker[0].hasSuffix("alpha-1.0-py3-none-any.whl"), "\(h.sim.fetchTracker)")
        h.sim.clearFetchTracker()
        #expect(await get(index, "/simple/alpha/").status == 200)
        #expect(bodyBytes(await get(index, "/files/\(IndexHarness.wheelPath("alpha"))")) == IndexHarness.wheel("alpha"))
        #expect(await get(index, "/simple/").status == 200)
        #expect(await get(index, "/simple/").status == 200)
        let list = h.sim.fetchTracker.map { $0.dropFirst(RepositorySimulator.targetsURL.count) }
        #expect(list.count == 1 && list[0].hasPrefix("simple/") && list[0].hasSuffix("index.json") && !list[0].dropFirst(7).contains("/"),
                "only the list, once: \(h.sim.fetchTracker)")
    }

    /// The page served is built from the page parsed once: each file keeps what its own entry
    /// says. A page that lists one file name at two signed URLs with different
    /// `requires-python` keeps each value with its file (a second pass over the page that
    /// joined by file name gave both files the last one).
    @Test func testEachFileKeepsItsOwnEntry() async throws {
        let h = IndexHarness()
        let name = "delta-1.0-py3-none-any.whl"
        let wheels = [("packages/delta/\(name)", ">=3.8"), ("packages/delta-old/\(name)", ">=3.12")]
        var entries: [String] = []
        for (path, requires) in wheels {
            let bytes = Array("the wheel at \(path)".utf8)
            h.sim.addTarget("bin-b", bytes, path)
            entries.append("""
                {"filename": "\(name)", "url": "../../\(path)", "hashes": {"sha256": "\(Hex.encode(Hash.digest(.sha256, bytes)))"}, \
                "size": \(bytes.count), "requires-python": "\(requires)", "yanked": false}
                """)
        }
        let page = #"{"meta": {"api-version": "1.1"}, "name": "Delta", "files": ["# + entries.joined(separator: ", ") + #"], "versions": ["1.0"]}"#
        h.sim.addTarget("bin-b", Array(page.utf8), "simple/delta/index.json")
        h.sim.updateSnapshot()
        let answer = await get(h.index(), "/simple/delta/")
        #expect(answer.status == 200, "\(bodyText(answer))")
        let json = try JSONParser().parse(bodyBytes(answer))
        let files = json.objectValue?["files"]?.arrayValue ?? []
        #expect(files.map { $0.objectValue?["url"]?.stringValue } == wheels.map { SimplePages.fileURL(for: $0.0) })
        #expect(files.map { $0.objectValue?["requires-python"]?.stringValue } == wheels.map(\.1), "\(bodyText(answer))")
        #expect(json.objectValue?["name"]?.stringValue == "Delta")
        #expect(json.objectValue?["versions"]?.arrayValue?.compactMap(\.stringValue) == ["1.0"])
    }
}
