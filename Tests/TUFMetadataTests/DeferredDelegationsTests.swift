import Testing
import TUFCanonicalJSON
import TUFMetadata
import TUFTestSupport

/// A targets role decoded with `deferringRoles` (what the client does with a 16,384-bin
/// `bins.json`) answers every lookup as the fully decoded model does, and refuses exactly
/// what the full decode refuses, wherever in the list the fault is.
@Suite struct DeferredDelegationsTests {
    /// 256 hashed bins `bin-00`…`bin-ff`, one two-digit prefix each, except that `7f` is not
    /// delegated; `bin-80` carries an unknown field.
    static let bins: Targets = {
        let key = Key(TestKeys.key("ed1").publicKey)
        var roles: [DelegatedRole] = []
        for n in 0..<256 where n != 0x7f {
            let prefix = String(n, radix: 16).count == 1 ? "0" + String(n, radix: 16) : String(n, radix: 16)
            var role = DelegatedRole(name: "bin-\(prefix)", keyIDs: [key.keyID], threshold: 1, terminating: true,
                                     pathHashPrefixes: [prefix])
            if n == 0x80 { role.unrecognized["x-note"] = .string("kept") }
            roles.append(role)
        }
        return Targets(common: SignedCommon(version: 1, expires: MetadataFactory.farFuture),
                       delegations: Delegations(keys: [key.keyID: key], roles: roles))
    }()

    /// A target path whose SHA-256 starts with `prefix`.
    static func path(withHashPrefix prefix: String) -> String {
        var i = 0
        while !DelegatedRole.pathDigest("packages/p\(i).whl").hasPrefix(prefix) { i += 1 }
        return "packages/p\(i).whl"
    }

    /// First, middle and last bin, the bin with an unknown field, and a prefix no bin covers.
    @Test(arguments: [("00", "bin-00"), ("80", "bin-80"), ("a5", "bin-a5"), ("ff", "bin-ff"), ("7f", nil)] as [(String, String?)])
    func deferredLookupFindsTheRoleTheFullModelFinds(prefix: String, expected: String?) throws {
        let json = Self.bins.json
        let full = try Targets(json: json, context: "bins")
        let deferred = try Targets(json: json, context: "bins", deferringRoles: true)
        let path = Self.path(withHashPrefix: prefix)
        let found = deferred.delegations!.rolesFor(targetPath: path)
        #expect(found.map(\.name) == full.delegations!.rolesFor(targetPath: path).map(\.name))
        #expect(found.map(\.name) == (expected.map { [$0] } ?? []))
        #expect(found.map(\.terminating) == (expected == nil ? [] : [true]))
        if let expected {
            let a = try #require(deferred.delegations!.delegation(for: expected))
            let b = try #require(full.delegations!.delegation(for: expected))
            #expect(a.keyIDs == b.keyIDs && a.threshold == b.threshold)
        }
        #expect(deferred.delegations!.delegation(for: "bin-7f") == nil)
    }

    /// Decoded on demand, the roles (unknown fields included) and the encoding are the full model's.
    @Test func deferredRolesDecodeToTheFullModel() throws {
        let json = Self.bins.json
        let deferred = try Targets(json: json, context: "bins", deferringRoles: true)
        #expect(deferred == (try Targets(json: json, context: "bins")))
        #expect(deferred.delegations!.roles == Self.bins.delegations!.roles)
        #expect(deferred.delegations!.roles!.first { $0.name == "bin-80" }?.unrecognized["x-note"] == .string("kept"))
        #expect(CanonicalJSON.encode(deferred.json) == CanonicalJSON.encode(json))
    }

    /// Ways to break one role entry, each refused by the full decode.
    static let faults: [(String, @Sendable (inout JSONObject) -> Void)] = [
        ("threshold is a string", { $0["threshold"] = .string("1") }),
        ("threshold is 0", { $0["threshold"] = .int(0) }),
        ("terminating missing", { $0["terminating"] = nil }),
        ("paths and prefixes both set", { $0["paths"] = .array([.string("*")]) }),
        ("a prefix is not a string", { $0["path_hash_prefixes"] = .array([.int(1)]) }),
        ("keyids listed twice", { $0["keyids"] = .array([.string("ab"), .string("ab")]) }),
        ("a top-level role name", { $0["name"] = .string("Snapshot") }),
        ("the name of another bin", { $0["name"] = .string("bin-01") }),
    ]

    /// A fault in the first, a middle or the last entry (a lookup reaches only one of them)
    /// refuses the whole role, with the code of the full decode: python-tuf decodes every entry.
    @Test(arguments: 0..<faults.count, [0, 100, 254])
    func aMalformedEntryAnywhereRefusesTheRole(fault: Int, entry: Int) throws {
        var signed = Self.bins.json.objectValue!
        var delegations = signed["delegations"]!.objectValue!
        var roles = delegations["roles"]!.arrayValue!
        var role = roles[entry].objectValue!
        Self.faults[fault].1(&role)
        roles[entry] = .object(role)
        delegations["roles"] = .array(roles)
        signed["delegations"] = .object(delegations)
        let json = JSON.object(signed)
        var fullError: MetadataError?
        do { _ = try Targets(json: json, context: "bins") } catch { fullError = error }
        let expected = try #require(fullError, "\(Self.faults[fault].0)")
        #expect(throws: expected, "\(Self.faults[fault].0)") { try Targets(json: json, context: "bins", deferringRoles: true) }
    }
}
