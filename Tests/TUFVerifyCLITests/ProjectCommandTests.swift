import Foundation
import Testing
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// `tuf-verify project NAME` against a `file://` repository written by the simulator: a
/// PEP 691 page signed as a target, and distribution files whose `custom.yanked` is signed.
@Suite struct ProjectCommandTests {
    static let newWheel = Array("demo 1.0 wheel".utf8)
    static let oldWheel = Array("demo 0.9 wheel".utf8)

    /// The project page, with the yank state of each file as given (JSON values).
    static func page(newYanked: String = "false", oldYanked: String = "\"broken\"") -> [UInt8] {
        func entry(_ name: String, _ data: [UInt8], _ yanked: String) -> String {
            "{\"filename\": \"\(name)\", \"url\": \"../../packages/d/\(name)\", \"hashes\": {\"sha256\": \"\(Hex.encode(Hash.digest(.sha256, data)))\"}, \"size\": \(data.count), \"yanked\": \(yanked)}"
        }
        let files = [entry("demo-1.0-py3-none-any.whl", newWheel, newYanked), entry("demo-0.9-py3-none-any.whl", oldWheel, oldYanked)]
        return Array("{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"demo\", \"files\": [\(files.joined(separator: ", "))]}\n".utf8)
    }

    /// A repository with the honest page, a client with the trusted root installed.
    final class Setup {
        let root = NSTemporaryDirectory() + "tuf-verify-project-\(UInt64.random(in: 0...UInt64.max))"
        var repo: String { "\(root)/repo" }
        var client: String { "\(root)/client" }
        var common: [String] {
            ["--metadata-dir", "\(client)/metadata", "--metadata-url", "file://\(repo)/metadata/",
             "--target-base-url", "file://\(repo)/targets/", "--target-dir", "\(client)/targets"]
        }
        /// Where the page is served under consistent snapshots (hash-prefixed).
        var servedPage: String {
            "\(repo)/targets/simple/demo/\(Hex.encode(Hash.digest(.sha256, ProjectCommandTests.page()))).index.json"
        }

        init() throws {
            let sim = RepositorySimulator(expires: Expiry(iso8601: "2099-01-01T00:00:00Z")!)
            sim.addTarget("targets", ProjectCommandTests.newWheel, "packages/d/demo-1.0-py3-none-any.whl")
            sim.addTarget("targets", ProjectCommandTests.oldWheel, "packages/d/demo-0.9-py3-none-any.whl", custom: ["yanked": "broken"])
            sim.addTarget("targets", ProjectCommandTests.page(), "simple/demo/index.json")
            sim.updateSnapshot()
            try sim.write(to: repo)
            try Data(sim.signedRoots[0]).write(to: URL(fileURLWithPath: "\(root)/trusted-root.json"))
            let installed = try run(["--metadata-dir", "\(client)/metadata", "init", "\(root)/trusted-root.json"])
            guard installed.status == 0 else { throw Failure(description: installed.output) }
        }
        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// Serves `bytes` in place of the signed page.
        func forgePage(_ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: servedPage)) }

        func run(_ args: [String]) throws -> (status: Int32, output: String) { try Interop.run(CLITests.binary, args) }
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    @Test func testHonestPagePrintsSignedYankStates() throws {
        let s = try Setup()
        let result = try s.run(s.common + ["project", "Demo"])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("simple/demo/index.json: verified, 2 file(s)"), "\(result.output)")
        #expect(result.output.contains("demo-1.0-py3-none-any.whl  not yanked"), "\(result.output)")
        #expect(result.output.contains("demo-0.9-py3-none-any.whl  yanked (broken)"), "\(result.output)")
        // The verified page is kept in the target folder.
        #expect(FileManager.default.contents(atPath: "\(s.client)/targets/simple/demo/index.json") == Data(Self.page()))
    }

    @Test func testHonestPageAsJSON() throws {
        let s = try Setup()
        let result = try s.run(["project", "demo", "--json"] + s.common)
        #expect(result.status == 0, "\(result.output)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(object["ok"] as? Bool == true)
        #expect(object["project"] as? String == "demo")
        #expect(object["page"] as? String == "simple/demo/index.json")
        let files = try #require(object["files"] as? [[String: Any]])
        #expect(files.map { $0["filename"] as? String } == ["demo-1.0-py3-none-any.whl", "demo-0.9-py3-none-any.whl"])
        #expect(files.map { $0["target"] as? String } == ["packages/d/demo-1.0-py3-none-any.whl", "packages/d/demo-0.9-py3-none-any.whl"])
        #expect(files[0]["yanked"] as? Bool == false)
        #expect(files[1]["yanked"] as? String == "broken")
    }

    @Test(arguments: [
        // A release forged as yanked, with or without a reason.
        ("true", "\"broken\"", "demo-1.0-py3-none-any.whl", "demo-0.9-py3-none-any.whl"),
        ("\"security hole\"", "\"broken\"", "demo-1.0-py3-none-any.whl", "demo-0.9-py3-none-any.whl"),
        // A yanked release forged as not yanked.
        ("false", "false", "demo-0.9-py3-none-any.whl", "demo-1.0-py3-none-any.whl"),
    ])
    func testForgedYankIsMaliciousYank(newYanked: String, oldYanked: String, named: String, notNamed: String) throws {
        let s = try Setup()
        try s.forgePage(Self.page(newYanked: newYanked, oldYanked: oldYanked))
        let result = try s.run(s.common + ["project", "demo"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("malicious yank"), "\(result.output)")
        #expect(result.output.contains(named), "\(result.output)")
        #expect(!result.output.contains(notNamed), "\(result.output)")
        #expect(!FileManager.default.fileExists(atPath: "\(s.client)/targets/simple/demo/index.json"))
        let json = try s.run(s.common + ["project", "demo", "--json"])
        #expect(json.status == 1)
        #expect(json.output.contains("\"code\":\"maliciousYank\""), "\(json.output)")
    }

    @Test func testOtherPageChangeIsHashMismatchNotYank() throws {
        let s = try Setup()
        var forged = Self.page()
        forged[forged.count - 2] = UInt8(ascii: " ")  // same length, the closing brace gone
        try s.forgePage(forged)
        let result = try s.run(s.common + ["project", "demo"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("hash mismatch"), "\(result.output)")
        #expect(!result.output.contains("malicious yank"), "\(result.output)")
    }

    @Test func testUnknownProjectIsNotFound() throws {
        let s = try Setup()
        let result = try s.run(s.common + ["project", "nosuchproject"])
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("not found"), "\(result.output)")
    }

    @Test func testProjectWithoutNameIsUsageError() throws {
        let s = try Setup()
        #expect(try s.run(s.common + ["project"]).status == 2)
    }
}
