import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
import TUFTestSupport

/// Repositories made by python-tuf (Tests/Interop/make_fixtures.py): every file parses,
/// verifies against its delegator, and re-encodes to the same bytes.
@Suite struct PythonFixtureTests {
    struct SignedFile: Sendable, CustomTestStringConvertible {
        let fixture: String
        let file: String
        let role: String
        let delegator: String
        let delegatorFile: String
        let keyIDs: [String]
        var testDescription: String { "\(fixture)/\(file)" }
    }

    static let base = Bundle.module.url(forResource: "Fixtures/python-tuf", withExtension: nil)!

    nonisolated(unsafe) static let manifest: [String: Any] = {
        guard let data = try? Data(contentsOf: base.appendingPathComponent("manifest.json")),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }()

    static let signedFiles: [SignedFile] = {
        let fixtures = manifest["fixtures"] as? [String: [String: Any]] ?? [:]
        return fixtures.keys.sorted().flatMap { name -> [SignedFile] in
            let entries = fixtures[name]?["signed"] as? [[String: Any]] ?? []
            return entries.map {
                SignedFile(fixture: name, file: $0["file"] as! String, role: $0["role"] as! String,
                           delegator: $0["delegator"] as! String, delegatorFile: $0["delegator_file"] as! String,
                           keyIDs: $0["keyids"] as! [String])
            }
        }
    }()

    static func bytes(_ fixture: String, _ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: base.appendingPathComponent(fixture).appendingPathComponent(file)))
    }

    @Test func manifestCoversEveryKindOfFixture() {
        let names = Set(Self.signedFiles.map(\.fixture))
        #expect(names.isSuperset(of: ["ed25519", "ecdsa", "rsa", "delegations", "succinct", "root-rotation"]))
    }

    @Test(arguments: signedFiles)
    func parsesVerifiesAndReencodesByteForByte(file: SignedFile) throws {
        let bytes = try Self.bytes(file.fixture, file.file)
        let envelope = try Envelope(bytes: bytes, name: file.file)
        // Re-encoding in python-tuf's format gives the file's bytes back.
        let reencoded: [UInt8]
        switch envelope.type {
        case "root": reencoded = try Metadata<Root>(envelope: envelope).encoded()
        case "timestamp": reencoded = try Metadata<Timestamp>(envelope: envelope).encoded()
        case "snapshot": reencoded = try Metadata<Snapshot>(envelope: envelope).encoded()
        default: reencoded = try Metadata<Targets>(envelope: envelope).encoded()
        }
        #expect(reencoded == bytes)

        let delegatorBytes = try Self.bytes(file.fixture, file.delegatorFile)
        let result: VerificationResult
        if file.delegator == "root" {
            let root = try Metadata<Root>(bytes: delegatorBytes).signed
            let type = try #require(RoleType(rawValue: file.role))
            result = RoleKeys(root: root, type).verifies(signedBytes: envelope.signedBytes, signatures: envelope.signatures)
        } else {
            let delegator = try Metadata<Targets>(bytes: delegatorBytes).signed
            result = try #require(RoleKeys(delegator: delegator, file.role)).verifies(signedBytes: envelope.signedBytes, signatures: envelope.signatures)
        }
        #expect(result.isVerified)
        var verifiedBy = Set(result.signedBy)
        if file.role == "root" {
            // 5.3.4: a root is also checked against its own keys and threshold.
            let own = RoleKeys(root: try Metadata<Root>(bytes: bytes).signed, .root).verifies(signedBytes: envelope.signedBytes, signatures: envelope.signatures)
            #expect(own.isVerified, "\(file.fixture)/root against its own threshold")
            verifiedBy.formUnion(own.signedBy)
        }
        // Every signature python-tuf made verifies here, not just a threshold of them.
        #expect(verifiedBy.isSuperset(of: file.keyIDs), "\(file.fixture)/\(file.role)")
    }

    @Test func publicKeysHaveSecuresystemslibKeyIDs() throws {
        let keys = Self.manifest["keys"] as? [String: [String: Any]] ?? [:]
        #expect(keys.count >= 3)
        for (name, entry) in keys {
            let data = try Data(contentsOf: Self.base.appendingPathComponent(entry["public_key"] as! String))
            let json = try JSONParser().parse(Array(data))
            let object = try #require(json.objectValue)
            let keyJSON: JSON = .object(JSONObject(object.members.filter { $0.key != "keyid" }))
            let key = try Key(json: keyJSON, context: name)
            #expect(key.keyID == entry["keyid"] as? String, "key \(name)")
        }
    }

    @Test func tamperedFixtureFailsVerification() throws {
        let rootBytes = try Self.bytes("ed25519", "metadata/1.root.json")
        let root = try Metadata<Root>(bytes: rootBytes)
        var timestamp = try Metadata<Timestamp>(bytes: try Self.bytes("ed25519", "metadata/timestamp.json"))
        timestamp.signed.version += 1
        #expect(!RoleKeys(root: root.signed, .timestamp).verifies(signedBytes: timestamp.signedBytes(), signatures: timestamp.signatures).isVerified)
    }
}

/// The fixtures are generated, not hand-edited: python-tuf regenerates the deterministic
/// (ed25519) repositories byte for byte from the committed keys.
@Suite(.enabled(if: Interop.enabled)) struct FixtureRegenerationTests {
    @Test func pythonTUFRegeneratesTheCommittedFixtures() throws {
        let dir = Interop.projectRoot.appendingPathComponent("Tests/TUFMetadataTests/Fixtures/python-tuf").path
        let (status, output) = try Interop.runPython("make_fixtures.py", ["--check", dir])
        #expect(status == 0, "\(output)")
    }
}
