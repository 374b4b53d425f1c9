import Testing
@_spi(Publication) import TUFClient
import TUFMetadata
import TUFTestSupport

/// The two options the repository's self-check uses: no expiry checks, and metadata offered
/// already parsed with its own (remembered) signature check. Every other rule still applies.
@Suite struct TrustedMetadataSetPublicationTests {
    let sim = RepositorySimulator()

    /// Root 2, timestamp, snapshot and targets all expired at the reference time.
    func expiredRepository() {
        sim.root.expires = past
        sim.root.version = 2
        sim.publishRoot()
        sim.targets.expires = past
        sim.snapshot.expires = past
        sim.updateSnapshot()
        sim.timestamp.expires = past
        sim.updateTimestamp()
    }

    func walk(_ set: inout TrustedMetadataSet) throws {
        try set.updateRoot(sim.signedRoots[1])
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        try set.updateSnapshot(sim.signedBytes("snapshot")!)
        try set.updateTargets(sim.signedBytes("targets")!)
    }

    @Test func withoutExpiryChecksAnExpiredChainVerifies() throws {
        expiredRepository()
        var unchecked = try TrustedMetadataSet(rootBytes: sim.signedRoots[0], referenceTime: MetadataFactory.now, checkExpiry: false)
        try walk(&unchecked)
        #expect(unchecked.targets != nil)
        // The default, what every client uses, still refuses it (5.3.10).
        var checked = try TrustedMetadataSet(rootBytes: sim.signedRoots[0], referenceTime: MetadataFactory.now)
        expectError(.expired) { try walk(&checked) }
    }

    @Test func withoutExpiryChecksABadSignatureIsStillRefused() throws {
        expiredRepository()
        sim.signers["snapshot"] = [TestKeys.keyID("ed5"): TestKeys.key("ed5")]
        sim.updateSnapshot()
        sim.updateTimestamp()
        var set = try TrustedMetadataSet(rootBytes: sim.signedRoots[0], referenceTime: MetadataFactory.now, checkExpiry: false)
        try set.updateRoot(sim.signedRoots[1])
        try set.updateTimestamp(sim.signedBytes("timestamp")!)
        expectError(.thresholdNotMet) { try set.updateSnapshot(sim.signedBytes("snapshot")!) }
    }

    /// A candidate's own signature check is the one the set applies (so a caller that
    /// remembers it checks a multi-megabyte role once), and the other rules still run on it.
    @Test func aParsedCandidateIsCheckedWithItsOwnVerification() throws {
        var set = try TrustedMetadataSet(rootBytes: sim.signedRoots[0], referenceTime: MetadataFactory.now)
        let bytes = sim.signedBytes("timestamp")!
        let md = try Metadata<Timestamp>(bytes: bytes)
        var asked = 0
        let refusing = TrustedMetadataSet.Candidate(bytes: bytes, metadata: md, signedBytes: md.signedBytes()) { keys in
            asked += 1
            return keys.verifies(signedBytes: [], signatures: md.signatures)
        }
        expectError(.thresholdNotMet) { try set.updateTimestamp(refusing) }
        #expect(asked == 1)
        let honest = TrustedMetadataSet.Candidate(bytes: bytes, metadata: md, signedBytes: md.signedBytes()) { keys in
            keys.verifies(signedBytes: md.signedBytes(), signatures: md.signatures)
        }
        #expect(try set.updateTimestamp(honest) == .updated)
        // The snapshot's bytes are still checked against the length and hashes the timestamp lists.
        sim.computeMetafileHashesAndLength = true
        sim.updateTimestamp()
        var hashed = try TrustedMetadataSet(rootBytes: sim.signedRoots[0], referenceTime: MetadataFactory.now)
        try hashed.updateTimestamp(sim.signedBytes("timestamp")!)
        let snapshot = try Metadata<Snapshot>(bytes: sim.signedBytes("snapshot")!)
        let altered = TrustedMetadataSet.Candidate(bytes: sim.signedBytes("snapshot")! + [0x20], metadata: snapshot,
                                                   signedBytes: snapshot.signedBytes()) { keys in
            Issue.record("the signatures were checked before the length")
            return keys.verifies(signedBytes: [], signatures: [])
        }
        expectError(.lengthMismatch) { try hashed.updateSnapshot(altered) }
    }
}
