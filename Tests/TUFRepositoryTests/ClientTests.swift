import Foundation
import Testing
import TUFClient
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// The Swift client (TUFClient) reads what this repository publishes: root rotation from a
/// client that trusts version 1, online-key rotation, signed yank state, a forged yank.
@Suite struct ClientTests {
    func updater(_ dir: TempDir, _ repo: Repository, trusted: String, prefix: Bool = true) throws -> Updater {
        let md = dir.sub("client-\(prefix)")
        try FileManager.default.createDirectory(atPath: md, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: trusted, toPath: md + "/root.json")
        var config = UpdaterConfig()
        config.prefixTargetsWithHash = prefix
        return try Updater(metadataDir: md, metadataBaseURL: "file://\(repo.path)/metadata/", targetBaseURL: "file://\(repo.path)/targets/",
                           targetDir: dir.sub("downloads-\(prefix)"), config: config, fetcher: FileFetcher(), referenceTime: Fixture.now)
    }

    @Test func clientFollowsRootAndTimestampKeyRotationAndSeesSignedYanks() async throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        try FileManager.default.copyItem(atPath: repo.path + "/metadata/1.root.json", toPath: dir.sub("trusted-root.json"))
        // Rotate a root key and the timestamp key.
        _ = try repo.rotate(role: .root, add: [TestKeys.publicKey("ec1")], remove: [TestKeys.keyID("ed3")], threshold: nil, now: Fixture.now)
        _ = try repo.rotate(role: .timestamp, add: [TestKeys.publicKey("rsa1")], remove: [TestKeys.keyID("ed8")], threshold: nil, now: Fixture.now)
        for k in ["ed1", "ed2", "ec1"] { _ = try repo.sign(role: .root, signer: TestKeys.key(k), now: Fixture.now) }
        // The old timestamp key signs too, so clients that have not yet seen root 2 accept the new timestamp.
        _ = try repo.generate(index: dir.sub("index"), signers: ["ed6", "ed7", "ed8", "rsa1"].map(TestKeys.key), now: Fixture.now)
        for prefix in [true, false] {
            let client = try updater(dir, repo, trusted: dir.sub("trusted-root.json"), prefix: prefix)
            try await client.refresh()
            #expect(client.trusted.root.signed.version == 2)
            let project = try await client.verifyProject("beta")
            #expect(project.files.first { $0.filename == "beta-0.2-py3-none-any.whl" }?.yank == .yanked(reason: "broken metadata"))
            #expect(project.files.first { $0.filename == "beta-0.1-py3-none-any.whl" }?.yank == .notYanked)
        }
    }

    @Test func aForgedYankIsCaught() async throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        // The server marks alpha 1.0 yanked without the repository signing it.
        let page = repo.path + "/targets/simple/alpha/index.json"
        let text = String(decoding: FileManager.default.contents(atPath: page)!, as: UTF8.self)
        try FileManager.default.removeItem(atPath: page)
        try Data(text.replacingOccurrences(of: "\"yanked\": false", with: "\"yanked\": \"forged\"").utf8).write(to: URL(fileURLWithPath: page))
        let client = try updater(dir, repo, trusted: repo.path + "/metadata/1.root.json", prefix: false)
        let error = await #expect(throws: ClientError.self) { try await client.verifyProject("alpha") }
        #expect(error?.code == .maliciousYank)
    }
}
