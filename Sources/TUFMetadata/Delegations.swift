import TUFCanonicalJSON

/// The delegations of a targets role: keys, and either an ordered list of named roles or
/// TAP 15 succinct roles.
public struct Delegations: Sendable, Equatable {
    public var keys: [String: Key]
    /// Named roles in priority order; exclusive with `succinctRoles`. On delegations decoded
    /// with `deferringRoles`, each read builds every role: ask `delegation(for:)` or
    /// `rolesFor(targetPath:)` instead.
    public var roles: [DelegatedRole]? {
        get { roleList?.all }
        set { roleList = newValue.map(DelegatedRoleList.init) }
    }
    private var roleList: DelegatedRoleList?
    public var succinctRoles: SuccinctRoles?
    public var unrecognized: JSONObject

    public init(keys: [String: Key], roles: [DelegatedRole]) {
        self.keys = keys; self.roleList = DelegatedRoleList(roles); self.succinctRoles = nil; self.unrecognized = JSONObject()
    }

    public init(keys: [String: Key], succinctRoles: SuccinctRoles) {
        self.keys = keys; self.roleList = nil; self.succinctRoles = succinctRoles; self.unrecognized = JSONObject()
    }

    /// Decodes delegations. With `deferringRoles`, named roles are checked by every rule
    /// but decoded only when `roles` is read (see `DelegatedRoleList`).
    public init(json: JSON, context: String, deferringRoles: Bool = false) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        keys = try FieldReader.dictionary(try r.object("keys"), "\(context).keys") { (id, value) throws(MetadataError) in
            try FieldReader.inContext(context, ".keys[\(id)]") { (c) throws(MetadataError) in try Key(json: value, context: c) }
        }
        if let rolesJSON = r.take("roles") {
            guard let array = rolesJSON.arrayValue else {
                throw MetadataError(.malformed, "\(context).roles: expected an array, found \(rolesJSON.kindName)")
            }
            roleList = try DelegatedRoleList(entries: array, context: context, deferred: deferringRoles)
        }
        if let s = r.take("succinct_roles") {
            succinctRoles = try SuccinctRoles(json: s, context: "\(context).succinct_roles")
        }
        guard (roleList == nil) != (succinctRoles == nil) else {
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
        if let found = roleList?.delegation(for: name) { return found }
        if let succinctRoles, succinctRoles.isDelegatedRole(name) { return (succinctRoles.keyIDs, succinctRoles.threshold) }
        return nil
    }

    /// The roles to consult for `targetPath`, in order, with whether each terminates.
    public func rolesFor(targetPath: String) -> [(name: String, terminating: Bool)] {
        if let roleList { return roleList.roles(for: targetPath) }
        if let succinctRoles {
            // TAP 15: exactly one bin is responsible, and the search ends there.
            return [(succinctRoles.roleName(for: targetPath), true)]
        }
        return []
    }
}
