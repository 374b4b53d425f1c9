import TUFCanonicalJSON

/// The four kinds of TUF role metadata.
public enum RoleType: String, Sendable, CaseIterable {
    case root, targets, snapshot, timestamp
}

/// The fields every `signed` object has: `_type`, `spec_version`, `version`, `expires`.
public struct SignedCommon: Sendable, Equatable {
    /// The specification version this toolkit writes.
    public static let specVersion = "1.0.31"

    public var specVersion: String
    /// The version, at least 1.
    public var version: Int64
    public var expires: Expiry

    public init(version: Int64 = 1, expires: Expiry, specVersion: String = SignedCommon.specVersion) {
        self.specVersion = specVersion; self.version = version; self.expires = expires
    }

    /// Reads the common fields, checking `_type` against `type`.
    init(reader r: inout FieldReader, type: RoleType) throws(MetadataError) {
        let found = try r.string("_type")
        guard found == type.rawValue else {
            throw MetadataError(.wrongType, "\(r.context)._type: expected \"\(type.rawValue)\", found \"\(found)\"")
        }
        specVersion = try r.string("spec_version")
        // python-tuf's rule: two or three dot-separated parts, major version 1.
        let parts = specVersion.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts[0] == "1" else {
            throw MetadataError(.unsupportedSpecVersion, "\(r.context).spec_version: unsupported version \"\(specVersion)\"")
        }
        version = try r.int("version")
        guard version >= 1 else { throw MetadataError(.invalidValue, "\(r.context).version: must be at least 1, is \(version)") }
        let text = try r.string("expires")
        guard let expiry = Expiry(iso8601: text) else {
            throw MetadataError(.invalidValue, "\(r.context).expires: \"\(text)\" is not YYYY-MM-DDTHH:MM:SSZ")
        }
        expires = expiry
    }

    func members(type: RoleType) -> [JSONObject.Member] {
        [
            .init(key: "_type", value: .string(type.rawValue)),
            .init(key: "expires", value: .string(expires.iso8601)),
            .init(key: "spec_version", value: .string(specVersion)),
            .init(key: "version", value: .int(version)),
        ]
    }

    /// True when the metadata has expired at `time` (spec: expired when expiry <= now).
    public func isExpired(at time: Expiry) -> Bool { expires <= time }
}

/// The `signed` part of one kind of role metadata.
public protocol SignedPayload: Sendable, Equatable {
    /// The `_type` this payload has.
    static var type: RoleType { get }
    var common: SignedCommon { get set }
    /// Fields of `signed` this version does not know, kept for the round trip.
    var unrecognized: JSONObject { get }
    /// Reads the payload from the `signed` JSON object.
    init(json: JSON, context: String) throws(MetadataError)
    /// The `signed` JSON object.
    var json: JSON { get }
}

extension SignedPayload {
    /// The version.
    public var version: Int64 {
        get { common.version }
        set { common.version = newValue }
    }
    /// The expiry.
    public var expires: Expiry {
        get { common.expires }
        set { common.expires = newValue }
    }
}
