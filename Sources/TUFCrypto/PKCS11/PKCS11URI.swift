/// A PKCS#11 URI (RFC 7512) naming a token and a key object on it:
/// `pkcs11:token=Root%20keys;object=root-1?module-path=/usr/lib/softhsm/libsofthsm2.so`.
/// Values are percent-decoded; `id` is raw bytes. The PIN is never taken from the URI: a
/// `pin-value` attribute is refused, because a URI is an argument that every user can read.
/// Messages and `description` show the values of `token` and `object` only (`redacted`):
/// a PIN typed into any other attribute by mistake never reaches a terminal or a log.
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
    /// The URI as given. Not for messages: print `description`, which hides attribute values.
    public let text: String

    /// Path attributes RFC 7512 defines that this project reads or accepts without using.
    static let pathAttributes: Set<String> = [
        "token", "manufacturer", "serial", "model", "object", "id", "type",
        "library-manufacturer", "library-description", "library-version",
        "slot-manufacturer", "slot-description", "slot-id",
    ]
    static let queryAttributes: Set<String> = ["module-path", "module-name", "pin-source"]
    static let types: Set<String> = ["private", "public", "cert", "secret-key", "data"]

    /// True when `text` is meant as a PKCS#11 URI (the scheme is case-insensitive), so callers
    /// can tell it from a key file path.
    public static func isURI(_ text: String) -> Bool {
        text.utf8.count >= 7 && text.prefix(7).lowercased() == "pkcs11:"
    }

    /// Parses `text`. `pin-value` anywhere is refused before anything else is looked at; then
    /// a syntax error or an unknown or repeated attribute is a `.badURI` error that shows the
    /// URI `redacted` and names the attribute, never a value other than token and object.
    public init(_ text: String) throws(CryptoError) {
        guard Self.isURI(text) else { throw CryptoError(.badURI, "not a PKCS#11 URI: one starts with pkcs11:") }
        try Self.refusePINValue(text)
        self.text = text
        let (path, query) = Self.parts(text)
        try parsePath(path)
        if let query { try parseQuery(query) }
        if let type, type != "private", type != "public" {
            throw CryptoError(.badURI, "\(description): type=\(type) does not name a key pair")
        }
    }

    /// Throws when `text` carries `pin-value` (in the path or the query, in any case, even
    /// percent-encoded in its name), whatever else is wrong with it. The CLIs call it first.
    public static func refusePINValue(_ text: String) throws(CryptoError) {
        let rest = Substring(text.dropFirst(min(7, text.count)))
        for part in rest.split(whereSeparator: { $0 == ";" || $0 == "?" || $0 == "&" }) {
            let rawName = part.prefix { $0 != "=" }
            let name = (try? percentDecode(rawName, attribute: "", in: "")).map { String(decoding: $0, as: UTF8.self) } ?? String(rawName)
            if name.lowercased() == "pin-value" {
                throw CryptoError(.badURI, "the PKCS#11 URI carries pin-value; a PIN in a URI is visible to every user of the machine: remove it "
                                  + "and give the PIN through a file (?pin-source=/path, mode 0600), the environment (--pin-env VAR) or the prompt")
            }
        }
    }

    /// The path and query after `pkcs11:`, split at the first `?`.
    static func parts(_ text: String) -> (path: Substring, query: Substring?) {
        let rest = Substring(text.dropFirst(min(7, text.count)))
        guard let q = rest.firstIndex(of: "?") else { return (rest, nil) }
        return (rest[..<q], rest[rest.index(after: q)...])
    }

    private mutating func parsePath(_ path: Substring) throws(CryptoError) {
        guard !path.isEmpty else { return }
        var seen: Set<String> = []
        for (n, attribute) in path.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let (name, value) = try split(attribute, number: n + 1)
            guard Self.pathAttributes.contains(name) || name.hasPrefix("x-") else {
                throw CryptoError(.badURI, "\(description): unknown PKCS#11 URI attribute '\(name)'")
            }
            guard seen.insert(name).inserted else { throw CryptoError(.badURI, "\(description): attribute '\(name)' is repeated") }
            try assign(path: name, Self.percentDecode(value, attribute: name, in: description))
        }
    }

    private mutating func assign(path name: String, _ bytes: [UInt8]) throws(CryptoError) {
        switch name {
        case "id": id = bytes
        case "slot-id":
            guard let n = UInt(String(decoding: bytes, as: UTF8.self)) else {
                throw CryptoError(.badURI, "\(description): slot-id must be a decimal number")
            }
            slotID = n
        default:
            let s = try utf8(bytes, name)
            switch name {
            case "token": token = s
            case "manufacturer": manufacturer = s
            case "serial": serial = s
            case "model": model = s
            case "object": object = s
            case "type":
                guard Self.types.contains(s) else {
                    throw CryptoError(.badURI, "\(description): type must be private, public, cert, secret-key or data")
                }
                type = s
            default: break  // library-*, slot-manufacturer/description, x-*: accepted, not used
            }
        }
    }

    private mutating func parseQuery(_ query: Substring) throws(CryptoError) {
        var seen: Set<String> = []
        for (n, attribute) in query.split(separator: "&", omittingEmptySubsequences: false).enumerated() {
            let (name, value) = try split(attribute, number: n + 1, query: true)
            guard Self.queryAttributes.contains(name) || name.hasPrefix("x-") else {
                throw CryptoError(.badURI, "\(description): unknown PKCS#11 URI query attribute '\(name)'")
            }
            guard seen.insert(name).inserted else { throw CryptoError(.badURI, "\(description): attribute '\(name)' is repeated") }
            let s = try utf8(Self.percentDecode(value, attribute: name, in: description), name)
            switch name {
            case "module-path": modulePath = s
            case "pin-source": pinSource = s
            default: break  // module-name: the path is what loads a module here
            }
        }
    }

    /// The URI with every attribute value but token's and object's as `…` (and a part that is
    /// not NAME=VALUE, or whose name or value is not plain printable ASCII, as `…` whole).
    public var description: String { Self.redacted(text) }

    /// `text` as `description` shows it; for a URI that did not parse too.
    static func redacted(_ text: String) -> String {
        func shown(_ attribute: Substring) -> String {
            guard let eq = attribute.firstIndex(of: "="), isName(attribute[..<eq]) else { return "…" }
            let name = attribute[..<eq], value = attribute[attribute.index(after: eq)...]
            let visible = ["token", "object"].contains(name.lowercased()) && value.utf8.allSatisfy { (0x21...0x7E).contains($0) }
            return visible ? String(attribute) : name + "=…"
        }
        let (path, query) = parts(text)
        var out = "pkcs11:" + (path.isEmpty ? "" : path.split(separator: ";", omittingEmptySubsequences: false).map(shown).joined(separator: ";"))
        if let query { out += "?" + query.split(separator: "&", omittingEmptySubsequences: false).map(shown).joined(separator: "&") }
        return out
    }

    /// How errors name the key: `token "T" object "O"` (the URI's other values are not shown).
    public var keyName: String {
        var parts: [String] = []
        if let token { parts.append("token \"\(token)\"") }
        if let object { parts.append("object \"\(object)\"") } else if id != nil { parts.append("id=…") }
        return parts.isEmpty ? description : parts.joined(separator: " ")
    }

    /// An attribute name as RFC 7512 spells them: letters, digits and '-'.
    private static func isName(_ s: Substring) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { b in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || b == UInt8(ascii: "-")
        }
    }

    /// NAME=VALUE, the name lowercased. A bad part is named by its position, not quoted.
    private func split(_ attribute: Substring, number: Int, query: Bool = false) throws(CryptoError) -> (String, Substring) {
        guard let eq = attribute.firstIndex(of: "="), Self.isName(attribute[..<eq]) else {
            throw CryptoError(.badURI, "\(description): \(query ? "query " : "")part \(number) is not NAME=VALUE (a name of letters, digits and '-')")
        }
        return (String(attribute[..<eq]).lowercased(), attribute[attribute.index(after: eq)...])
    }

    /// Decodes %XX escapes; a stray '%' or a character RFC 7512 reserves is an error that
    /// names the attribute; `shown` is how the message names the URI.
    static func percentDecode(_ value: Substring, attribute: String, in shown: String) throws(CryptoError) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(value.utf8)[...]
        let slashAllowed = attribute == "module-path" || attribute == "pin-source"
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%") {
                guard bytes.count >= 2, let hi = Hex.value(of: bytes.removeFirst()), let lo = Hex.value(of: bytes.removeFirst()) else {
                    throw CryptoError(.badURI, "\(shown): bad percent-encoding in \(attribute)")
                }
                out.append(hi << 4 | lo)
            } else if b == UInt8(ascii: "/") && !slashAllowed || b == UInt8(ascii: "?") || b == UInt8(ascii: "#") || b < 0x21 || b > 0x7E {
                throw CryptoError(.badURI, "\(shown): \(attribute) holds a character that must be percent-encoded")
            } else {
                out.append(b)
            }
        }
        return out
    }

    private func utf8(_ bytes: [UInt8], _ name: String) throws(CryptoError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else { throw CryptoError(.badURI, "\(description): \(name) is not UTF-8") }
        return s
    }
}
