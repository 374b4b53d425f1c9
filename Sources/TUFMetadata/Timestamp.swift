import TUFCanonicalJSON

/// The timestamp role: points at the current snapshot.
public struct Timestamp: SignedPayload {
    public static let type = RoleType.timestamp
    public var common: SignedCommon
    /// The `snapshot.json` entry.
    public var snapshotMeta: MetaFile
    public var unrecognized: JSONObject

    public init(common: SignedCommon, snapshotMeta: MetaFile) {
        self.common = common; self.snapshotMeta = snapshotMeta; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        common = try SignedCommon(reader: &r, type: .timestamp)
        let meta = try r.object("meta")
        guard meta.count == 1, let entry = meta["snapshot.json"] else {
            throw MetadataError(.malformed, "\(context).meta: must list exactly \"snapshot.json\"")
        }
        snapshotMeta = try MetaFile(json: entry, context: "\(context).meta[snapshot.json]")
        unrecognized = r.remaining
    }

    public var json: JSON {
        var members = common.members(type: .timestamp)
        members.append(.init(key: "meta", value: .object(JSONObject([.init(key: "snapshot.json", value: snapshotMeta.json)]))))
        return .object(JSONObject(members).appending(unrecognized))
    }
}
