import TUFCanonicalJSON

/// A targets role (top-level or delegated): target files and optional delegations.
public struct Targets: SignedPayload {
    public static let type = RoleType.targets
    public var common: SignedCommon
    /// Target path → its description.
    public var targets: [String: TargetFile]
    public var delegations: Delegations?
    public var unrecognized: JSONObject

    public init(common: SignedCommon, targets: [String: TargetFile] = [:], delegations: Delegations? = nil) {
        self.common = common; self.targets = targets; self.delegations = delegations; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        try self.init(json: json, context: context, deferringRoles: false)
    }

    /// Decodes a targets role; with `deferringRoles`, its named delegations are checked by
    /// every rule but each is built only when asked for (`Delegations.init(json:context:deferringRoles:)`).
    public init(json: JSON, context: String, deferringRoles: Bool) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        common = try SignedCommon(reader: &r, type: .targets)
        targets = try FieldReader.dictionary(try r.object("targets"), "\(context).targets") { (path, value) throws(MetadataError) in
            try FieldReader.inContext(context, ".targets[\(path)]") { (c) throws(MetadataError) in try TargetFile(json: value, context: c) }
        }
        if let d = r.take("delegations") {
            delegations = try Delegations(json: d, context: "\(context).delegations", deferringRoles: deferringRoles)
        }
        unrecognized = r.remaining
    }

    public var json: JSON {
        var members = common.members(type: .targets)
        if let delegations { members.append(.init(key: "delegations", value: delegations.json)) }
        members.append(.init(key: "targets", value: encodeDictionary(targets) { $0.json }))
        return .object(JSONObject(members).appending(unrecognized))
    }
}

extension Metadata where Payload == Targets {
    /// Decodes the targets role of an envelope whose signatures the caller has verified,
    /// deferring its named delegations: a client reading a 16,384-bin role this way checks
    /// every entry but builds only the delegation it looks up.
    public init(deferringRolesOf envelope: Envelope) throws(MetadataError) {
        self.init(signed: try Targets(json: envelope.signedJSON, context: envelope.name, deferringRoles: true),
                  signatures: envelope.signatures)
        unrecognized = envelope.unrecognized
    }
}
