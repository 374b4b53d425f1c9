import Testing
import TUFCanonicalJSON
import TUFMetadata

/// Attacks on the path and role-name rules found in review, written against the public
/// model API (so they ran against the code before the fix).
@Suite struct PathRuleRegressionTests {
    @Test(arguments: [
        ("*.txt", "other/\u{301}x.txt"), ("*", "a/\u{301}b"), ("*", "\u{600}/x"), ("a??b", "a/\u{301}b"),
        ("a?\u{301}b", "a/\u{301}b"), ("*/x", "a/\u{301}b/x"), ("[!a]\u{301}x", "/\u{301}x"), ("*\u{600}", "x\u{600}/"),
    ])
    func testGlobWildcardsNeverMatchSlashBesideCombiningMarks(pattern: String, path: String) {
        #expect(!PathPattern.matches(pattern: pattern, path: path))
    }

    static func delegations(_ name: String) -> JSON {
        Delegations(keys: [:], roles: [DelegatedRole(name: name, keyIDs: ["k"], threshold: 1, paths: ["*"])]).json
    }

    @Test(arguments: ["Root", "ROOT", "rooT", "Timestamp", "TIMESTAMP", "Snapshot", "sNAPSHOT", "Targets", "TARGETS", "root", "targets"])
    func testDelegatedRoleNameDifferingOnlyInCaseFromTopLevelIsRefused(name: String) {
        #expect(throws: MetadataError.self) { try Delegations(json: Self.delegations(name), context: "bins.delegations") }
    }

    @Test(arguments: ["bins", "bin-0000", "rootish", "my-root", "Roots", "a/b"])
    func testOtherDelegatedRoleNamesAreAccepted(name: String) throws {
        let d = try Delegations(json: Self.delegations(name), context: "bins.delegations")
        #expect(d.roles?.first?.name == name)
    }

    @Test func testNegativeLengthsAreRefusedAtParse() throws {
        let target = JSON.object(JSONObject([.init(key: "hashes", value: .object(JSONObject([.init(key: "sha256", value: "ab")]))),
                                             .init(key: "length", value: .int(-1))]))
        #expect(throws: MetadataError.self) { try TargetFile(json: target, context: "targets.targets[x]") }
        let meta = JSON.object(JSONObject([.init(key: "length", value: .int(-1)), .init(key: "version", value: .int(1))]))
        #expect(throws: MetadataError.self) { try MetaFile(json: meta, context: "snapshot.meta[x]") }
        let maximal = JSON.object(JSONObject([.init(key: "length", value: .int(Int64.max)), .init(key: "version", value: .int(1))]))
        #expect(try MetaFile(json: maximal, context: "snapshot.meta[x]").length == Int64.max)
    }
}
