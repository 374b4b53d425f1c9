/// An element of the small XML documents S3 answers with (error bodies, listings): its local
/// name (namespace prefix dropped), its own character data, and its child elements in order.
struct XMLElement: Sendable, Equatable {
    var name: String
    var text: String
    var children: [XMLElement]

    /// The first child called `name`.
    func child(_ name: String) -> XMLElement? { children.first { $0.name == name } }

    /// Every child called `name`, in document order.
    func children(_ name: String) -> [XMLElement] { children.filter { $0.name == name } }

    /// The text of the first child called `name`.
    func text(_ name: String) -> String? { child(name)?.text }
}

/// A parser for the subset of XML 1.0 that S3 uses: elements, attributes (read past, not
/// kept), character data with the five predefined entities and character references, CDATA,
/// comments and a `<?xml …?>` declaration. Written here rather than taking FoundationXML:
/// that brings libxml2 into the statically linked tools (Scripts/install) for two element
/// shapes, and libxml2 expands entities from a DTD. A DOCTYPE is refused outright, so no
/// entity ever expands to more than one character; depth is bounded, and the input is a body
/// already cut off at its byte limit, so the tree is bounded by it.
struct XMLTree {
    static let maxDepth = 32

    struct Failure: Error, Equatable { let reason: String }

    private let bytes: [UInt8]
    private var at = 0

    /// The root element of `bytes`, or the reason it is not a document of that subset.
    static func parse(_ bytes: [UInt8]) throws(Failure) -> XMLElement {
        var parser = XMLTree(bytes: bytes)
        try parser.skipMisc()
        guard parser.peek(UInt8(ascii: "<")) else { throw Failure(reason: "no root element") }
        let root = try parser.element(depth: 1)
        try parser.skipMisc()
        guard parser.at == bytes.count else { throw Failure(reason: "content after the root element") }
        return root
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private func peek(_ byte: UInt8) -> Bool { at < bytes.count && bytes[at] == byte }

    private func starts(_ text: String) -> Bool {
        let t = Array(text.utf8)
        return bytes.count - at >= t.count && bytes[at..<at + t.count].elementsEqual(t)
    }

    /// Moves past `end`, failing when the input ends first; returns the bytes before it.
    private mutating func until(_ end: String) throws(Failure) -> ArraySlice<UInt8> {
        let start = at
        while at < bytes.count {
            if starts(end) { defer { at += end.utf8.count }; return bytes[start..<at] }
            at += 1
        }
        throw Failure(reason: "unterminated \(end)")
    }

    private mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[at]) { at += 1 }
    }

    /// White space, comments and processing instructions around the root element.
    private mutating func skipMisc() throws(Failure) {
        while true {
            skipSpace()
            if starts("<?") { _ = try until("?>") }
            else if starts("<!--") { _ = try until("-->") }
            else if starts("<!") { throw Failure(reason: "a DOCTYPE or declaration (refused)") }
            else { return }
        }
    }

    private mutating func name() throws(Failure) -> String {
        let start = at
        while at < bytes.count, !([0x20, 0x09, 0x0A, 0x0D] + Array("/>=".utf8)).contains(bytes[at]) { at += 1 }
        guard at > start, let full = String(validating: bytes[start..<at], as: UTF8.self) else { throw Failure(reason: "bad element name") }
        return full.split(separator: ":").last.map(String.init) ?? full
    }

    /// One element from its `<` to the end of its closing tag.
    private mutating func element(depth: Int) throws(Failure) -> XMLElement {
        guard depth <= Self.maxDepth else { throw Failure(reason: "nested deeper than \(Self.maxDepth)") }
        at += 1
        let name = try name()
        if try skipAttributes() { return XMLElement(name: name, text: "", children: []) }
        var node = XMLElement(name: name, text: "", children: [])
        var text: [UInt8] = []
        while true {
            guard at < bytes.count else { throw Failure(reason: "unterminated <\(name)>") }
            if starts("</") {
                at += 2
                guard try self.name() == name else { throw Failure(reason: "mismatched end of <\(name)>") }
                skipSpace()
                guard peek(UInt8(ascii: ">")) else { throw Failure(reason: "bad end tag of <\(name)>") }
                at += 1
                break
            }
            if starts("<![CDATA[") { at += 9; text += try until("]]>") }
            else if starts("<!--") { _ = try until("-->") }
            else if starts("<?") { _ = try until("?>") }
            else if starts("<!") { throw Failure(reason: "a declaration inside <\(name)> (refused)") }
            else if peek(UInt8(ascii: "<")) { node.children.append(try element(depth: depth + 1)) }
            else if peek(UInt8(ascii: "&")) { text += try XMLEntity.decode(&at, in: bytes) }
            else { text.append(bytes[at]); at += 1 }
        }
        guard let decoded = String(validating: text, as: UTF8.self) else { throw Failure(reason: "text of <\(name)> is not UTF-8") }
        node.text = decoded
        return node
    }

    /// Reads past the attributes to the end of the start tag; true when it was `/>`.
    private mutating func skipAttributes() throws(Failure) -> Bool {
        while true {
            skipSpace()
            guard at < bytes.count else { throw Failure(reason: "unterminated start tag") }
            if starts("/>") { at += 2; return true }
            if peek(UInt8(ascii: ">")) { at += 1; return false }
            _ = try name()
            skipSpace()
            guard peek(UInt8(ascii: "=")) else { throw Failure(reason: "attribute without a value") }
            at += 1
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") || bytes[at] == UInt8(ascii: "'") else {
                throw Failure(reason: "unquoted attribute value")
            }
            let quote = String(UnicodeScalar(bytes[at]))
            at += 1
            _ = try until(quote)
        }
    }
}
