import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

@Suite struct StagingTests {
    @Test func privateKeyReadableByOthersIsReportedAsExposed() throws {
        let dir = TempDir()
        _ = try KeyFiles.generate(.ed25519, out: dir.sub("k"), passphrase: nil)
        #expect(KeyFiles.isExposed(dir.sub("k.pem")) == false)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.sub("k.pem"))
        #expect(KeyFiles.isExposed(dir.sub("k.pem")) == true)
        #expect(KeyFiles.isExposed(dir.sub("missing.pem")) == nil)
    }

    @Test func keygenWritesPrivateKeyWithMode0600AndRoundTrips() throws {
        let dir = TempDir()
        let key = try KeyFiles.generate(.ed25519, out: dir.sub("k/plain"), passphrase: nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.sub("k/plain.pem"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try KeyFiles.loadPublic(dir.sub("k/plain.pub.json")) == key)
        #expect(try KeyFiles.loadPrivate(dir.sub("k/plain.pem"), passphrase: nil).publicKey == key.publicKey)
        let pub = try JSONParser().parse(Array(FileManager.default.contents(atPath: dir.sub("k/plain.pub.json"))!))
        #expect(pub.objectValue?["keyid"]?.stringValue == key.keyID)
        // Refuses to overwrite.
        #expect(throws: RepositoryError(.invalidArgument, "")) { try KeyFiles.generate(.ed25519, out: dir.sub("k/plain"), passphrase: nil) }
    }

    @Test func encryptedKeyNeedsItsPassphrase() throws {
        let dir = TempDir()
        let key = try KeyFiles.generate(.ecdsa, out: dir.sub("enc"), passphrase: Array("secret".utf8))
        let pem = String(decoding: FileManager.default.contents(atPath: dir.sub("enc.pem"))!, as: UTF8.self)
        #expect(pem.contains("ENCRYPTED PRIVATE KEY"))
        #expect(try KeyFiles.loadPrivate(dir.sub("enc.pem"), passphrase: Array("secret".utf8)).publicKey == key.publicKey)
        let error = #expect(throws: RepositoryError.self) { try KeyFiles.loadPrivate(dir.sub("enc.pem"), passphrase: Array("wrong".utf8)) }
        #expect(error?.code == .badKey)
        #expect(error?.message.contains("secret") == false)
    }

    @Test func rootTwoOfThreeSignedInTwoSittings() throws {
        let dir = TempDir()
        let (repo, first) = try Repository.initialize(at: dir.sub("repo"), options: Fixture.options(),
                                                      signers: [TestKeys.key("ed1"), TestKeys.key("ed4"), TestKeys.key("ed5")] + Fixture.online,
                                                      now: Fixture.now, durability: .none)
        #expect(first.waiting != nil)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/metadata/root.json"))
        let status = try repo.status(now: Fixture.now)
        #expect(status.staged.first { $0.role == "root (staged)" }?.signedBy == [TestKeys.keyID("ed1")])
        // The second operator, later.
        let second = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now.adding(seconds: 3600))
        #expect(try repo.status(now: Fixture.now).staged.first { $0.role == "root (staged)" }?.signedBy.count == 2)
        // Fully signed; the first publication also needs the online keys, which the operators do not carry.
        #expect(second.waiting?.contains("online keys") == true)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let r = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now.adding(seconds: 7200))
        #expect(r.written.contains("metadata/1.root.json"))
        #expect(try repo.audit(now: Fixture.now.adding(seconds: 7200)) == [])
        #expect(Fixture.files(repo.path + "/staged").isEmpty)
    }

    @Test func aKeyOfAnotherRoleCannotSign() throws {
        let dir = TempDir()
        let (repo, _) = try Repository.initialize(at: dir.sub("repo"), options: Fixture.options(), signers: [TestKeys.key("ed1")],
                                                  now: Fixture.now, durability: .none)
        #expect(throws: RepositoryError(.notAuthorized, "")) { try repo.sign(role: .root, signer: TestKeys.key("ed7"), now: Fixture.now) }
    }

    @Test func rootRotationNeedsOldAndNewThresholds() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        #expect(try repo.rotate(role: .root, add: [TestKeys.publicKey("ec1")], remove: [TestKeys.keyID("ed1")], threshold: 2, now: Fixture.now) == .root)
        // New keys ed2, ed3, ec1. ed2 + ec1 meet the new threshold but only one old key signed.
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now)
        let partial = try repo.sign(role: .root, signer: TestKeys.key("ec1"), now: Fixture.now)
        #expect(!partial.result.published)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/metadata/2.root.json"))
        let done = try repo.sign(role: .root, signer: TestKeys.key("ed3"), now: Fixture.now)
        #expect(done.result.written == ["metadata/2.root.json", "metadata/root.json"])
        // The new root verifies with the old root's keys and with its own (TUFMetadata).
        let v1 = try Metadata<Root>(bytes: Array(FileManager.default.contents(atPath: repo.path + "/metadata/1.root.json")!))
        let v2 = try Metadata<Root>(bytes: Array(FileManager.default.contents(atPath: repo.path + "/metadata/2.root.json")!))
        try RoleKeys(root: v1.signed, .root).require("root v2", signedBytes: v2.signedBytes(), signatures: v2.signatures)
        try RoleKeys(root: v2.signed, .root).require("root v2", signedBytes: v2.signedBytes(), signatures: v2.signatures)
        #expect(v2.signed.version == 2)
        #expect(v2.signed.roles[.root]!.keyIDs.contains(TestKeys.keyID("ec1")))
        #expect(v2.signed.keys[TestKeys.keyID("ed1")] == nil)
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    @Test func onlineTimestampKeyRotationResignsTheTimestamp() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        _ = try repo.rotate(role: .timestamp, add: [TestKeys.publicKey("rsa1")], remove: [TestKeys.keyID("ed8")], threshold: nil, now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed1"), now: Fixture.now)
        let signed = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now)
        // Root is ready but the timestamp must be re-signed with the new key first.
        #expect(!signed.result.published)
        #expect(signed.waiting?.contains(TestKeys.keyID("rsa1")) == true)
        try IndexBuilder.small.write(to: dir.sub("index"))
        // Without the old timestamp key, clients holding root 1 would refuse the new timestamp
        // (or, root first, clients reading root 2 the old one): the root is held back.
        let before = Fixture.files(repo.path)
        let held = #expect(throws: RepositoryError(.missingKey, "")) {
            try repo.generate(index: dir.sub("index"), signers: [TestKeys.key("ed6"), TestKeys.key("ed7"), TestKeys.key("rsa1")], now: Fixture.now)
        }
        #expect(held?.message.contains("root version 2 cannot be published") == true)
        #expect(Fixture.files(repo.path) == before)
        let r = try repo.generate(index: dir.sub("index"), signers: [TestKeys.key("ed6"), TestKeys.key("ed7"), TestKeys.key("ed8"), TestKeys.key("rsa1")],
                                  now: Fixture.now.adding(seconds: 60))
        // The timestamp, signed by the old and the new key, goes first; root 2 last.
        #expect(r.written.suffix(3) == ["metadata/timestamp.json", "metadata/2.root.json", "metadata/root.json"])
        let ts = try Metadata<Timestamp>(bytes: Array(FileManager.default.contents(atPath: repo.path + "/metadata/timestamp.json")!))
        #expect(Set(ts.signatures.map(\.keyID)) == [TestKeys.keyID("rsa1"), TestKeys.keyID("ed8")])
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    /// Each state between two renames of a rotation verifies for a client holding the old root
    /// and for a fresh one (the audit walks to the newest root present, as both do).
    @Test(arguments: [PublicationStep.root, .timestamp])
    func aCrashDuringARootRotationLeavesAVerifiableRepository(step: PublicationStep) throws {
        let dir = TempDir()
        var repo = try Fixture.repository(in: dir)
        _ = try repo.rotate(role: .timestamp, add: [TestKeys.publicKey("rsa1")], remove: [TestKeys.keyID("ed8")], threshold: nil, now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed1"), now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let signers = ["ed6", "ed7", "ed8", "rsa1"].map(TestKeys.key)
        repo.store.failBefore = step
        #expect(throws: RepositoryError(.injectedFailure, "")) { try repo.generate(index: dir.sub("index"), signers: signers, now: Fixture.now) }
        #expect(try repo.audit(now: Fixture.now) == [])
        repo.store.failBefore = nil
        _ = try repo.generate(index: dir.sub("index"), signers: signers, now: Fixture.now)
        #expect(FileManager.default.fileExists(atPath: repo.path + "/metadata/2.root.json"))
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    /// Two signers holding one key are one signature: a 2-of-2 timestamp is not published
    /// with a single signature (every client would refuse it).
    @Test func oneKeyGivenTwiceDoesNotMeetATwoKeyThreshold() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        _ = try repo.rotate(role: .timestamp, add: [TestKeys.publicKey("rsa1")], remove: [], threshold: 2, now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed1"), now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let before = Fixture.files(repo.path)
        let twice = ["ed6", "ed7", "ed8", "ed8"].map(TestKeys.key)
        let refused = #expect(throws: RepositoryError(.missingKey, "")) { try repo.generate(index: dir.sub("index"), signers: twice, now: Fixture.now) }
        #expect(refused?.message.contains("provide 1 distinct") == true)
        #expect(Fixture.files(repo.path) == before)
        #expect(try repo.audit(now: Fixture.now) == [])
        // With both keys the rotation publishes, the timestamp carrying both signatures.
        _ = try repo.generate(index: dir.sub("index"), signers: ["ed6", "ed7", "ed8", "rsa1"].map(TestKeys.key), now: Fixture.now)
        #expect(FileManager.default.fileExists(atPath: repo.path + "/metadata/2.root.json"))
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    @Test func binNKeyRotationResignsEveryBin() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        #expect(try repo.rotate(role: .binN, add: [TestKeys.publicKey("ec1")], remove: [TestKeys.keyID("ed6")], threshold: nil, now: Fixture.now) == .bins)
        let staged = try repo.sign(role: .bins, signer: TestKeys.key("ed5"), now: Fixture.now)
        #expect(!staged.result.published)
        // The old online key can no longer sign the bins.
        try IndexBuilder.small.write(to: dir.sub("index"))
        #expect(throws: RepositoryError(.missingKey, "")) { try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now) }
        let r = try repo.generate(index: dir.sub("index"), signers: [TestKeys.key("ec1"), TestKeys.key("ed7"), TestKeys.key("ed8")], now: Fixture.now)
        #expect(r.binsSigned == 16)
        #expect(r.written.contains("metadata/2.bins.json"))
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    @Test func targetsKeyRotationWaitsForTheNewKeyAndCronKeepsWorking() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try repo.rotate(role: .targets, add: [TestKeys.publicKey("ec1")], remove: [TestKeys.keyID("ed4")], threshold: nil, now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed1"), now: Fixture.now)
        let rootDone = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now)
        // Root is complete, but publishing it before targets is signed by ec1 would break clients.
        #expect(!rootDone.result.published)
        #expect(throws: RepositoryError(.notAuthorized, "")) { try repo.sign(role: .targets, signer: TestKeys.key("ed5"), now: Fixture.now) }
        // Meanwhile cron publishes index changes under the old chain.
        let r1 = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(r1.published && !r1.written.contains("metadata/2.root.json"))
        #expect(try repo.audit(now: Fixture.now) == [])
        _ = try repo.sign(role: .targets, signer: TestKeys.key("ec1"), now: Fixture.now)
        index.projects["zeta"] = [.init(name: "zeta-1.0.tar.gz", content: "zeta")]
        try index.write(to: dir.sub("index"))
        // Signed by the new key only, targets 2 would be refused by clients still on root 1 (and
        // targets 1 by clients on root 2): root 2 waits, cron goes on.
        let r2 = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(r2.published && !r2.written.contains("metadata/2.root.json") && r2.heldRoot != nil)
        #expect(try repo.audit(now: Fixture.now) == [])
        // The old targets key countersigns the staged targets; then both publish.
        _ = try repo.sign(role: .targets, signer: TestKeys.key("ed4"), now: Fixture.now)
        index.projects["eta"] = [.init(name: "eta-1.0.tar.gz", content: "eta")]
        try index.write(to: dir.sub("index"))
        let r3 = try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
        #expect(r3.written.contains("metadata/2.root.json") && r3.written.contains("metadata/2.targets.json"))
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    @Test func signFileSignsACopiedStagedFile() throws {
        let dir = TempDir()
        let (repo, _) = try Repository.initialize(at: dir.sub("repo"), options: Fixture.options(),
                                                  signers: [TestKeys.key("ed1"), TestKeys.key("ed4"), TestKeys.key("ed5")] + Fixture.online,
                                                  now: Fixture.now, durability: .none)
        let copy = dir.sub("usb-root.json")
        try FileManager.default.copyItem(atPath: repo.path + "/staged/root.json", toPath: copy)
        #expect(try Repository.signFile(copy, signer: TestKeys.key("ed3")) == "root")
        try FileManager.default.removeItem(atPath: repo.path + "/staged/root.json")
        try FileManager.default.copyItem(atPath: copy, toPath: repo.path + "/staged/root.json")
        // Any later run publishes it; the online keys re-sign nothing else.
        let r = try repo.generate(index: { try! IndexBuilder.small.write(to: dir.sub("index")); return dir.sub("index") }(),
                                  signers: Fixture.online, now: Fixture.now)
        #expect(r.written.contains("metadata/1.root.json"))
        #expect(try repo.audit(now: Fixture.now) == [])
    }
}
