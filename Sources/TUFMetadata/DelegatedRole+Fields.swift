import TUFCanonicalJSON

extension DelegatedRole {
    /// The known keys of a role entry.
    private static let knownKeys = ["name", "keyids", "threshold", "terminating", "paths", "path_hash_prefixes"]

    /// One role entry checked by every rule of `init(json:context:)` but read in place: the
    /// strings and arrays stay those of the parsed JSON. A client checks all 16,384 entries
    /// of a hashed-bins role this way and builds a `DelegatedRole` only when asked for one.
    struct Fields: Sendable {
        let object: JSONObject
        let name: String
        let keyIDs: [String]
        let threshold: Int
        let terminating: Bool
        /// Elements are strings (checked).
        let paths: [JSON]?
        /// Elements are strings (checked).
        let pathHashPrefixes: [JSON]?

        init(json: JSON, context: String) throws(MetadataError) {
            guard let object = json.objectValue else {
                throw MetadataError(.malformed, "\(context): expected an object, found \(json.kindName)")
            }
            self.object = object
            let name = try Self.required(object, "name", context, "a string", \.stringValue)
            self.name = name
            // Formatted only for an error: building it for each of 16384 bins showed in profiles.
            func ctx() -> String { "\(context)(\(name))" }
            keyIDs = try FieldReader.strings(try Self.required(object, "keyids", context, "a value") { $0 }, "\(context).keyids")
            threshold = try Int(Self.required(object, "threshold", context, "an integer", \.intValue))
            guard let t = try Self.optional(object, "terminating", context, "a boolean", \.boolValue) else {
                throw MetadataError(.malformed, "\(ctx()): missing field \"terminating\"")
            }
            terminating = t
            paths = try Self.strings(object, "paths", context)
            pathHashPrefixes = try Self.strings(object, "path_hash_prefixes", context)
            guard (paths == nil) != (pathHashPrefixes == nil) else {
                throw MetadataError(.malformed, "\(ctx()): exactly one of \"paths\" and \"path_hash_prefixes\" must be set")
            }
            try Role.validate(keyIDs: keyIDs, threshold: threshold, context: ctx())
        }

        /// The fields not known here, in their order (kept on round trip).
        var unrecognized: JSONObject {
            JSONObject(object.members.filter { m in !DelegatedRole.knownKeys.contains { UTF8Order.equal($0, m.key) } })
        }

        /// True when this role is trusted for `targetPath` (see `DelegatedRole.isDelegated`).
        func isDelegated(path targetPath: String, pathDigest: () -> String) -> Bool {
            DelegatedRole.isDelegated(path: targetPath, paths: paths?.lazy.compactMap(\.stringValue),
                                      pathHashPrefixes: pathHashPrefixes?.lazy.compactMap(\.stringValue), pathDigest: pathDigest)
        }

        private static func optional<T>(_ object: JSONObject, _ key: String, _ context: String, _ kind: String,
                                        _ extract: (JSON) -> T?) throws(MetadataError) -> T? {
            guard let value = object[key] else { return nil }
            guard let typed = extract(value) else {
                throw MetadataError(.malformed, "\(context).\(key): expected \(kind), found \(value.kindName)")
            }
            return typed
        }

        private static func required<T>(_ object: JSONObject, _ key: String, _ context: String, _ kind: String,
                                        _ extract: (JSON) -> T?) throws(MetadataError) -> T {
            guard let typed = try optional(object, key, context, kind, extract) else {
                throw MetadataError(.malformed, "\(context): missing field \"\(key)\"")
            }
            return typed
        }

        /// An optional array of strings, checked but not copied.
        private static func strings(_ object: JSONObject, _ key: String, _ context: String) throws(MetadataError) -> [JSON]? {
            guard let value = object[key] else { return nil }
            guard let array = value.arrayValue else {
                throw MetadataError(.malformed, "\(context).\(key): expected an array, found \(value.kindName)")
            }
            if let bad = array.first(where: { $0.stringValue == nil }) {
                throw MetadataError(.malformed, "\(context).\(key): expected strings, found \(bad.kindName)")
            }
            return array
        }
    }

    /// The role the checked `fields` describe.
    init(_ fields: Fields) {
        self.init(name: fields.name, keyIDs: fields.keyIDs, threshold: fields.threshold, terminating: fields.terminating,
                  paths: fields.paths?.compactMap(\.stringValue), pathHashPrefixes: fields.pathHashPrefixes?.compactMap(\.stringValue))
        unrecognized = fields.unrecognized
    }

    /// The one path rule of a role, for decoded roles and checked entries alike: a glob of
    /// `paths` matches, or the path's SHA-256 starts with one of `pathHashPrefixes`.
    static func isDelegated<S: Sequence<String>>(path targetPath: String, paths: S?, pathHashPrefixes: S?,
                                                 pathDigest: () -> String) -> Bool {
        if let paths {
            return paths.contains { PathPattern.matches(pattern: $0, path: targetPath) }
        }
        if let pathHashPrefixes {
            // Compared as UTF-8 bytes (as python-tuf compares code points), not as Characters.
            let digest = pathDigest()
            return pathHashPrefixes.contains { digest.utf8.starts(with: $0.utf8) }
        }
        return false
    }
}
