import TUFCanonicalJSON
import TUFCrypto

/// A role delegated by name, with the target paths it is trusted for.
public struct DelegatedRole: Sendable, Equatable {
    public var name: String
    public var keyIDs: [String]
    public var threshold: Int
    /// When true, a search that reaches this role for a matching path stops here.
    public var terminating: Bool
    /// Glob patterns (`*` and `?` do not cross `/`); exclusive with `pathHashPrefixes`.
    public var paths: [String]?
    /// Hex prefixes of the SHA-256 of the target path; exclusive with `paths`.
    public var pathHashPrefixes: [String]?
    public var unrecognized: JSONObject

    public init(name: String, keyIDs: [String], threshold: Int, terminating: Bool = false,
                paths: [String]? = nil, pathHashPrefixes: [String]? = nil) {
        self.name = name; self.keyIDs = keyIDs; self.threshold = threshold; self.terminating = terminating
        self.paths = paths; self.pathHashPrefixes = pathHashPrefixes; self.unrecognized = JSONObject()
    }

    public init(json: JSON, context: String) throws(MetadataError) {
        self.init(try Fields(json: json, context: context))
    }

    public var json: JSON {
        var members: [JSONObject.Member] = [
            .init(key: "keyids", value: .array(keyIDs.map { .string($0) })),
            .init(key: "name", value: .string(name)),
        ]
        if let pathHashPrefixes { members.append(.init(key: "path_hash_prefixes", value: .array(pathHashPrefixes.map { .string($0) }))) }
        if let paths { members.append(.init(key: "paths", value: .array(paths.map { .string($0) }))) }
        members.append(.init(key: "terminating", value: .bool(terminating)))
        members.append(.init(key: "threshold", value: .int(Int64(threshold))))
        return .object(JSONObject(members).appending(unrecognized))
    }

    /// True when this role is trusted for `targetPath`.
    public func isDelegated(path targetPath: String) -> Bool {
        isDelegated(path: targetPath, pathDigest: { Self.pathDigest(targetPath) })
    }

    /// Hex SHA-256 of a target path, what `path_hash_prefixes` are prefixes of.
    public static func pathDigest(_ targetPath: String) -> String {
        Hex.encode(Hash.digest(.sha256, Array(targetPath.utf8)))
    }

    /// `isDelegated(path:)` with the path's digest supplied (and computed at most once) by the
    /// caller: a search over 16384 hashed bins must not hash the path 16384 times.
    func isDelegated(path targetPath: String, pathDigest: () -> String) -> Bool {
        Self.isDelegated(path: targetPath, paths: paths, pathHashPrefixes: pathHashPrefixes, pathDigest: pathDigest)
    }
}
