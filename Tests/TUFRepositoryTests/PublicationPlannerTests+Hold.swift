import Foundation
import Testing
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// A signer that counts the signatures it makes: what a publication signed, and how often.
final class CountingSigner: Signer, @unchecked Sendable {
    private let key: PrivateKey
    private let lock = NSLock()
    private var made = 0
    var count: Int { lock.withLock { made } }
    init(_ name: String) { key = TestKeys.key(name) }
    var publicKey: PublicKey { key.publicKey }
    func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        lock.withLock { made += 1 }
        return try key.sign(message)
    }
}

/// Holding a staged root back is decided by the planner from the signatures it foresees,
/// before any key is used; the publication is then signed once.
extension PublicationPlannerTests {
    /// Root 2 moves targets from ed4 to ec1 and the staged targets is signed by ec1 only:
    /// targets 2 would be refused by clients on root 1, targets 1 by clients on root 2.
    func targetsRotation(_ repo: Repository) throws {
        _ = try repo.rotate(role: .targets, add: [TestKeys.publicKey("ec1")], remove: [TestKeys.keyID("ed4")], threshold: nil, now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed1"), now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now)
        _ = try repo.sign(role: .targets, signer: TestKeys.key("ec1"), now: Fixture.now)
    }

    /// Root 2 moves timestamp from ed8 to rsa1 (signed by ed1 and ed2, so complete).
    func timestampRotation(_ repo: Repository) throws {
        _ = try repo.rotate(role: .timestamp, add: [TestKeys.publicKey("rsa1")], remove: [TestKeys.keyID("ed8")], threshold: nil, now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed1"), now: Fixture.now)
        _ = try repo.sign(role: .root, signer: TestKeys.key("ed2"), now: Fixture.now)
    }

    @Test func aRootNoOrderCanPublishIsHeldBackByThePlannerAndTheRestGoesOutUnderTheOldRoot() throws {
        let i = try inputs(targetsRotation)
        let p = try i.planner()
        #expect(p.roles.newRoot?.signed.version == 2)
        guard case .holdRoot(let held) = try p.plan(bins: i.bins, desired: .published, contents: [:]) else {
            Issue.record("the root is not held back"); return
        }
        #expect(held.reason.contains("root version 2 cannot be published"))
        let plan = try i.planner(holding: held).publication(bins: i.bins, desired: .published, contents: [:])
        #expect(plan.roles.newRoot == nil && plan.rootPlacement == nil && plan.heldRoot == held.reason)
        #expect(!plan.stagedToRemove.contains(.root))
    }

    @Test func aHeldRootsPublicationIsSignedOnce() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        try targetsRotation(repo)
        index.projects["zeta"] = [.init(name: "zeta-1.0.tar.gz", content: "zeta")]
        try index.write(to: dir.sub("index"))
        let signers = ["ed6", "ed7", "ed8"].map(CountingSigner.init)
        let r = try repo.generate(index: dir.sub("index"), signers: signers, now: Fixture.now)
        #expect(r.heldRoot?.contains("root version 2 cannot be published") == true && !r.written.contains("metadata/2.root.json"))
        // One snapshot, one timestamp, one signature per bin: nothing signed for the plan not taken.
        #expect(r.binsSigned > 0 && signers[0].count == r.binsSigned)
        #expect(signers[1].count == 1 && signers[2].count == 1)
        #expect(try repo.audit(now: Fixture.now) == [])
    }

    /// Root 2 moves timestamp from ed8 to rsa1; with rsa1 alone the new timestamp fails clients
    /// on root 1, and the old root cannot publish either (its timestamp key is not given).
    @Test func whenEvenThePublishedRootCannotPublishNothingIsSignedAndTheMessageSaysBoth() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try timestampRotation(repo)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let signers = ["ed6", "ed7", "rsa1"].map(CountingSigner.init)
        let before = Fixture.files(repo.path)
        let refused = #expect(throws: RepositoryError(.missingKey, "")) {
            try repo.generate(index: dir.sub("index"), signers: signers, now: Fixture.now)
        }
        #expect(refused?.message.contains("root version 2 cannot be published") == true)
        #expect(refused?.message.contains("and under the published root, timestamp must be re-signed") == true)
        #expect(signers.map(\.count) == [0, 0, 0])
        #expect(Fixture.files(repo.path) == before)
    }
}

extension PublicationPlannerTests {
    /// The forecast counts key material as the verification does: one key listed under two
    /// keyids is one signature, so a 2-of-2 role is not signable with it.
    @Test func theForecastCountsOneKeyUnderTwoKeyIDsOnce() throws {
        let key = TestKeys.publicKey("ed8"), id = TestKeys.keyID("ed8")
        let keys = RoleKeys(keyIDs: [id, "alias"], threshold: 2, keys: [id: key, "alias": key])
        let forecast = SigningForecast(signerKeyIDs: [id, "alias"])
        #expect(SigningForecast.provided(keys, by: forecast.signatures(keys, also: nil)) == 1)
        let refused = #expect(throws: RepositoryError(.missingKey, "")) { try forecast.requireSignable("timestamp", keys) }
        #expect(refused?.message.contains("provide 1 distinct") == true)
    }
}
