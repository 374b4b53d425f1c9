import TUFCanonicalJSON

/// Reads the known fields of a JSON object one by one; what is left over is kept as the
/// object's unrecognized fields, so unknown fields survive a round trip.
struct FieldReader {
    private(set) var remaining: JSONObject
    /// Where this object sits, for error messages: `root.signed.keys["ab12…"]`.
    let context: String

    init(_ value: JSON, context: String) throws(MetadataError) {
        guard let object = value.objectValue else {
            throw MetadataError(.malformed, "\(context): expected an object, found \(value.kindName)")
        }
        self.remaining = object
        self.context = context
    }

    mutating func take(_ key: String) -> JSON? {
        guard let i = remaining.index(of: key) else { return nil }
        return remaining.members.remove(at: i).value
    }

    mutating func require(_ key: String) throws(MetadataError) -> JSON {
        guard let value = take(key) else { throw MetadataError(.malformed, "\(context): missing field \"\(key)\"") }
        return value
    }

    func wrongKind(_ key: String, _ expected: String, _ value: JSON) -> MetadataError {
        MetadataError(.malformed, "\(context).\(key): expected \(expected), found \(value.kindName)")
    }

    /// The value of `key` as the kind `extract` gives, or nil when absent.
    mutating func optional<T>(_ key: String, _ kind: String, _ extract: (JSON) -> T?) throws(MetadataError) -> T? {
        guard let value = take(key) else { return nil }
        guard let typed = extract(value) else { throw wrongKind(key, kind, value) }
        return typed
    }

    /// The value of `key` as the kind `extract` gives; absent is an error.
    mutating func required<T>(_ key: String, _ kind: String, _ extract: (JSON) -> T?) throws(MetadataError) -> T {
        guard let typed = try optional(key, kind, extract) else { throw MetadataError(.malformed, "\(context): missing field \"\(key)\"") }
        return typed
    }

    mutating func string(_ key: String) throws(MetadataError) -> String { try required(key, "a string", \.stringValue) }
    mutating func int(_ key: String) throws(MetadataError) -> Int64 { try required(key, "an integer", \.intValue) }
    mutating func optionalInt(_ key: String) throws(MetadataError) -> Int64? { try optional(key, "an integer", \.intValue) }
    mutating func optionalBool(_ key: String) throws(MetadataError) -> Bool? { try optional(key, "a boolean", \.boolValue) }
    mutating func object(_ key: String) throws(MetadataError) -> JSONObject { try required(key, "an object", \.objectValue) }

    mutating func stringArray(_ key: String) throws(MetadataError) -> [String] {
        let value = try require(key)
        return try Self.strings(value, "\(context).\(key)")
    }

    mutating func optionalStringArray(_ key: String) throws(MetadataError) -> [String]? {
        guard let value = take(key) else { return nil }
        return try Self.strings(value, "\(context).\(key)")
    }

    static func strings(_ value: JSON, _ where_: String) throws(MetadataError) -> [String] {
        guard let array = value.arrayValue else {
            throw MetadataError(.malformed, "\(where_): expected an array, found \(value.kindName)")
        }
        var out: [String] = []
        out.reserveCapacity(array.count)
        for element in array {
            guard let s = element.stringValue else {
                throw MetadataError(.malformed, "\(where_): expected strings, found \(element.kindName)")
            }
            out.append(s)
        }
        return out
    }

    /// Runs `body` for one element of a large collection with an empty context and prefixes
    /// the element's path to an error message only when there is an error: building the path
    /// eagerly for each of 16384 roles costs more than parsing them.
    @inline(__always)
    static func inContext<T>(_ parent: String, _ element: @autoclosure () -> String,
                             _ body: (String) throws(MetadataError) -> T) throws(MetadataError) -> T {
        do { return try body("") } catch { throw MetadataError(error.code, parent + element() + error.message) }
    }

    /// Builds a dictionary from a JSON object; keys that Swift's `String` would merge
    /// (different Unicode normalisation) are rejected rather than silently merged.
    static func dictionary<V>(_ object: JSONObject, _ where_: String,
                              _ element: (String, JSON) throws(MetadataError) -> V) throws(MetadataError) -> [String: V] {
        var out: [String: V] = [:]
        out.reserveCapacity(object.count)
        for member in object.members {
            let value = try element(member.key, member.value)
            guard out.updateValue(value, forKey: member.key) == nil else {
                throw MetadataError(.malformed, "\(where_): keys \"\(member.key)\" collide under Unicode normalisation")
            }
        }
        return out
    }
}

extension JSONObject {
    /// Appends `other`'s members (unrecognized fields) after the known ones.
    func appending(_ other: JSONObject) -> JSONObject {
        JSONObject(members + other.members)
    }
}

/// Encodes a dictionary as a JSON object with keys in byte order (canonical order anyway).
func encodeDictionary<V>(_ dictionary: [String: V], _ encode: (V) -> JSON) -> JSON {
    // The keys are sorted alone, then the members built in order: sorting the members moved
    // each JSON value (retain, release) at every swap, which made a 16384-role snapshot's
    // sort most of an upload's time.
    let keys = dictionary.keys.sorted(by: UTF8Order.precedes)
    var members: [JSONObject.Member] = []
    members.reserveCapacity(keys.count)
    for k in keys { members.append(.init(key: k, value: encode(dictionary[k]!))) }
    return .object(JSONObject(members))
}
