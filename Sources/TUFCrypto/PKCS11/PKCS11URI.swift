/// A PKCS#11 URI (RFC 7512) naming a token and a key object on it:
/// `pkcs11:token=Root%20keys;object=root-1?module-path=/usr/lib/softhsm/libsofthsm2.so`.
/// Values are percent-decoded; `id` is raw bytes. The PIN is never taken from the URI: a
/// `pin-value` attribute is refused, because a URI is an argument that every user can read.
public struct PKCS11URI: Sendable, Equatable, CustomStringConvertible {
    /// `token`: the token label (CK_TOKEN_INFO.label without its padding).
    public var token: String?
    /// `manufacturer`, `serial` and `model` of the token, when given.
    public var manufacturer: String?
    public var serial: String?
    public var model: String?
    /// `slot-id`: the slot number.
    public var slotID: UInt?
    /// `object`: the key's CKA_LABEL.
    public var object: String?
    /// `id`: the key's CKA_ID bytes.
    public var id: [UInt8]?
    /// `type`: private, public, cert, secret-key or data (a signer needs private or none).
    public var type: String?
    /// `module-path` query attribute: the module to load.
    public var modulePath: String?
    /// `pin-source` query attribute: a file holding the PIN (RFC 7512 leaves its form to the
    /// application: here a path or a `file:` URI).
    public var pinSource: String?
    /// The URI as given (it holds no secret: `pin-value` is refused).
    public let text: String

    /// Path attributes RFC 7512 defines that this project reads or accepts without using.
    static let pathAttributes: Set<String> = [
        "token", "manufacturer", "serial", "model", "object", "id", "type",
        "library-manufacturer", "library-description", "library-version",
        "slot-manufacturer", "slot-description", "slot-id",
    ]
    static let queryAttributes: Set<String> = ["module-path", "module-name", "pin-source", "pin-value"]

    /// True when `text` is meant as a PKCS#11 URI (the scheme is case-insensitive), so callers
    /// can tell it from a key file path.
    public static func isURI(_ text: String) -> Bool {
        text.utf8.count >= 7 && text.prefix(7).lowercased() == "pkcs11:"
    }

    /// Parses `text`; a syntax error, an unknown or repeated attribute, or `pin-value` is a
    /// `.badURI` error that quotes the attribute (never a PIN value).
    public init(_ text: String) throws(CryptoError) {
        self.text = text
        guard Self.isURI(text) else { throw CryptoError(.badURI, "\(text): a PKCS#11 URI starts with pkcs11:") }
        let rest = Substring(text.dropFirst(7))
        let (pathPart, queryPart): (Substring, Substring?) = {
            guard let q = rest.firstIndex(of: "?") else { return (rest, nil) }
            return (rest[..<q], rest[rest.index(after: q)...])
        }()
        var seen: Set<String> = []
        for attribute in pathPart.split(separator: ";", omittingEmptySubsequences: false) where !(attribute.isEmpty && pathPart.isEmpty) {
            let (name, value) = try Self.split(attribute, in: text)
            guard Self.pathAttributes.contains(name) || name.hasPrefix("x-") else {
                throw CryptoError(.badURI, "\(text): unknown PKCS#11 URI attribute '\(name)'")
            }
            guard seen.insert(name).inserted else { throw CryptoError(.badURI, "\(text): attribute '\(name)' is repeated") }
            let bytes = try Self.percentDecode(value, attribute: name, in: text)
            switch name {
            case "id": id = bytes
            case "slot-id":
                guard let n = UInt(Self.string(bytes, name, text: text)) else {
                    throw CryptoError(.badURI, "\(text): slot-id must be a decimal number")
                }
                slotID = n
            default:
                let s = try Self.utf8(bytes, name, text: text)
                switch name {
                case "token": token = s
                case "manufacturer": manufacturer = s
                case "serial": serial = s
                case "model": model = s
                case "object": object = s
                case "type":
                    guard ["private", "public", "cert", "secret-key", "data"].contains(s) else {
                        throw CryptoError(.badURI, "\(text): type must be private, public, cert, secret-key or data, not '\(s)'")
                    }
                    type = s
                default: break  // library-*, slot-manufacturer/description, x-*: accepted, not used
                }
            }
        }
        if let queryPart {
            var seenQuery: Set<String> = []
            for attribute in queryPart.split(separator: "&", omittingEmptySubsequences: false) {
                let (name, value) = try Self.split(attribute, in: text)
                if name == "pin-value" {
                    throw CryptoError(.badURI, "the PKCS#11 URI carries pin-value; a PIN in a URI is visible to every user of the machine: "
                                      + "remove it and give the PIN through the environment variable (--pin-env) or the prompt")
                }
                guard Self.queryAttributes.contains(name) || name.hasPrefix("x-") else {
                    throw CryptoError(.badURI, "\(text): unknown PKCS#11 URI query attribute '\(name)'")
                }
                guard seenQuery.insert(name).inserted else { throw CryptoError(.badURI, "\(text): attribute '\(name)' is repeated") }
                let s = try Self.utf8(try Self.percentDecode(value, attribute: name, in: text), name, text: text)
                switch name {
                case "module-path": modulePath = s
                case "pin-source": pinSource = s
                default: break  // module-name: the path is what loads a module here
                }
            }
        }
        if let type, type != "private", type != "public" {
            throw CryptoError(.badURI, "\(text): type=\(type) does not name a key pair")
        }
    }

    public var description: String { text }

    /// How errors name the key: `token "T" object "O"` (or its id in hex).
    public var keyName: String {
        var parts: [String] = []
        if let token { parts.append("token \"\(token)\"") }
        if let object { parts.append("object \"\(object)\"") }
        if let id { parts.append("id \(Hex.encode(id))") }
        return parts.isEmpty ? text : parts.joined(separator: " ")
    }

    private static func split(_ attribute: Substring, in text: String) throws(CryptoError) -> (String, Substring) {
        guard let eq = attribute.firstIndex(of: "="), eq != attribute.startIndex else {
            throw CryptoError(.badURI, "\(text): '\(attribute)' is not NAME=VALUE")
        }
        return (String(attribute[..<eq]).lowercased(), attribute[attribute.index(after: eq)...])
    }

    /// Decodes %XX escapes; a stray '%' or a character RFC 7512 reserves is an error.
    static func percentDecode(_ value: Substring, attribute: String, in text: String) throws(CryptoError) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(value.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%") {
                guard bytes.count >= 2, let hi = Hex.value(of: bytes.removeFirst()), let lo = Hex.value(of: bytes.removeFirst()) else {
                    throw CryptoError(.badURI, "\(text): bad percent-encoding in \(attribute)")
                }
                out.append(hi << 4 | lo)
            } else if b == UInt8(ascii: "/") && attribute != "module-path" && attribute != "pin-source" || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") || b < 0x21 || b > 0x7E {
                throw CryptoError(.badURI, "\(text): \(attribute) holds a character that must be percent-encoded")
            } else {
                out.append(b)
            }
        }
        return out
    }


    private static func utf8(_ bytes: [UInt8], _ name: String, text: String) throws(CryptoError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else { throw CryptoError(.badURI, "\(text): \(name) is not UTF-8") }
        return s
    }

    private static func string(_ bytes: [UInt8], _ name: String, text: String) -> String { String(decoding: bytes, as: UTF8.self) }
}
