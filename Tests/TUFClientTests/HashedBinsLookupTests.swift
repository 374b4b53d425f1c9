import Testing
import TUFCanonicalJSON
import TUFClient
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// The client reads a hashed-bins role (`bins`, as PEP 458 lays it out) without building
/// its delegations: it still finds the bin the full model finds, checks the signature before
/// it decodes any entry, and refuses a malformed entry wherever it sits.
@Suite struct HashedBinsLookupTests {
    /// targets → bins (`packages/*`) → `bin-00`…`bin-ff` by two-digit hash prefix, except `7f`.
    static func harness() -> ClientHarness {
        let sim = RepositorySimulator()
        sim.addDelegation("targets", DelegatedRole(name: "bins", keyIDs: [], threshold: 1, terminating: true, paths: ["packages/*"]))
        for n in 0..<256 where n != 0x7f {
            let prefix = hex2(n)
            sim.addDelegation("bins", DelegatedRole(name: "bin-\(prefix)", keyIDs: [], threshold: 1, terminating: true,
                                                    pathHashPrefixes: [prefix]))
        }
        sim.updateSnapshot()
        return ClientHarness(sim)
    }

    static func hex2(_ n: Int) -> String { n < 16 ? "0" + String(n, radix: 16) : String(n, radix: 16) }

    /// A target path whose SHA-256 starts with `prefix`.
    static func path(withHashPrefix prefix: String) -> String {
        var i = 0
        while !DelegatedRole.pathDigest("packages/p\(i).whl").hasPrefix(prefix) { i += 1 }
        return "packages/p\(i).whl"
    }

    /// The served `bins.json` with role entry `entry` changed by `change`: re-signed by the
    /// bins key when `resign`, else with its old signature (no longer valid).
    static func altered(_ h: ClientHarness, entry: Int, resign: Bool, _ change: @escaping @Sendable (inout JSONObject) -> Void) throws {
        let key = try #require(h.sim.signers["bins"]?.values.first)
        h.sim.tamper["1.bins.json"] = { bytes in
            var document = try! JSONParser().parse(bytes).objectValue!
            var signed = document["signed"]!.objectValue!
            var delegations = signed["delegations"]!.objectValue!
            var roles = delegations["roles"]!.arrayValue!
            var role = roles[entry].objectValue!
            change(&role)
            roles[entry] = .object(role)
            delegations["roles"] = .array(roles)
            signed["delegations"] = .object(delegations)
            document["signed"] = .object(signed)
            if resign {
                let signature = Signature(keyID: Key(key.publicKey).keyID, signature: try! key.sign(CanonicalJSON.encode(.object(signed))))
                document["signatures"] = .array([signature.json])
            }
            return PythonJSONEncoder.encode(.object(document))
        }
    }

    /// First, middle and last bin are found through the deferred delegations; a path whose
    /// prefix no bin covers is not found.
    @Test(arguments: [("00", "bin-00"), ("80", "bin-80"), ("ff", "bin-ff"), ("7f", nil)] as [(String, String?)])
    func aTargetIsFoundInTheBinOfItsHashPrefix(prefix: String, bin: String?) async throws {
        let h = Self.harness()
        let path = Self.path(withHashPrefix: prefix)
        if let bin { h.sim.addTarget(bin, Array("page".utf8), path); h.sim.updateSnapshot() }
        let updater = try h.updater()
        guard let bin else {
            await expectError(.notFound) { try await updater.targetInfo(path) }
            return
        }
        let found = try await updater.targetInfo(path)
        #expect(found.role == bin)
        #expect(found.targetFile.length == 4)
    }

    /// 5.6.3 before decoding: an entry that would be malformed, in a bins.json whose signature
    /// no longer verifies, is refused as a bad signature (the full-model client said malformed:
    /// it decoded all 16,384 entries before checking the signature).
    @Test func anUnsignedBinsRoleIsRefusedBeforeAnyEntryIsDecoded() async throws {
        let h = Self.harness()
        try Self.altered(h, entry: 3, resign: false) { $0["threshold"] = .string("1") }
        await expectError(.thresholdNotMet) { try await h.updater().targetInfo(Self.path(withHashPrefix: "03")) }
    }

    /// A malformed entry is refused (signature valid) whether the lookup reaches it (`03` for a
    /// path in bin-03) or not (`c0`): python-tuf decodes every entry, so the file as a whole is bad.
    @Test(arguments: [3, 0xc0])
    func aMalformedEntryIsRefusedWhetherOrNotTheLookupReachesIt(entry: Int) async throws {
        let h = Self.harness()
        try Self.altered(h, entry: entry, resign: true) { $0["terminating"] = nil }
        await expectError(.malformed) { try await h.updater().targetInfo(Self.path(withHashPrefix: "03")) }
    }

    /// The same file, re-signed unchanged, still verifies: the tampering helper itself is sound.
    @Test func aResignedUnchangedBinsRoleVerifies() async throws {
        let h = Self.harness()
        let path = Self.path(withHashPrefix: "03")
        h.sim.addTarget("bin-03", Array("page".utf8), path)
        h.sim.updateSnapshot()
        try Self.altered(h, entry: 3, resign: true) { _ in }
        #expect(try await h.updater().targetInfo(path).role == "bin-03")
    }
}
