import Testing
import TUFCanonicalJSON
import TUFMetadata
import TUFTestSupport

@Suite struct ModelTests {
    @Test(arguments: [
        ("2030-01-01T00:00:00Z", Int64(1_893_456_000)), ("1970-01-01T00:00:00Z", 0), ("2024-02-29T23:59:59Z", 1_709_251_199),
    ])
    func expiryParsesAndFormats(text: String, seconds: Int64) throws {
        let e = try #require(Expiry(iso8601: text))
        #expect(e.secondsSinceEpoch == seconds)
        #expect(e.iso8601 == text)
    }

    @Test(arguments: ["2030-01-01T00:00:00", "2030-01-01 00:00:00Z", "2023-02-29T00:00:00Z", "2030-13-01T00:00:00Z", "2030-01-01T24:00:00Z", "x"])
    func malformedExpiriesAreRejected(text: String) { #expect(Expiry(iso8601: text) == nil) }

    @Test(arguments: [
        ("targets/*.tgz", "targets/foo.tgz", true), ("targets/*.tgz", "targets/sub/foo.tgz", false),
        ("*", "foo", true), ("*", "a/b", false), ("foo-?.txt", "foo-1.txt", true), ("foo-?.txt", "foo-12.txt", false),
        ("a/*/c", "a/b/c", true), ("a/*/c", "a/b/d/c", false), ("file[0-9].txt", "file5.txt", true),
        ("file[!0-9].txt", "file5.txt", false), ("simple/*/index.json", "simple/numpy/index.json", true),
        ("packages/**", "packages/a/b", false), ("", "", true), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
    ])
    func delegatedPathPatterns(pattern: String, path: String, matches: Bool) {
        #expect(PathPattern.matches(pattern: pattern, path: path) == matches)
    }

    @Test func succinctRolesNameAndFindBins() {
        let s = SuccinctRoles(keyIDs: ["k"], threshold: 1, bitLength: 14, namePrefix: "bin")
        #expect(s.numberOfBins == 16384)
        #expect(s.suffixLength == 4)
        #expect(s.roleName(bin: 10) == "bin-000a")
        #expect(s.isDelegatedRole("bin-3fff"))
        #expect(!s.isDelegatedRole("bin-4000"))
        #expect(!s.isDelegatedRole("bin-000A"))
        #expect(!s.isDelegatedRole("bin-00a"))
        // python-tuf: first 4 bytes of sha256("foo") = 2c26b46b → >> 18 = 0x0b09 (2825).
        #expect(s.roleName(for: "foo") == "bin-0b09")
        let four = SuccinctRoles(keyIDs: ["k"], threshold: 1, bitLength: 4, namePrefix: "b")
        #expect(four.roleNames == (0..<16).map { "b-\(String($0, radix: 16))" })
    }

    @Test func delegationsRequireExactlyOneKindOfRoles() throws {
        var t = Targets(common: SignedCommon(expires: MetadataFactory.farFuture))
        t.delegations = Delegations(keys: [:], roles: [])
        var json = t.json.objectValue!
        var d = json["delegations"]!.objectValue!
        d["succinct_roles"] = ["keyids": [], "threshold": 1, "bit_length": 2, "name_prefix": "b"]
        json["delegations"] = .object(d)
        #expect(throws: MetadataError(.malformed, "")) { try Targets(json: .object(json), context: "targets") }
    }

    @Test func delegatedRoleNamesCannotBeTopLevelNames() throws {
        var t = Targets(common: SignedCommon(expires: MetadataFactory.farFuture))
        t.delegations = Delegations(keys: [:], roles: [DelegatedRole(name: "snapshot", keyIDs: [], threshold: 1, paths: ["*"])])
        #expect(throws: MetadataError(.invalidValue, "")) { try Targets(json: t.json, context: "targets") }
    }

    @Test func pathHashPrefixDelegation() {
        // sha256("foo") starts with 2c26.
        let role = DelegatedRole(name: "bin-2", keyIDs: [], threshold: 1, pathHashPrefixes: ["2c", "ff"])
        #expect(role.isDelegated(path: "foo"))
        #expect(!role.isDelegated(path: "bar"))
    }
}

@Suite struct ErrorMessageTests {
    @Test func errorsNameTheElementAtFault() throws {
        var t = Targets(common: SignedCommon(expires: MetadataFactory.farFuture))
        t.targets["pkg/a.whl"] = TargetFile(length: 1, hashes: ["sha256": "00"])
        var json = t.json.objectValue!
        var targets = json["targets"]!.objectValue!
        targets["pkg/a.whl"] = ["length": -1, "hashes": ["sha256": "00"]]
        json["targets"] = .object(targets)
        do {
            _ = try Targets(json: .object(json), context: "bin-07")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .invalidValue)
            #expect(error.message == "bin-07.targets[pkg/a.whl].length: must not be negative")
        }
    }

    @Test func delegatedRoleErrorsNameTheRole() throws {
        var t = Targets(common: SignedCommon(expires: MetadataFactory.farFuture))
        t.delegations = Delegations(keys: [:], roles: [DelegatedRole(name: "bin-3", keyIDs: ["k", "k"], threshold: 1, paths: ["*"])])
        do {
            _ = try Targets(json: t.json, context: "bins")
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .duplicateKeyID)
            #expect(error.message.hasPrefix("bins.delegations.roles[0](bin-3).keyids"))
        }
    }
}
