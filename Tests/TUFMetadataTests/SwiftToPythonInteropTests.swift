import Foundation
import Testing
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// The other direction: metadata made here, of every role, key type, named delegations and
/// succinct roles, is parsed and verified by python-tuf (Tests/Interop/check_metadata.py).
@Suite(.enabled(if: Interop.enabled)) struct SwiftToPythonInteropTests {
    static let expires = MetadataFactory.farFuture

    /// Writes a consistent repository to `dir`: root v1 and v2 (rotated), targets with the
    /// given delegations, the delegated roles, snapshot and timestamp. `changeTargets` changes
    /// the signed targets file before snapshot lists its length and hash.
    static func writeRepository(to dir: URL, delegations: Delegations, delegated: [(String, Targets, [String])],
                                changeTargets: ([UInt8]) -> [UInt8] = { $0 }) throws {
        func write(_ name: String, _ bytes: [UInt8]) throws {
            try Data(bytes).write(to: dir.appendingPathComponent(name))
        }
        let keys: [RoleType: [String]] = [.root: ["ed1", "ec1", "rsa1"], .targets: ["ec1"], .snapshot: ["rsa1"], .timestamp: ["ed4"]]
        let root1 = MetadataFactory.root(keys: keys, thresholds: [.root: 2])
        try write("1.root.json", MetadataFactory.bytes(root1, by: ["ed1", "ec1"]))
        var rotated = keys
        rotated[.root] = ["ed1", "ed5", "rsa1"]
        var root2 = MetadataFactory.root(version: 2, keys: rotated, thresholds: [.root: 2])
        root2.unrecognized["x-swift-tuf"] = ["kept": true]
        try write("2.root.json", MetadataFactory.bytes(root2, by: ["ed1", "ed5", "ec1", "rsa1"]))
        try write("root.json", MetadataFactory.bytes(root2, by: ["ed1", "ed5", "ec1", "rsa1"]))

        var meta: [String: MetaFile] = [:]
        var targets = Targets(common: SignedCommon(expires: expires), delegations: delegations)
        targets.targets["files/a.txt"] = TargetFile(describing: Array("a".utf8), hashAlgorithms: [.sha256, .sha512, .blake2b256],
                                                    custom: ["yanked": "broken build"])
        let targetsBytes = changeTargets(MetadataFactory.bytes(targets, by: ["ec1"]))
        try write("1.targets.json", targetsBytes)
        meta["targets.json"] = MetaFile(version: 1, describing: targetsBytes, hashAlgorithms: [.sha256])
        for (name, payload, signers) in delegated {
            let bytes = MetadataFactory.bytes(payload, by: signers)
            try write("1.\(name).json", bytes)
            meta["\(name).json"] = MetaFile(version: 1)
        }
        let snapshotBytes = MetadataFactory.bytes(Snapshot(common: SignedCommon(expires: expires), meta: meta), by: ["rsa1"])
        try write("1.snapshot.json", snapshotBytes)
        let timestamp = Timestamp(common: SignedCommon(expires: expires),
                                  snapshotMeta: MetaFile(version: 1, describing: snapshotBytes, hashAlgorithms: [.sha256]))
        try write("timestamp.json", MetadataFactory.bytes(timestamp, by: ["ed4"]))
    }

    static func check(_ dir: URL) throws {
        let (status, output) = try Interop.runPython("check_metadata.py", [dir.path])
        #expect(status == 0, "python-tuf rejected Swift metadata:\n\(output)")
    }

    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swift-tuf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func pythonTUFVerifiesNamedDelegations() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let keys = ["ed6", "ed7", "ed8"]
        let delegations = Delegations(keys: Dictionary(uniqueKeysWithValues: keys.map { (TestKeys.keyID($0), TestKeys.publicKey($0)) }), roles: [
            DelegatedRole(name: "packages", keyIDs: keys.map(TestKeys.keyID), threshold: 2, terminating: true, paths: ["packages/*"]),
            DelegatedRole(name: "bin-0", keyIDs: [TestKeys.keyID("ed6")], threshold: 1, pathHashPrefixes: ["0", "1"]),
        ])
        var packages = Targets(common: SignedCommon(expires: Self.expires))
        packages.targets["packages/x-1.0.tar.gz"] = TargetFile(describing: Array("x".utf8))
        let bin = Targets(common: SignedCommon(expires: Self.expires))
        try Self.writeRepository(to: dir, delegations: delegations,
                                 delegated: [("packages", packages, ["ed6", "ed8"]), ("bin-0", bin, ["ed6"])])
        try Self.check(dir)
    }

    @Test func pythonTUFVerifiesSuccinctRoles() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let succinct = SuccinctRoles(keyIDs: [TestKeys.keyID("ed7")], threshold: 1, bitLength: 3, namePrefix: "bin")
        let delegations = Delegations(keys: [TestKeys.keyID("ed7"): TestKeys.publicKey("ed7")], succinctRoles: succinct)
        let bins = succinct.roleNames.map { name -> (String, Targets, [String]) in
            var t = Targets(common: SignedCommon(expires: Self.expires))
            for i in 0..<20 where succinct.roleName(for: "p/\(i)") == name {
                t.targets["p/\(i)"] = TargetFile(describing: Array("\(i)".utf8))
            }
            return (name, t, ["ed7"])
        }
        try Self.writeRepository(to: dir, delegations: delegations, delegated: bins)
        try Self.check(dir)
    }

    /// A tampered targets file, changed so that exactly one check of check_metadata.py can
    /// refuse it; `refusal` is the one FAIL line expected.
    struct Tampering: Sendable, CustomTestStringConvertible {
        let name: String
        /// Change the file before snapshot lists it (so only its signature is wrong), or after.
        let beforeListing: Bool
        let change: @Sendable (String) -> String
        let refusal: String
        var testDescription: String { name }
    }

    static let tamperings = [
        Tampering(name: "signed content changed, listed as changed", beforeListing: true,
                  change: { $0.replacingOccurrences(of: "broken build", with: "fine build") },
                  refusal: "FAIL 1.targets.json: signatures do not meet the threshold of 'targets' set by 2.root.json"),
        Tampering(name: "bytes outside signed changed after listing", beforeListing: false,
                  change: { $0 + "\n" },
                  refusal: "FAIL 1.snapshot.json: 1.snapshot.json entry for targets.json does not match 1.targets.json"),
    ]

    @Test(arguments: tamperings) func pythonTUFRejectsATamperedFile(_ tampering: Tampering) throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let succinct = SuccinctRoles(keyIDs: [TestKeys.keyID("ed7")], threshold: 1, bitLength: 1, namePrefix: "bin")
        func change(_ bytes: [UInt8]) -> [UInt8] { Array(tampering.change(String(decoding: bytes, as: UTF8.self)).utf8) }
        try Self.writeRepository(to: dir, delegations: Delegations(keys: [TestKeys.keyID("ed7"): TestKeys.publicKey("ed7")], succinctRoles: succinct),
                                 delegated: succinct.roleNames.map { ($0, Targets(common: SignedCommon(expires: Self.expires)), ["ed7"]) },
                                 changeTargets: tampering.beforeListing ? change : { $0 })
        let url = dir.appendingPathComponent("1.targets.json")
        if !tampering.beforeListing { try Data(change(Array(try Data(contentsOf: url)))).write(to: url) }
        let (status, output) = try Interop.runPython("check_metadata.py", [dir.path])
        #expect(status == 1, "expected python-tuf to reject the tampered targets:\n\(output)")
        // Exactly the intended check refused, and nothing else.
        let failures = output.split(separator: "\n").filter { $0.hasPrefix("FAIL ") }
        #expect(failures.count == 1 && failures[0].hasPrefix(tampering.refusal), "\(output)")
    }
}
