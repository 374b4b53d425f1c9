import Foundation
import Testing
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// Yank state verification and malicious-yank detection.
@Suite struct YankTests {
    static let newWheel = Array("wheel 1.0".utf8)
    static let oldWheel = Array("wheel 0.9".utf8)

    static func page(newYanked: String = "false", oldYanked: String = "\"broken\"", newSize: Int = newWheel.count) -> [UInt8] {
        func entry(_ name: String, _ data: [UInt8], _ size: Int, _ yanked: String) -> String {
            "{\"filename\": \"\(name)\", \"url\": \"../../packages/ab/\(name)#sha256=x\", \"hashes\": {\"sha256\": \"\(Hex.encode(Hash.digest(.sha256, data)))\"}, \"size\": \(size), \"yanked\": \(yanked)}"
        }
        let files = [entry("demo-1.0.whl", newWheel, newSize, newYanked), entry("demo-0.9.whl", oldWheel, oldWheel.count, oldYanked)]
        return Array("{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"demo\", \"files\": [\(files.joined(separator: ", "))]}".utf8)
    }

    func harness() -> ClientHarness {
        let h = ClientHarness()
        h.sim.addTarget("targets", Self.newWheel, "packages/ab/demo-1.0.whl")
        h.sim.addTarget("targets", Self.oldWheel, "packages/ab/demo-0.9.whl", custom: ["yanked": "broken"])
        h.sim.addTarget("targets", Self.page(), "simple/demo/index.json")
        h.sim.updateSnapshot()
        return h
    }

    var pageURL: String { "targets/simple/demo/\(Hex.encode(Hash.digest(.sha256, Self.page()))).index.json" }

    @Test func testVerifiedPageReportsSignedYankState() async throws {
        let h = harness()
        let result = try await h.refresh().verifyProject("Demo")
        #expect(result.pagePath == "simple/demo/index.json")
        #expect(result.files == [
            ProjectFile(filename: "demo-1.0.whl", targetPath: "packages/ab/demo-1.0.whl", yank: .notYanked),
            ProjectFile(filename: "demo-0.9.whl", targetPath: "packages/ab/demo-0.9.whl", yank: .yanked(reason: "broken")),
        ])
    }

    @Test func testForgedYankIsMaliciousYank() async throws {
        let h = harness()
        h.sim.tamper[pageURL] = { _ in Self.page(newYanked: "true") }
        do {
            _ = try await h.refresh().verifyProject("demo")
            Issue.record("no error")
        } catch let error as ClientError {
            #expect(error.code == .maliciousYank)
            #expect(error.message.contains("demo-1.0.whl"))
            #expect(!error.message.contains("demo-0.9.whl"))
        }
    }

    @Test func testRemovedYankIsMaliciousYank() async throws {
        let h = harness()
        h.sim.tamper[pageURL] = { _ in Self.page(oldYanked: "false") }
        await expectError(.maliciousYank) { try await h.refresh().verifyProject("demo") }
    }

    @Test func testOtherPageChangeIsHashMismatch() async throws {
        let h = harness()
        h.sim.tamper[pageURL] = { _ in Self.page(newSize: 8) }
        await expectError(.hashMismatch) { try await h.refresh().verifyProject("demo") }
        h.sim.tamper[pageURL] = { _ in Array("not json".utf8) }
        await expectError(.lengthMismatch) { try await h.refresh().verifyProject("demo") }
    }

    @Test(arguments: [
        ("../../packages/ab/cd/x.whl", "packages/ab/cd/x.whl"), ("/packages/x.whl", "packages/x.whl"),
        ("/packages/a/x.whl#sha256=00", "packages/a/x.whl"), ("x%2By.whl", "simple/demo/x+y.whl"),
        ("./../../packages/x.whl?a=b", "packages/x.whl"),
    ])
    func testFileURLsResolveToTargetPaths(url: String, path: String) throws {
        #expect(try YankVerifier.resolve(url, against: "simple/demo/index.json") == path)
    }

    @Test(arguments: ["../../../x.whl", "/../x.whl", "a//b.whl", "a%2Fb.whl", "../../", "https://files.example/packages/x.whl",
                      "//files.example/x.whl", "x%zz.whl", "a%00b.whl", ""])
    func testFileURLsOutsideTheIndexAreRefused(url: String) {
        expectError(.unsafePath) { try YankVerifier.resolve(url, against: "simple/demo/index.json") }
    }

    @Test(arguments: [("Foo.Bar__baz", "foo-bar-baz"), ("a-_-.b", "a-b"), ("numpy", "numpy")])
    func testPEP503Normalization(name: String, normalized: String) {
        #expect(YankVerifier.normalize(name) == normalized)
    }
}
