import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
import TUFTestSupport

@Suite struct EnvelopeTests {
    let root = MetadataFactory.root(keys: [.root: ["ed1", "ed2", "ed3"], .targets: ["ed2"], .snapshot: ["ed3"], .timestamp: ["ed4"]],
                                    thresholds: [.root: 2])

    @Test func signedMetadataRoundTripsAndVerifies() throws {
        let bytes = MetadataFactory.bytes(root, by: ["ed1", "ed2"])
        let md = try Metadata<Root>(bytes: bytes)
        #expect(md.signed == root)
        #expect(md.encoded() == bytes)
        #expect(RoleKeys(root: md.signed, .root).verifies(signedBytes: md.signedBytes(), signatures: md.signatures).isVerified)
    }

    @Test func signingWritesExactlyTheBytesThatWereSigned() throws {
        let md = MetadataFactory.signed(root, by: ["ed1"])
        let envelope = try Envelope(bytes: md.encoded(), name: "root")
        #expect(envelope.signedBytes == md.signedBytes())
        #expect(RoleKeys(root: root, .root).verifies(signedBytes: envelope.signedBytes, signatures: envelope.signatures).signedBy == [TestKeys.keyID("ed1")])
    }

    @Test func tamperedSignedBytesFailVerification() throws {
        var md = MetadataFactory.signed(root, by: ["ed1", "ed2"])
        md.signed.version = 2
        #expect(!RoleKeys(root: root, .root).verifies(signedBytes: md.signedBytes(), signatures: md.signatures).isVerified)
    }

    @Test func duplicateSignaturesAreRejected() throws {
        let md = MetadataFactory.signed(root, by: ["ed1"])
        var json = md.json.objectValue!
        json["signatures"] = .array(md.signatures.map(\.json) + md.signatures.map(\.json))
        let bytes = CanonicalJSON.encode(.object(json))
        #expect(throws: MetadataError(.duplicateKeyID, "")) { try Metadata<Root>(bytes: bytes) }
    }

    @Test func oneKeyUnderTwoKeyIDsCountsOnce() throws {
        // The same public key listed under a second, made-up keyid with threshold 2: one
        // signer must not satisfy it by signing under both ids.
        var r = root
        let alias = String(repeating: "a", count: 64)
        r.keys[alias] = TestKeys.publicKey("ed1")
        r.roles[.root] = Role(keyIDs: [TestKeys.keyID("ed1"), alias], threshold: 2)
        var md = MetadataFactory.signed(r, by: ["ed1"])
        let sig = md.signatures[0]
        md.signatures.append(Signature(keyID: alias, signature: Hex.decode(sig.signature)!))
        let result = RoleKeys(root: r, .root).verifies(signedBytes: md.signedBytes(), signatures: md.signatures)
        #expect(result.signedBy.count == 1)
        #expect(!result.isVerified)
    }

    @Test func thresholdZeroIsRejected() throws {
        var r = root
        r.roles[.timestamp] = Role(keyIDs: [TestKeys.keyID("ed4")], threshold: 0)
        let bytes = MetadataFactory.bytes(r, by: ["ed1"])
        #expect(throws: MetadataError(.invalidValue, "")) { try Metadata<Root>(bytes: bytes) }
    }

    @Test func duplicateKeyIDsInARoleAreRejected() throws {
        var r = root
        r.roles[.snapshot] = Role(keyIDs: [TestKeys.keyID("ed3"), TestKeys.keyID("ed3")], threshold: 1)
        #expect(throws: MetadataError(.duplicateKeyID, "")) { try Metadata<Root>(bytes: MetadataFactory.bytes(r, by: ["ed1"])) }
    }

    @Test func wrongRoleTypeIsRejected() throws {
        let bytes = MetadataFactory.bytes(root, by: ["ed1"])
        #expect(throws: MetadataError(.wrongType, "")) { try Metadata<Targets>(bytes: bytes) }
    }

    @Test(arguments: ["2.0.0", "1", "1.0.0.0", "1.x.0", "", "1..0"])
    func unsupportedSpecVersionsAreRejected(version: String) throws {
        var r = root
        r.common.specVersion = version
        #expect(throws: MetadataError(.unsupportedSpecVersion, "")) { try Metadata<Root>(bytes: MetadataFactory.bytes(r, by: ["ed1"])) }
    }

    @Test func unknownKeyTypesAreRejected() throws {
        var json = MetadataFactory.signed(root, by: ["ed1"]).json.objectValue!
        var signed = json["signed"]!.objectValue!
        var keys = signed["keys"]!.objectValue!
        keys["ff"] = ["keytype": "dsa", "scheme": "dsa-sha1", "keyval": ["public": "00"]]
        signed["keys"] = .object(keys)
        json["signed"] = .object(signed)
        #expect(throws: MetadataError(.unsupportedKey, "")) { try Metadata<Root>(bytes: CanonicalJSON.encode(.object(json))) }
    }

    @Test(arguments: [
        "", "{", "{}", "[]", "null", #"{"signed": {}, "signatures": []}"#, #"{"signed": [], "signatures": []}"#,
        #"{"signed": {"_type": "root"}, "signatures": {}}"#, #"{"signatures":[],"signed":{"_type":"root","version":1.5}}"#,
    ])
    func truncatedOrGarbageInputIsAnErrorNotACrash(text: String) {
        #expect(throws: MetadataError.self) { try Metadata<Root>(bytes: Array(text.utf8)) }
    }

    @Test func everyPrefixOfValidMetadataIsRejectedWithoutCrashing() throws {
        let bytes = MetadataFactory.bytes(root, by: ["ed1"])
        for n in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: MetadataError.self) { try Metadata<Root>(bytes: bytes[0..<n]) }
        }
    }

    @Test func unknownFieldsSurviveARoundTrip() throws {
        let text = """
        {"signatures":[{"extra":1,"keyid":"ab","sig":"00"}],"signed":{"_type":"timestamp","expires":"2030-01-01T00:00:00Z",\
        "future":{"x":[1,2]},"meta":{"snapshot.json":{"note":"n","version":3}},"spec_version":"1.0.31","version":7},"top":true}
        """
        let md = try Metadata<Timestamp>(bytes: Array(text.utf8))
        #expect(md.signed.unrecognized["future"] == ["x": [1, 2]])
        #expect(md.signed.snapshotMeta.unrecognized["note"] == "n")
        #expect(CanonicalJSON.encode(md.json) == Array(text.utf8))
    }

    @Test func keyIDIsTheHashOfTheCanonicalKey() {
        let key = TestKeys.publicKey("ed1")
        let canonical = CanonicalJSON.encode(["keytype": "ed25519", "keyval": ["public": .string(key.publicKey.publicValue)], "scheme": "ed25519"])
        #expect(key.keyID == Hex.encode(Hash.digest(.sha256, canonical)))
    }
}
