import Foundation
import Testing
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// The updater against the simulated repository: refresh, attacks, saving, downloads.
/// Names follow python-tuf's test_updater_top_level_update.py where it has the test.
@Suite struct UpdaterTests {
    @Test func testFirstTimeRefresh() async throws {
        let h = ClientHarness()
        h.sim.root.version = 2; h.sim.publishRoot()
        try await h.refresh()
        #expect(h.dir.files("metadata") == ["root.json", "snapshot.json", "targets.json", "timestamp.json"])
        #expect(h.savedVersion("root") == 2)
        #expect(h.sim.fetchTracker == [
            "\(RepositorySimulator.metadataURL)2.root.json", "\(RepositorySimulator.metadataURL)3.root.json",
            "\(RepositorySimulator.metadataURL)timestamp.json", "\(RepositorySimulator.metadataURL)1.snapshot.json",
            "\(RepositorySimulator.metadataURL)1.targets.json",
        ])
    }

    @Test func testSavedBytesAreExactlyTheServedBytes() async throws {
        let h = ClientHarness()
        try await h.refresh()
        let saved = try #require(FileManager.default.contents(atPath: "\(h.metadataDir)/timestamp.json"))
        #expect([UInt8](saved) == h.sim.signedBytes("timestamp"))
    }

    @Test func testNoInitialRootIsNotFound() throws {
        let h = ClientHarness()
        try FileManager.default.removeItem(atPath: "\(h.metadataDir)/root.json")
        expectError(.notFound) { try h.updater() }
    }

    @Test func testCachedSnapshotAndTargetsAreReused() async throws {
        let h = ClientHarness()
        try await h.refresh()
        h.sim.clearFetchTracker()
        try await h.refresh()
        // Nothing changed: only the root probe and the timestamp are fetched.
        #expect(h.sim.fetchTracker == ["\(RepositorySimulator.metadataURL)2.root.json", "\(RepositorySimulator.metadataURL)timestamp.json"])
    }

    // MARK: root rotation

    @Test func testRootRotationNotSignedByPreviousKeysFails() async throws {
        let h = ClientHarness()
        // Each new root is signed by its new key only, never by the previous root's key.
        for v in 2...5 {
            h.sim.rotateKeys("root")
            h.sim.root.version = Int64(v)
            h.sim.publishRoot()
        }
        await expectError(.thresholdNotMet) { try await h.refresh() }
        #expect(h.savedVersion("root") == 1)
    }

    @Test func testRootRotationChainSignedByOldAndNewKeys() async throws {
        let h = ClientHarness()
        for v in 2...5 {
            let old = h.sim.signers["root"]!
            h.sim.rotateKeys("root")
            h.sim.signers["root"]!.merge(old) { a, _ in a }
            h.sim.root.version = Int64(v)
            h.sim.publishRoot()
            h.sim.signers["root"]!.removeValue(forKey: old.keys.first!)
        }
        let u = try await h.refresh()
        #expect(u.trusted.root.signed.version == 5)
        #expect(h.savedVersion("root") == 5)
    }

    @Test func testBadIntermediateRootStopsTheChain() async throws {
        let h = ClientHarness()
        h.sim.root.version = 2; h.sim.publishRoot()
        h.sim.root.version = 3; h.sim.publishRoot()
        // Cut in half: the top-level object never closes, so only the parse can refuse it
        // (a flipped byte could land in a signature, a keyid or a value: other codes).
        h.sim.tamper["3.root.json"] = { Array($0.prefix($0.count / 2)) }
        h.sim.root.version = 4; h.sim.publishRoot()
        await expectError(.malformed) { try await h.refresh() }
        // Root v2 verified and was saved before v3 failed.
        #expect(h.savedVersion("root") == 2)
    }

    @Test func testMaxRootRotations() async throws {
        var h = ClientHarness()
        h.config.maxRootRotations = 2
        for v in 2...6 { h.sim.root.version = Int64(v); h.sim.publishRoot() }
        let u = try await h.refresh()
        #expect(u.trusted.root.signed.version == 3)
    }

    @Test(arguments: [ClientError.Code.fetchFailed, .downloadTooLarge])
    func testRootFetchFailureOtherThanNotFoundStopsTheRefresh(code: ClientError.Code) async throws {
        // Only "not found" ends the root loop (5.3.3); a server error on N+1 could hide a
        // rotation, so the refresh must stop instead of going on with root N.
        let h = ClientHarness()
        h.sim.root.version = 2; h.sim.publishRoot()
        h.sim.root.version = 3; h.sim.publishRoot()
        h.sim.failures["3.root.json"] = ClientError(code, "HTTP 500")
        await expectError(code) { try await h.refresh() }
        #expect(h.sim.fetchTracker == ["\(RepositorySimulator.metadataURL)2.root.json", "\(RepositorySimulator.metadataURL)3.root.json"])
        #expect(h.savedVersion("root") == 2)
        #expect(h.dir.files("metadata") == ["root.json"])
    }

    @Test func testExpiredFinalRootIsFreeze() async throws {
        let h = ClientHarness()
        h.sim.root.expires = past; h.sim.root.version = 2; h.sim.publishRoot()
        await expectError(.expired) { try await h.refresh() }
    }

    // MARK: rollback and freeze

    @Test func testNewTimestampVersionRollback() async throws {
        let h = ClientHarness()
        h.sim.timestamp.version = 2
        try await h.refresh()
        h.sim.timestamp.version = 1
        await expectError(.rollback) { try await h.refresh() }
    }

    @Test func testNewTimestampSnapshotRollback() async throws {
        let h = ClientHarness()
        h.sim.snapshot.version = 2; h.sim.updateTimestamp()
        try await h.refresh()
        h.sim.snapshot.version = 1; h.sim.updateTimestamp()
        await expectError(.rollback) { try await h.refresh() }
    }

    @Test func testNewSnapshotVersionMismatch() async throws {
        // Mix-and-match: the timestamp lists snapshot v2 but v1 is served under that name.
        let h = ClientHarness()
        let old = h.sim.signedBytes("snapshot")!
        h.sim.snapshot.version = 2; h.sim.updateTimestamp()
        h.sim.tamper["2.snapshot.json"] = { _ in old }
        await expectError(.versionMismatch) { try await h.refresh() }
    }

    @Test func testNewTargetsVersionRollback() async throws {
        let h = ClientHarness()
        h.sim.targets.version = 2; h.sim.updateSnapshot()
        try await h.refresh()
        h.sim.targets.version = 1; h.sim.updateSnapshot()
        await expectError(.rollback) { try await h.refresh() }
    }

    /// A client that trusts version 2 of the succinct bin holding `file.txt`.
    static func clientTrustingBinV2() async throws -> (ClientHarness, String) {
        let h = ClientHarness()
        h.sim.addSuccinctRoles("targets", bitLength: 2, namePrefix: "bin")
        let bin = SuccinctRoles(keyIDs: [], threshold: 1, bitLength: 2, namePrefix: "bin").roleName(for: "file.txt")
        h.sim.delegates[bin]!.version = 2
        h.sim.addTarget(bin, Array("v2".utf8), "file.txt")
        h.sim.updateSnapshot()
        _ = try await h.refresh().targetInfo("file.txt")
        return (h, bin)
    }

    @Test func testBinRollback() async throws {
        // A replay: bin v2 (validly signed, once current) served under the snapshot that
        // lists v3, to a client that trusted v2. 5.6.4: refused, and v2 stays trusted.
        let (h, bin) = try await Self.clientTrustingBinV2()
        let old = try #require(h.sim.signedBytes(bin))
        h.sim.delegates[bin]!.version = 3
        h.sim.addTarget(bin, Array("v3".utf8), "file.txt")
        h.sim.updateSnapshot()
        h.sim.tamper["3.\(bin).json"] = { _ in old }
        await expectError(.rollback) { try await h.refresh().targetInfo("file.txt") }
        #expect(h.sim.fetchTracker.last == "\(RepositorySimulator.metadataURL)3.\(bin).json")
        #expect(h.savedVersion(bin) == 2)
        // Served honestly again, v3 is taken.
        h.sim.tamper["3.\(bin).json"] = nil
        #expect(try await h.refresh().targetInfo("file.txt").targetFile.hashes == TargetFile(describing: Array("v3".utf8)).hashes)
        #expect(h.savedVersion(bin) == 3)
    }

    @Test func testSnapshotListingAnOlderBinIsRollback() async throws {
        // 5.5.5: a new snapshot may not list a bin at a lower version than the trusted snapshot.
        let (h, bin) = try await Self.clientTrustingBinV2()
        h.sim.delegates[bin]!.version = 1
        h.sim.updateSnapshot()
        await expectError(.rollback) { try await h.refresh() }
    }

    @Test(arguments: ["timestamp", "snapshot", "targets", "role1"])
    func testExpiredMetadataIsFreeze(role: String) async throws {
        let h = ClientHarness()
        h.sim.addDelegation("targets", DelegatedRole(name: "role1", keyIDs: [], threshold: 1, paths: ["*"]))
        h.sim.addTarget("role1", [1, 2, 3], "file")
        switch role {
        case "timestamp": h.sim.timestamp.expires = past
        case "snapshot": h.sim.snapshot.expires = past
        case "targets": h.sim.targets.expires = past
        default: h.sim.delegates[role]!.expires = past
        }
        h.sim.updateSnapshot()
        await expectError(.expired) { try await h.refresh().targetInfo("file") }
    }

    @Test func testSavedExpiredTimestampIsFreezeWhenServerReplaysIt() async throws {
        var h = ClientHarness()
        try await h.refresh()
        // Later, the server keeps serving the same (now expired) timestamp.
        h.referenceTime = MetadataFactory.farFuture.adding(seconds: 1)
        await expectError(.expired) { try await h.refresh() }
    }

    // MARK: fast-forward recovery

    @Test func testNewTimestampFastForwardRecovery() async throws {
        let h = ClientHarness()
        h.sim.timestamp.version = 99999
        try await h.refresh()
        h.sim.rotateKeys("timestamp")
        h.sim.root.version = 2; h.sim.publishRoot()
        h.sim.timestamp.version = 1
        let u = try await h.refresh()
        #expect(u.trusted.timestamp?.signed.version == 1)
        #expect(h.savedVersion("timestamp") == 1)
    }

    @Test func testNewSnapshotFastForwardRecovery() async throws {
        let h = ClientHarness()
        h.sim.snapshot.version = 99999; h.sim.updateTimestamp()
        try await h.refresh()
        h.sim.rotateKeys("snapshot"); h.sim.rotateKeys("timestamp")
        h.sim.root.version = 2; h.sim.publishRoot()
        h.sim.snapshot.version = 1; h.sim.updateTimestamp()
        let u = try await h.refresh()
        #expect(u.trusted.snapshot?.signed.version == 1)
    }

    @Test func testWithoutKeyRotationAHighTimestampStaysTheBaseline() async throws {
        let h = ClientHarness()
        h.sim.timestamp.version = 99999
        try await h.refresh()
        h.sim.timestamp.version = 1
        await expectError(.rollback) { try await h.refresh() }
    }

    // MARK: endless data

    @Test func testTimestampLargerThanLimitIsEndlessData() async throws {
        let h = ClientHarness()
        h.sim.tamper["timestamp.json"] = { $0 + [UInt8](repeating: 0x20, count: 20_000) }
        await expectError(.downloadTooLarge) { try await h.refresh() }
        #expect(!FileManager.default.fileExists(atPath: "\(h.metadataDir)/timestamp.json"))
    }

    @Test func testSnapshotLongerThanTimestampLengthIsEndlessData() async throws {
        let h = ClientHarness()
        h.sim.computeMetafileHashesAndLength = true
        h.sim.updateSnapshot()
        h.sim.tamper["2.snapshot.json"] = { $0 + [0x20] }
        await expectError(.downloadTooLarge) { try await h.refresh() }
    }

    // MARK: role names

    /// Delegated role names with URL and path syntax in them (tuf-conformance's
    /// `test_unusual_role_name` among them): (name, its name in the URL, its saved file name).
    static let unusualRoleNames: [(String, String, String)] = [
        ("?", "%3F", "%3F"), ("#", "%23", "%23"), ("/delegatedrole", "%2Fdelegatedrole", "%2Fdelegatedrole"),
        ("../delegatedrole", "..%2Fdelegatedrole", "..%2Fdelegatedrole"), ("a/b", "a%2Fb", "a%2Fb"), ("..", "..", ".."),
        ("../../escape", "..%2F..%2Fescape", "..%2F..%2Fescape"), ("?x", "%3Fx", "%3Fx"), ("#y", "%23y", "%23y"),
        ("%2e%2e", "%252e%252e", "%252e%252e"), ("role with space", "role%20with%20space", "role%20with%20space"),
        ("Bins", "Bins", "%42ins"), ("caf\u{E9}", "caf%C3%A9", "caf%C3%A9"),
    ]

    @Test(arguments: unusualRoleNames)
    func testUnusualRoleNamesAreFetchedEncodedAndSavedInMetadataDir(name: String, url: String, file: String) async throws {
        let h = ClientHarness()
        h.sim.addDelegation("targets", DelegatedRole(name: name, keyIDs: [], threshold: 1, paths: ["*"]))
        h.sim.addTarget(name, [7], "file")
        h.sim.updateSnapshot()
        let found = try await h.refresh().targetInfo("file")
        #expect(found.role == name)
        // 5.6.1 (consistent snapshots): VERSION.ROLE.json, the role name percent-encoded.
        #expect(h.sim.fetchTracker.contains("\(RepositorySimulator.metadataURL)1.\(url).json"), "\(h.sim.fetchTracker)")
        // One file per role, every one directly in the metadata folder (the conformance
        // suite's measure of what the client trusts), nothing anywhere else.
        #expect(h.dir.files("metadata") == ["root.json", "snapshot.json", "targets.json", "timestamp.json", "\(file).json"].sorted())
        #expect(h.dir.files() == h.dir.files("metadata").map { "metadata/\($0)" })
        #expect(h.savedVersion(name) == 1)
        // The saved copy is what the next run reads: no second download of the role.
        h.sim.clearFetchTracker()
        _ = try await h.refresh().targetInfo("file")
        #expect(!h.sim.fetchTracker.contains { $0.hasSuffix(".\(url).json") }, "\(h.sim.fetchTracker)")
    }
}
