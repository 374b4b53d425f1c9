import TUFCanonicalJSON

/// The root role: the keys and thresholds of the four top-level roles.
public struct Root: SignedPayload {
    public static let type = RoleType.root
    public var common: SignedCommon
    public var consistentSnapshot: Bool?
    /// Every key any top-level role uses, by keyid.
    public var keys: [String: Key]
    /// root, targets, snapshot and timestamp.
    public var roles: [RoleType: Role]
    public var unrecognized: JSONObject

    public init(common: SignedCommon, keys: [String: Key], roles: [RoleType: Role], consistentSnapshot: Bool? = true) {
        self.common = common; self.keys = keys; self.roles = roles
        self.consistentSnapshot = consistentSnapshot; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        common = try SignedCommon(reader: &r, type: .root)
        consistentSnapshot = try r.optionalBool("consistent_snapshot")
        let keysObject = try r.object("keys")
        keys = try FieldReader.dictionary(keysObject, "\(context).keys") { (id, value) throws(MetadataError) in
            try FieldReader.inContext(context, ".keys[\(id)]") { (c) throws(MetadataError) in try Key(json: value, context: c) }
        }
        let rolesObject = try r.object("roles")
        var roles: [RoleType: Role] = [:]
        for member in rolesObject.members {
            guard let type = RoleType(rawValue: member.key) else {
                throw MetadataError(.malformed, "\(context).roles: unknown top-level role \"\(member.key)\"")
            }
            roles[type] = try Role(json: member.value, context: "\(context).roles.\(member.key)")
        }
        for type in RoleType.allCases where roles[type] == nil {
            throw MetadataError(.malformed, "\(context).roles: missing role \"\(type.rawValue)\"")
        }
        self.roles = roles
        unrecognized = r.remaining
    }

    public var json: JSON {
        var members = common.members(type: .root)
        if let consistentSnapshot { members.append(.init(key: "consistent_snapshot", value: .bool(consistentSnapshot))) }
        members.append(.init(key: "keys", value: encodeDictionary(keys) { $0.json }))
        let roleMembers = RoleType.allCases.compactMap { t in roles[t].map { JSONObject.Member(key: t.rawValue, value: $0.json) } }
        members.append(.init(key: "roles", value: .object(JSONObject(roleMembers))))
        return .object(JSONObject(members).appending(unrecognized))
    }
}
