import TUFCanonicalJSON

/// The keys and threshold of a top-level role, as root lists them.
public struct Role: Sendable, Equatable {
    /// Keyids of the role, unique.
    public var keyIDs: [String]
    /// How many distinct keys must sign; at least 1.
    public var threshold: Int
    public var unrecognized: JSONObject

    public init(keyIDs: [String], threshold: Int) {
        self.keyIDs = keyIDs; self.threshold = threshold; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        var r = try FieldReader(json, context: context)
        keyIDs = try r.stringArray("keyids")
        threshold = try Int(r.int("threshold"))
        unrecognized = r.remaining
        try Self.validate(keyIDs: keyIDs, threshold: threshold, context: context)
    }

    /// Rejects duplicate keyids and a threshold below 1.
    static func validate(keyIDs: [String], threshold: Int, context: @autoclosure () -> String) throws(MetadataError) {
        guard threshold >= 1 else { throw MetadataError(.invalidValue, "\(context()).threshold: must be at least 1, is \(threshold)") }
        // Roles list a handful of keys: a pairwise scan beats building a set, which is kept
        // for long (hostile) lists so the check stays linear.
        if keyIDs.count <= 8 {
            for i in keyIDs.indices {
                for j in keyIDs.indices where j > i && UTF8Order.equal(keyIDs[i], keyIDs[j]) {
                    throw MetadataError(.duplicateKeyID, "\(context()).keyids: keyid \(keyIDs[i]) is listed twice")
                }
            }
        } else {
            var seen = Set<ExactKey>()
            for id in keyIDs where !seen.insert(ExactKey(id)).inserted {
                throw MetadataError(.duplicateKeyID, "\(context()).keyids: keyid \(id) is listed twice")
            }
        }
    }

    /// The role as JSON.
    public var json: JSON {
        .object(JSONObject([
            .init(key: "keyids", value: .array(keyIDs.map { .string($0) })),
            .init(key: "threshold", value: .int(Int64(threshold))),
        ]).appending(unrecognized))
    }
}
