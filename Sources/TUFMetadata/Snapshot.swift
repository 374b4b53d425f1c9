import TUFCanonicalJSON

/// The snapshot role: the version (and optionally hash and length) of every targets role.
public struct Snapshot: SignedPayload {
    public static let type = RoleType.snapshot
    public var common: SignedCommon
    /// `<role>.json` → its MetaFile.
    public var meta: [String: MetaFile]
    public var unrecognized: JSONObject

    public init(common: SignedCommon, meta: [String: MetaFile]) {
        self.common = common; self.meta = meta; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        common = try SignedCommon(reader: &r, type: .snapshot)
        meta = try FieldReader.dictionary(try r.object("meta"), "\(context).meta") { (name, value) throws(MetadataError) in
            try FieldReader.inContext(context, ".meta[\(name)]") { (c) throws(MetadataError) in try MetaFile(json: value, context: c) }
        }
        unrecognized = r.remaining
    }

    public var json: JSON {
        var members = common.members(type: .snapshot)
        members.append(.init(key: "meta", value: encodeDictionary(meta) { $0.json }))
        return .object(JSONObject(members).appending(unrecognized))
    }

    /// The entry of role `name` (`<name>.json`).
    public func meta(forRole name: String) -> MetaFile? { meta["\(name).json"] }
}
