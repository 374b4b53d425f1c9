import Testing
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

let past = Expiry(iso8601: "2025-01-01T00:00:00Z")!

/// Spec 5.3 to 5.6 rules of the pure trusted set, named after python-tuf's
/// test_trusted_metadata_set.py where it has the same test.
@Suite struct TrustedMetadataSetTests {
    let sim = RepositorySimulator()

    func trustedSet() throws -> TrustedMetadataSet {
        try TrustedMetadataSet(rootBytes: sim.signedRoots[0], referenceTime: MetadataFactory.now)
    }

    /// A set with timestamp and snapshot loaded from the simulator.
    func loadedThroughSnapshot() throws -> TrustedMetadataSet {
        var set = try trustedSet()
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
        return set
    }

    @Test func testUpdate() throws {
        sim.addDelegation("targets", DelegatedRole(name: "role1", keyIDs: [], threshold: 1, paths: ["*"]))
        sim.updateSnapshot()
        var set = try trustedSet()
        #expect(try set.updateTimestamp(sim.signedBytes("timestamp")!) == .updated)
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
        try set.updateTargets(sim.signedBytes("targets")!)
        try set.updateDelegatedTargets(sim.signedBytes("role1")!, role: "role1", delegator: "targets")
        #expect(set.targets?.signed.version == 1)
        #expect(set.targets("role1") != nil)
        #expect(set.snapshot?.signed.version == 2)
    }

    /// For a long-running client: which trusted role has expired by a later time (the first of
    /// root, timestamp, snapshot, then targets roles by name), whatever the set's reference time.
    @Test(arguments: [("root", "root v2"), ("timestamp", "timestamp v2"), ("snapshot", "snapshot v2"), ("targets", "targets v1"),
                      ("role2", "role2 v1"), ("none", nil)] as [(String, String?)])
    func testFirstExpiredAtALaterTime(role: String, expected: String?) throws {
        let soon = MetadataFactory.now.adding(seconds: 3_600)
        for name in ["role1", "role2"] { sim.addDelegation("targets", DelegatedRole(name: name, keyIDs: [], threshold: 1, paths: ["*"])) }
        switch role {
        case "root": sim.root.expires = soon; sim.root.version = 2; sim.publishRoot()
        case "timestamp": sim.timestamp.expires = soon
        case "snapshot": sim.snapshot.expires = soon
        case "targets": sim.targets.expires = soon
        case "none": break
        default: sim.delegates[role]!.expires = soon
        }
        sim.updateSnapshot()
        var set = try trustedSet()
        if role == "root" { try set.updateRoot(sim.signedRoots[1]) }
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
        try set.updateTargets(sim.signedBytes("targets")!)
        for name in ["role2", "role1"] { try set.updateDelegatedTargets(sim.signedBytes(name)!, role: name, delegator: "targets") }
        #expect(set.firstExpired(at: MetadataFactory.now) == nil)
        #expect(set.firstExpired(at: soon) == expected)
    }

    @Test func testOutOfOrderOps() throws {
        var set = try trustedSet()
        expectError(.wrongOrder) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
        expectError(.wrongOrder) { try set.updateTargets(sim.signedBytes("targets")!) }
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        expectError(.wrongOrder) { try set.updateRoot(sim.signedRoots[0]) }
        expectError(.wrongOrder) { try set.updateTargets(sim.signedBytes("targets")!) }
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
        expectError(.wrongOrder) { try set.updateDelegatedTargets(sim.signedBytes("targets")!, role: "role1", delegator: "nobody") }
        try set.updateTargets(sim.signedBytes("targets")!)
        expectError(.wrongOrder) { try set.updateTimestamp(sim.signedBytes("timestamp")!) }
        expectError(.wrongOrder) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
    }

    @Test(arguments: ["", "{}", "[1]", "{\"signed\": {}, \"signatures\": []}", "not json"])
    func testRootWithInvalidJSON(text: String) {
        expectError(.malformed) { try TrustedMetadataSet(rootBytes: Array(text.utf8), referenceTime: MetadataFactory.now) }
    }

    @Test func testTopLevelMetadataWithWrongType() throws {
        var set = try trustedSet()
        expectError(.malformed) { try set.updateTimestamp(sim.signedBytes("snapshot")!) }
        expectError(.malformed) { try set.updateRoot(sim.signedBytes("timestamp")!) }
    }

    @Test func testTrustedRootMustBeSelfSigned() {
        sim.signers["root"] = [:]
        sim.publishRoot()
        expectError(.thresholdNotMet) { try TrustedMetadataSet(rootBytes: sim.signedRoots[1], referenceTime: MetadataFactory.now) }
    }

    // MARK: 5.3 root

    @Test func testUpdateRootNewRoot() throws {
        var set = try trustedSet()
        sim.root.version = 2
        sim.publishRoot()
        try set.updateRoot(sim.signedRoots[1])
        #expect(set.root.signed.version == 2)
    }

    @Test func testRootRotationRequiresOldThreshold() throws {
        var set = try trustedSet()
        // Root v2 is signed only by a new root key: its own threshold is met, the old one is not.
        sim.rotateKeys("root")
        sim.root.version = 2
        sim.publishRoot()
        expectError(.thresholdNotMet) { try set.updateRoot(sim.signedRoots[1]) }
    }

    @Test func testRootRotationRequiresNewThreshold() throws {
        var set = try trustedSet()
        // Root v2 raises its threshold to 2 but only one key signs.
        sim.addSigner("root", TestKeys.key("ed5"))
        sim.root.roles[.root]!.threshold = 2
        sim.signers["root"]![TestKeys.keyID("ed5")] = nil
        sim.root.version = 2
        sim.publishRoot()
        expectError(.thresholdNotMet) { try set.updateRoot(sim.signedRoots[1]) }
    }

    @Test func testRootRotationChainWithThresholdChangesAndRemovedKeys() throws {
        var set = try trustedSet()
        // v2: two root keys, threshold 2, signed by old key ed1 and new ed5.
        sim.addSigner("root", TestKeys.key("ed5"))
        sim.root.roles[.root]!.threshold = 2
        sim.root.version = 2
        sim.publishRoot()
        // v3: ed1 removed, ed6 added, threshold 2: needs ed1+ed5 (old) and ed5+ed6 (new).
        sim.root.roles[.root]!.keyIDs.removeAll { $0 == TestKeys.keyID("ed1") }
        sim.addSigner("root", TestKeys.key("ed6"))
        sim.root.version = 3
        sim.publishRoot()
        // v4: signed by ed5 and ed6 only, threshold back to 1 with key ed6.
        sim.signers["root"]![TestKeys.keyID("ed1")] = nil
        sim.root.roles[.root]!.keyIDs = [TestKeys.keyID("ed6")]
        sim.root.roles[.root]!.threshold = 1
        sim.root.version = 4
        sim.publishRoot()
        for i in 1...3 { try set.updateRoot(sim.signedRoots[i]) }
        #expect(set.root.signed.version == 4)
    }

    @Test func testUpdateRootNewRootVersionSameAsTrustedRootVersion() throws {
        var set = try trustedSet()
        expectError(.rollback) { try set.updateRoot(sim.signedRoots[0]) }
    }

    @Test func testUpdateRootSkippingVersion() throws {
        var set = try trustedSet()
        sim.root.version = 3
        sim.publishRoot()
        expectError(.versionMismatch) { try set.updateRoot(sim.signedRoots[1]) }
    }

    @Test func testRootExpiredFinalRoot() throws {
        sim.root.expires = past
        sim.publishRoot()
        // An expired root is still loaded (it may be updated), but not used as final.
        var set = try TrustedMetadataSet(rootBytes: sim.signedRoots[1], referenceTime: MetadataFactory.now)
        expectError(.expired) { try set.updateTimestamp(sim.signedBytes("timestamp")!) }
    }

    @Test func testIntermediateRootMayBeExpired() throws {
        var set = try trustedSet()
        sim.root.version = 2; sim.root.expires = past; sim.publishRoot()
        sim.root.version = 3; sim.root.expires = MetadataFactory.farFuture; sim.publishRoot()
        try set.updateRoot(sim.signedRoots[1])
        try set.updateRoot(sim.signedRoots[2])
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
    }

    @Test func testDuplicateKeyUnderTwoKeyIDsCountsOnce() throws {
        // Root v2 lists ed1 under its keyid and a forged one, threshold 2, and carries two
        // signatures by ed1: one distinct key must not meet a threshold of 2.
        var root = sim.root
        root.version = 2
        let forged = String(repeating: "ab", count: 32)
        root.keys[forged] = TestKeys.publicKey("ed1")
        root.roles[.root] = Role(keyIDs: [TestKeys.keyID("ed1"), forged], threshold: 2)
        var md = Metadata(signed: root)
        let real = try md.sign(with: TestKeys.key("ed1"))
        md.signatures.append(Signature(keyID: forged, signature: Hex.decode(real.signature)!))
        var set = try trustedSet()
        expectError(.thresholdNotMet) { try set.updateRoot(md.encoded()) }
    }

    @Test(arguments: ["hex case", "compressed point", "deprecated keytype"])
    func testOneKeySpelledTwiceCountsOnce(_ spelling: String) throws {
        // A 2-of-2 root over two spellings of one key, signed by it under both keyids: one
        // distinct key must not meet a threshold of 2, as the initial root or as an update.
        let ec = TestKeys.publicKey("ec1")
        let bytes = switch spelling {
        case "hex case": KeySpellings.rootSignedTwiceByOneKey("ed1")
        case "compressed point":
            KeySpellings.rootSignedTwiceByOneKey("ec1", first: ec, second: KeySpellings.key(
                keytype: ec.keytype, scheme: ec.scheme, publicValue: KeySpellings.compressedP256()))
        default:
            KeySpellings.rootSignedTwiceByOneKey("ec1", first: ec, second: KeySpellings.key(
                keytype: "ecdsa-sha2-nistp256", scheme: ec.scheme, publicValue: ec.publicKey.publicValue))
        }
        expectError(.thresholdNotMet) { try TrustedMetadataSet(rootBytes: bytes, referenceTime: MetadataFactory.now) }
    }

    @Test func testRootUpdateWithOneKeySpelledTwiceCountsOnce() throws {
        // The trusted root 1 is ed1 alone; root 2 lists ed1 in both hex cases, threshold 2.
        let v1 = MetadataFactory.bytes(MetadataFactory.root(), by: ["ed1"])
        var set = try TrustedMetadataSet(rootBytes: v1, referenceTime: MetadataFactory.now)
        expectError(.thresholdNotMet) { try set.updateRoot(KeySpellings.rootSignedTwiceByOneKey("ed1", version: 2)) }
    }

    @Test func testDuplicateSignaturesAreRejected() throws {
        var md = Metadata(signed: sim.root)
        md.signed.version = 2
        let s = try md.sign(with: TestKeys.key("ed1"))
        md.signatures.append(s)
        var set = try trustedSet()
        expectError(.malformed) { try set.updateRoot(md.encoded()) }
    }

    @Test func testFastForwardRecoveryIsRequiredWhenTimestampKeysRotate() throws {
        var set = try trustedSet()
        #expect(!set.requiresFastForwardRecovery)
        sim.rotateKeys("timestamp")
        sim.root.version = 2
        sim.publishRoot()
        try set.updateRoot(sim.signedRoots[1])
        #expect(set.requiresFastForwardRecovery)
    }

    // MARK: 5.4 timestamp

    @Test func testUpdateTimestampNewTimestampVersionBelowTrustedVersion() throws {
        var set = try trustedSet()
        sim.timestamp.version = 3
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        sim.timestamp.version = 2
        expectError(.rollback) { try set.updateTimestamp(sim.signedBytes("timestamp")!) }
    }

    @Test func testUpdateTimestampWithSameVersion() throws {
        var set = try trustedSet()
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        // Same version, different content: the trusted one stays.
        sim.timestamp.snapshotMeta.version = 5
        #expect(try set.updateTimestamp(sim.signedBytes("timestamp")!) == .unchanged)
        #expect(set.timestamp?.signed.snapshotMeta.version == 1)
    }

    @Test func testUpdateTimestampSnapshotVersionBelowCurrent() throws {
        var set = try trustedSet()
        sim.timestamp.snapshotMeta.version = 2
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        sim.timestamp.snapshotMeta.version = 1
        sim.timestamp.version += 1
        expectError(.rollback) { try set.updateTimestamp(sim.signedBytes("timestamp")!) }
    }

    @Test func testUpdateTimestampExpired() throws {
        var set = try trustedSet()
        sim.timestamp.expires = past
        expectError(.expired) { try set.updateTimestamp(sim.signedBytes("timestamp")!) }
        // Kept as the rollback baseline, but nothing loads under it.
        #expect(set.timestamp != nil)
        expectError(.expired) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
    }

    @Test func testUpdateTimestampFailThresholdVerification() throws {
        var set = try trustedSet()
        sim.signers["timestamp"] = [TestKeys.keyID("ed5"): TestKeys.key("ed5")]
        expectError(.thresholdNotMet) { try set.updateTimestamp(sim.signedBytes("timestamp")!) }
    }

    // MARK: 5.5 snapshot

    @Test func testUpdateSnapshotLengthOrHashMismatch() throws {
        sim.computeMetafileHashesAndLength = true
        sim.updateSnapshot()
        var set = try trustedSet()
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        var bytes = sim.signedBytes("snapshot")!
        bytes.append(0x20)
        expectError(.lengthMismatch) { try set.updateSnapshot(bytes) }
        bytes.removeLast()
        bytes[bytes.count - 2] = 0x20
        expectError(.hashMismatch) { try set.updateSnapshot(bytes) }
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
    }

    @Test func testUpdateSnapshotFailThresholdVerification() throws {
        var set = try trustedSet()
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        sim.signers["snapshot"] = [:]
        expectError(.thresholdNotMet) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
    }

    @Test func testUpdateSnapshotVersionDivergeTimestampSnapshotVersion() throws {
        var set = try trustedSet()
        sim.timestamp.snapshotMeta.version = 2
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        expectError(.versionMismatch) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
    }

    @Test func testUpdateSnapshotFileRemovedFromMeta() throws {
        sim.addDelegation("targets", DelegatedRole(name: "role1", keyIDs: [], threshold: 1, paths: ["*"]))
        sim.updateSnapshot()
        var set = try trustedSet()
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        try set.updateSnapshot(sim.signedBytes("snapshot")!, trusted: true)
        sim.snapshot.meta["role1.json"] = nil
        expectError(.missingRole) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
    }

    @Test func testUpdateSnapshotMetaVersionDecreases() throws {
        var set = try trustedSet()
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        sim.snapshot.meta["targets.json"] = MetaFile(version: 2)
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
        sim.snapshot.meta["targets.json"] = MetaFile(version: 1)
        expectError(.rollback) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
    }

    @Test func testUpdateSnapshotExpiredNewSnapshot() throws {
        var set = try trustedSet()
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        sim.snapshot.expires = past
        expectError(.expired) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
        expectError(.expired) { try set.updateTargets(sim.signedBytes("targets")!) }
    }

    @Test func testUpdateSnapshotSuccessfulRollbackChecks() throws {
        // A saved snapshot that is no longer valid as final (expired, older than the timestamp)
        // is still the baseline: a new snapshot must not roll its roles back.
        var set = try trustedSet()
        sim.snapshot.meta["targets.json"] = MetaFile(version: 3)
        sim.snapshot.expires = past
        let saved = sim.signedBytes("snapshot")!
        sim.snapshot.expires = MetadataFactory.farFuture
        sim.timestamp.snapshotMeta.version = 2
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        expectError(.expired) { try set.updateSnapshot(saved, trusted: true) }
        sim.snapshot.version = 2
        sim.snapshot.meta["targets.json"] = MetaFile(version: 2)
        expectError(.rollback) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
        sim.snapshot.meta["targets.json"] = MetaFile(version: 3)
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
    }

    // MARK: 5.6 targets

    @Test func testUpdateTargetsNoMetaInSnapshot() throws {
        sim.snapshot.meta = [:]
        var set = try loadedThroughSnapshot()
        expectError(.missingRole) { try set.updateTargets(sim.signedBytes("targets")!) }
    }

    @Test func testUpdateTargetsHashDivergeFromSnapshotMetaHash() throws {
        sim.computeMetafileHashesAndLength = true
        sim.updateSnapshot()
        var set = try loadedThroughSnapshot()
        sim.targets.targets["x"] = TargetFile(describing: [1])
        expectError(.lengthMismatch) { try set.updateTargets(sim.signedBytes("targets")!) }
    }

    @Test func testUpdateTargetsVersionDivergeSnapshotMetaVersion() throws {
        sim.snapshot.meta["targets.json"] = MetaFile(version: 2)
        var set = try loadedThroughSnapshot()
        expectError(.rollback) { try set.updateTargets(sim.signedBytes("targets")!) }
        sim.targets.version = 3
        expectError(.versionMismatch) { try set.updateTargets(sim.signedBytes("targets")!) }
    }

    @Test func testUpdateTargetsExpiredNewTarget() throws {
        var set = try loadedThroughSnapshot()
        sim.targets.expires = past
        expectError(.expired) { try set.updateTargets(sim.signedBytes("targets")!) }
    }

    @Test func testUpdateTargetsFailThresholdVerification() throws {
        var set = try loadedThroughSnapshot()
        sim.signers["targets"] = [TestKeys.keyID("ed3"): TestKeys.key("ed3")]
        expectError(.thresholdNotMet) { try set.updateTargets(sim.signedBytes("targets")!) }
    }

    @Test func testUpdateDelegatedTargetsNeedsDelegatorThreshold() throws {
        sim.addDelegation("targets", DelegatedRole(name: "role1", keyIDs: [], threshold: 1, paths: ["*"]))
        sim.updateSnapshot()
        var set = try loadedThroughSnapshot()
        try set.updateTargets(sim.signedBytes("targets")!)
        let good = sim.signedBytes("role1")!
        sim.signers["role1"] = [TestKeys.keyID("ed2"): TestKeys.key("ed2")]
        expectError(.thresholdNotMet) { try set.updateDelegatedTargets(sim.signedBytes("role1")!, role: "role1", delegator: "targets") }
        expectError(.wrongOrder) { try set.updateDelegatedTargets(good, role: "role1", delegator: "role1") }
        try set.updateDelegatedTargets(good, role: "role1", delegator: "targets")
        // role1 does not delegate to itself.
        expectError(.missingRole) { try set.updateDelegatedTargets(good, role: "role1", delegator: "role1") }
    }

    @Test func testRoleReachedThroughSecondDelegatorIsVerifiedAgainstIt() throws {
        // A and B both delegate C, with different keys; C is signed only by A's key for it.
        sim.addDelegation("targets", DelegatedRole(name: "A", keyIDs: [], threshold: 1, paths: ["*"]))
        sim.addDelegation("targets", DelegatedRole(name: "B", keyIDs: [], threshold: 1, paths: ["*"]))
        sim.addDelegation("A", DelegatedRole(name: "C", keyIDs: [], threshold: 1, paths: ["*"]))
        let signersOfC = sim.signers["C"]!
        sim.addDelegation("B", DelegatedRole(name: "C", keyIDs: [], threshold: 1, paths: ["*"]))
        sim.signers["C"] = signersOfC
        sim.updateSnapshot()
        var set = try loadedThroughSnapshot()
        try set.updateTargets(sim.signedBytes("targets")!)
        try set.updateDelegatedTargets(sim.signedBytes("A")!, role: "A", delegator: "targets")
        try set.updateDelegatedTargets(sim.signedBytes("B")!, role: "B", delegator: "targets")
        try set.updateDelegatedTargets(sim.signedBytes("C")!, role: "C", delegator: "A")
        #expect(try set.trustedTargets("C", delegator: "A") != nil)
        expectError(.thresholdNotMet) { try set.trustedTargets("C", delegator: "B") }
    }
}
