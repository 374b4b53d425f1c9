import TUFCanonicalJSON

/// The delegations of a targets role: keys, and either an ordered list of named roles or
/// TAP 15 succinct roles.
public struct Delegations: Sendable, Equatable {
    public var keys: [String: Key]
    /// Named roles in priority order; exclusive with `succinctRoles`.
    public var roles: [DelegatedRole]? { didSet { roleIndex = Self.index(roles) } }
    /// Position of each named role by the UTF-8 bytes of its name: a lookup by name is one
    /// hash, not a scan (a client or audit walking 16,384 bins did 16,384² comparisons).
    private var roleIndex: [[UInt8]: Int] = [:]
    public var succinctRoles: SuccinctRoles?
    public var unrecognized: JSONObject

    public init(keys: [String: Key], roles: [DelegatedRole]) {
        self.keys = keys; self.roles = roles; self.succinctRoles = nil; self.unrecognized = JSONObject()
        roleIndex = Self.index(roles)
    }

    /// The first position of each name (names are unique where parsed).
    private static func index(_ roles: [DelegatedRole]?) -> [[UInt8]: Int] {
        var index: [[UInt8]: Int] = [:]
        for (i, r) in (roles ?? []).enumerated() where index[Array(r.name.utf8)] == nil { index[Array(r.name.utf8)] = i }
        return index
    }

    public init(keys: [String: Key], succinctRoles: SuccinctRoles) {
        self.keys = keys; self.roles = nil; self.succinctRoles = succinctRoles; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        keys = try FieldReader.dictionary(try r.object("keys"), "\(context).keys") { (id, value) throws(MetadataError) in
            try FieldReader.inContext(context, ".keys[\(id)]") { (c) throws(MetadataError) in try Key(json: value, context: c) }
        }
        if let rolesJSON = r.take("roles") {
            guard let array = rolesJSON.arrayValue else {
                throw MetadataError(.malformed, "\(context).roles: expected an array, found \(rolesJSON.kindName)")
            }
            var seen = Set<ExactKey>()
            var roles: [DelegatedRole] = []
            for (i, element) in array.enumerated() {
                let role = try FieldReader.inContext(context, ".roles[\(i)]") { (c) throws(MetadataError) in try DelegatedRole(json: element, context: c) }
                try RoleName.validateDelegated(role.name, context: "\(context).roles[\(i)]")
                guard seen.insert(ExactKey(role.name)).inserted else {
                    throw MetadataError(.malformed, "\(context).roles: role \"\(role.name)\" is listed twice")
                }
                roles.append(role)
            }
            self.roles = roles
            roleIndex = Self.index(roles)
        }
        if let s = r.take("succinct_roles") {
            succinctRoles = try SuccinctRoles(json: s, context: "\(context).succinct_roles")
        }
        guard (roles == nil) != (succinctRoles == nil) else {
            throw MetadataError(.malformed, "\(context): exactly one of \"roles\" and \"succinct_roles\" must be set")
        }
        unrecognized = r.remaining
    }

    public var json: JSON {
        var members: [JSONObject.Member] = [.init(key: "keys", value: encodeDictionary(keys) { $0.json })]
        if let roles { members.append(.init(key: "roles", value: .array(roles.map(\.json)))) }
        if let succinctRoles { members.append(.init(key: "succinct_roles", value: succinctRoles.json)) }
        return .object(JSONObject(members).appending(unrecognized))
    }

    /// Keyids and threshold of the delegated role `name`, if delegated here.
    public func delegation(for name: String) -> (keyIDs: [String], threshold: Int)? {
        if let roles, let i = roleIndex[Array(name.utf8)] { return (roles[i].keyIDs, roles[i].threshold) }
        if let succinctRoles, succinctRoles.isDelegatedRole(name) { return (succinctRoles.keyIDs, succinctRoles.threshold) }
        return nil
    }

    /// The roles to consult for `targetPath`, in order, with whether each terminates.
    public func rolesFor(targetPath: String) -> [(name: String, terminating: Bool)] {
        if let roles {
            var digest: String?
            let pathDigest = {
                if let digest { return digest }
                let d = DelegatedRole.pathDigest(targetPath)
                digest = d
                return d
            }
            return roles.filter { $0.isDelegated(path: targetPath, pathDigest: pathDigest) }.map { ($0.name, $0.terminating) }
        }
        if let succinctRoles {
            // TAP 15: exactly one bin is responsible, and the search ends there.
            return [(succinctRoles.roleName(for: targetPath), true)]
        }
        return []
    }
}
