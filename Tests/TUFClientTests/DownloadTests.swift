import Foundation
import Testing
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// Target downloads (5.7) and the delegation search (5.6.7) through the updater.
@Suite struct DownloadTests {
    @Test func testDownloadVerifiesAndIsCached() async throws {
        let h = ClientHarness()
        h.sim.addTarget("targets", Array("hello".utf8), "dir/file.txt")
        h.sim.updateSnapshot()
        let u = try await h.refresh()
        let first = try await u.fetchTarget("dir/file.txt")
        #expect(first.downloaded)
        #expect(FileManager.default.contents(atPath: "\(h.targetDir)/dir/file.txt") == Data("hello".utf8))
        // Consistent snapshot: fetched under the hash-prefixed name.
        let hash = Hex.encode(Hash.digest(.sha256, Array("hello".utf8)))
        #expect(h.sim.fetchTracker.last == "\(RepositorySimulator.targetsURL)dir/\(hash).file.txt")
        h.sim.clearFetchTracker()
        let second = try await u.fetchTarget("dir/file.txt")
        #expect(!second.downloaded)
        #expect(h.sim.fetchTracker.isEmpty)
    }

    @Test func testDownloadWithoutHashPrefix() async throws {
        var h = ClientHarness()
        h.config.prefixTargetsWithHash = false
        h.sim.addTarget("targets", [1, 2], "a b/c?.txt")
        h.sim.updateSnapshot()
        try await h.refresh().fetchTarget("a b/c?.txt")
        #expect(h.sim.fetchTracker.last == "\(RepositorySimulator.targetsURL)a%20b/c%3F.txt")
    }

    @Test func testTargetSwappedOnServerLeavesNoFile() async throws {
        let h = ClientHarness()
        h.sim.addTarget("targets", Array("good".utf8), "file.txt")
        h.sim.updateSnapshot()
        h.sim.tamper["targets/\(Hex.encode(Hash.digest(.sha256, Array("good".utf8)))).file.txt"] = { _ in Array("evil".utf8) }
        await expectError(.hashMismatch) { try await h.refresh().fetchTarget("file.txt") }
        #expect(h.dir.files("targets").isEmpty)
    }

    @Test func testEndlessTargetDataLeavesNoFile() async throws {
        var h = ClientHarness()
        h.config.prefixTargetsWithHash = false
        h.sim.addTarget("targets", Array("good".utf8), "file.txt")
        h.sim.updateSnapshot()
        h.sim.tamper["targets/file.txt"] = { $0 + [UInt8](repeating: 0x41, count: 1000) }
        await expectError(.downloadTooLarge) { try await h.refresh().fetchTarget("file.txt") }
        #expect(h.dir.files("targets").isEmpty)
    }

    @Test func testShortTargetIsLengthMismatch() async throws {
        var h = ClientHarness()
        h.config.prefixTargetsWithHash = false
        h.sim.addTarget("targets", Array("good".utf8), "file.txt")
        h.sim.updateSnapshot()
        h.sim.tamper["targets/file.txt"] = { Array($0.dropLast()) }
        await expectError(.lengthMismatch) { try await h.refresh().fetchTarget("file.txt") }
        #expect(h.dir.files("targets").isEmpty)
    }

    @Test func testUnknownHashAlgorithmFailsBeforeFetching() async throws {
        let h = ClientHarness()
        h.sim.targets.targets["file.txt"] = TargetFile(length: 4, hashes: ["md5": "00", "sha256": Hex.encode(Hash.digest(.sha256, Array("good".utf8)))])
        h.sim.artifacts["file.txt"] = Array("good".utf8)
        h.sim.updateSnapshot()
        let u = try await h.refresh()
        h.sim.clearFetchTracker()
        await expectError(.unknownHashAlgorithm) { try await u.fetchTarget("file.txt") }
        #expect(h.sim.fetchTracker.isEmpty)
    }

    @Test(arguments: ["/etc/passwd", "../x", "a/../../x", "a//b", "./a", ""])
    func testUnsafeTargetPathsAreRefused(path: String) async throws {
        let h = ClientHarness()
        h.sim.addTarget("targets", [1], path)
        h.sim.updateSnapshot()
        await expectError(.unsafePath) { try await h.refresh().fetchTarget(path) }
        #expect(h.dir.files().allSatisfy { $0.hasPrefix("metadata/") })
    }

    @Test func testMissingTargetIsNotFound() async throws {
        let h = ClientHarness()
        await expectError(.notFound) { try await h.refresh().targetInfo("nope") }
    }

    @Test func testMultipleHashesAllVerified() async throws {
        let h = ClientHarness()
        let data = Array("data".utf8)
        h.sim.targets.targets["f"] = TargetFile(describing: data, hashAlgorithms: [.sha256, .sha512, .blake2b256])
        h.sim.artifacts["f"] = data
        h.sim.updateSnapshot()
        try await h.refresh().fetchTarget("f")
        var bad = TargetFile(describing: data, hashAlgorithms: [.sha256, .sha512, .blake2b256])
        bad.hashes["blake2b-256"] = String(repeating: "0", count: 64)
        h.sim.targets.targets["g"] = bad
        h.sim.artifacts["g"] = data
        h.sim.targets.version += 1
        h.sim.updateSnapshot()
        await expectError(.hashMismatch) { try await h.refresh().fetchTarget("g") }
    }

    // MARK: delegation graphs

    func delegate(_ h: ClientHarness, _ from: String, _ name: String, paths: [String] = ["*"], terminating: Bool = false) {
        h.sim.addDelegation(from, DelegatedRole(name: name, keyIDs: [], threshold: 1, terminating: terminating, paths: paths))
    }

    @Test func testDelegationOrderPreOrderDepthFirst() async throws {
        let h = ClientHarness()
        delegate(h, "targets", "A")
        delegate(h, "targets", "B")
        delegate(h, "A", "A1")
        h.sim.addTarget("B", [2], "f")
        h.sim.addTarget("A1", [1], "f")
        h.sim.updateSnapshot()
        let found = try await h.refresh().targetInfo("f")
        #expect(found.role == "A1")
    }

    @Test func testTerminatingDelegationStopsSearch() async throws {
        let h = ClientHarness()
        delegate(h, "targets", "A", terminating: true)
        delegate(h, "targets", "B")
        h.sim.addTarget("B", [2], "f")
        h.sim.updateSnapshot()
        await expectError(.notFound) { try await h.refresh().targetInfo("f") }
        #expect(!h.sim.fetchTracker.contains { $0.hasSuffix(".B.json") })
    }

    @Test func testPathPatternsSelectRoles() async throws {
        let h = ClientHarness()
        delegate(h, "targets", "A", paths: ["docs/*.txt"])
        delegate(h, "targets", "B", paths: ["*"])
        h.sim.addTarget("A", [1], "docs/sub/f.txt")
        h.sim.addTarget("B", [2], "docs/sub/f.txt")
        h.sim.updateSnapshot()
        // `*` does not cross `/`: neither A nor B is trusted for docs/sub/f.txt.
        await expectError(.notFound) { try await h.refresh().targetInfo("docs/sub/f.txt") }
    }

    @Test func testDelegationCycleTerminates() async throws {
        let h = ClientHarness()
        delegate(h, "targets", "A")
        delegate(h, "A", "B")
        let keyB = h.sim.signers["B"]!
        // B delegates back to A (cycle) with A's existing key.
        let keyA = h.sim.signers["A"]!
        delegate(h, "B", "A")
        h.sim.signers["A"] = keyA
        h.sim.signers["B"] = keyB
        h.sim.modifyTargets("B") { t in
            t.delegations!.keys = [keyA.keys.first!: Key(keyA.values.first!.publicKey)]
            t.delegations!.roles![0].keyIDs = [keyA.keys.first!]
        }
        h.sim.delegates["A"] = Targets(common: SignedCommon(version: 1, expires: MetadataFactory.farFuture),
                                       delegations: h.sim.delegates["A"]!.delegations)
        h.sim.updateSnapshot()
        await expectError(.notFound) { try await h.refresh().targetInfo("f") }
    }

    @Test func testMaxDelegationsCap() async throws {
        var h = ClientHarness()
        h.config.maxDelegations = 3
        delegate(h, "targets", "r1")
        delegate(h, "r1", "r2")
        delegate(h, "r2", "r3")
        delegate(h, "r3", "r4")
        h.sim.addTarget("r4", [1], "f")
        h.sim.updateSnapshot()
        await expectError(.notFound) { try await h.refresh().targetInfo("f") }
        var h2 = h
        h2.config.maxDelegations = 5
        #expect(try await h2.refresh().targetInfo("f").role == "r4")
    }

    @Test func testSuccinctHashedBins() async throws {
        let h = ClientHarness()
        h.sim.addSuccinctRoles("targets", bitLength: 3, namePrefix: "bin")
        let bin = SuccinctRoles(keyIDs: [], threshold: 1, bitLength: 3, namePrefix: "bin").roleName(for: "packages/x.whl")
        h.sim.addTarget(bin, [9], "packages/x.whl")
        h.sim.updateSnapshot()
        let u = try await h.refresh()
        #expect(try await u.targetInfo("packages/x.whl").role == bin)
        // Only the one bin was fetched.
        #expect(h.sim.fetchTracker.filter { $0.contains("bin-") }.count == 1)
    }

    @Test func testOneRoleThroughTwoDelegatorsUsesTheDelegatorOnThePath() async throws {
        let h = ClientHarness()
        delegate(h, "targets", "A", paths: ["a/*"])
        delegate(h, "targets", "B", paths: ["b/*"])
        delegate(h, "A", "C", paths: ["*/*"])
        let keyC = h.sim.signers["C"]!
        delegate(h, "B", "C", paths: ["*/*"]) // B trusts C under another key, which never signs C
        h.sim.signers["C"] = keyC
        h.sim.addTarget("C", [1], "a/f")
        h.sim.addTarget("C", [2], "b/f")
        h.sim.updateSnapshot()
        let u = try await h.refresh()
        #expect(try await u.targetInfo("a/f").role == "C")
        await expectError(.thresholdNotMet) { try await u.targetInfo("b/f") }
    }
}
