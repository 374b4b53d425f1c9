/// A strict JSON parser for TUF metadata: integers only, no duplicate keys, bounded depth and
/// size, exact strings. Malformed input is a `JSONError` with its byte offset, never a crash.
public struct JSONParser: Sendable {
    /// Deepest nesting accepted; TUF metadata needs fewer than ten levels.
    public var maxDepth: Int
    /// Largest input accepted, in bytes.
    public var maxBytes: Int

    public init(maxDepth: Int = 64, maxBytes: Int = 512 << 20) {
        self.maxDepth = maxDepth; self.maxBytes = maxBytes
    }

    /// Parses one JSON value that spans all of `bytes` (whitespace around it allowed).
    public func parse(_ bytes: some Collection<UInt8>) throws(JSONError) -> JSON {
        guard bytes.count <= maxBytes else {
            throw JSONError(.tooLarge, at: 0, "input of \(bytes.count) bytes exceeds the limit of \(maxBytes)")
        }
        let result: Result<JSON, JSONError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(JSONError) -> JSON in try parseBuffer(buffer) }
        }
        if let result { return try result.get() }
        let array = Array(bytes)
        return try array.withUnsafeBufferPointer { buffer throws(JSONError) in try parseBuffer(buffer) }
    }

    private func parseBuffer(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONError) -> JSON {
        var reader = Reader(bytes: buffer, maxDepth: maxDepth)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.index != buffer.count {
            throw JSONError(.trailingData, at: reader.index, "unexpected data after the JSON value")
        }
        return value
    }
}

private struct Reader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0
    // Scratch stacks shared by all nesting levels: members and elements collect here and are
    // copied once into an exactly sized array when their container closes, instead of each
    // container's array regrowing several times.
    let memberStack = MoveStack<JSONObject.Member>()
    let elementStack = MoveStack<JSON>()

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes; self.maxDepth = maxDepth
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    func peek() throws(JSONError) -> UInt8 {
        guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: index, "unexpected end of input") }
        return bytes[index]
    }

    mutating func parseValue(depth: Int) throws(JSONError) -> JSON {
        switch try peek() {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseInteger())
        case let c: throw unexpected(c)
        }
    }

    func unexpected(_ c: UInt8) -> JSONError {
        let shown = (0x21...0x7E).contains(c) ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
        return JSONError(.unexpectedCharacter, at: index, "unexpected \(shown)")
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw JSONError(.unexpectedEnd, at: index, "unexpected end of input") }
        let start = word.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] {
            throw unexpected(bytes[index + i])
        }
        index += count
    }

    mutating func parseObject(depth: Int) throws(JSONError) -> JSON {
        guard depth <= maxDepth else { throw JSONError(.tooDeep, at: index, "nesting deeper than \(maxDepth)") }
        index += 1
        let base = memberStack.count
        var seen: Set<ExactKey>? = nil
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") { index += 1; return .object(JSONObject()) }
        while true {
            skipWhitespace()
            let keyOffset = index
            guard try peek() == UInt8(ascii: "\"") else { throw unexpected(bytes[index]) }
            let key = try parseString()
            // Small objects scan; large ones (snapshot meta, bins) switch to a set.
            if memberStack.count - base < 16 {
                for i in base..<memberStack.count where UTF8Order.equal(memberStack[i].key, key) { throw duplicate(key, keyOffset) }
            } else {
                if seen == nil { seen = Set((base..<memberStack.count).map { ExactKey(memberStack[$0].key) }) }
                if !seen!.insert(ExactKey(key)).inserted { throw duplicate(key, keyOffset) }
            }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw unexpected(bytes[index]) }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            memberStack.push(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(JSONObject(memberStack.popArray(from: base)))
            case let c: throw unexpected(c)
            }
        }
    }

    func duplicate(_ key: String, _ offset: Int) -> JSONError {
        JSONError(.duplicateKey, at: offset, "duplicate object key \"\(key)\"")
    }

    mutating func parseArray(depth: Int) throws(JSONError) -> JSON {
        guard depth <= maxDepth else { throw JSONError(.tooDeep, at: index, "nesting deeper than \(maxDepth)") }
        index += 1
        let base = elementStack.count
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") { index += 1; return .array([]) }
        while true {
            skipWhitespace()
            let element = try parseValue(depth: depth)
            elementStack.push(element)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(elementStack.popArray(from: base))
            case let c: throw unexpected(c)
            }
        }
    }

    mutating func parseInteger() throws(JSONError) -> Int64 {
        let start = index
        var negative = false
        if bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        let digitsStart = index
        // Accumulate as a negative number so that Int64.min is representable.
        var value: Int64 = 0
        var overflow = false
        while index < bytes.count, case let c = bytes[index], c >= 0x30, c <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.subtractingReportingOverflow(Int64(c - 0x30))
            overflow = overflow || o1 || o2
            value = s
            index += 1
        }
        let digitCount = index - digitsStart
        guard digitCount > 0 else {
            throw JSONError(.invalidNumber, at: start, "a number needs digits")
        }
        if digitCount > 1, bytes[digitsStart] == UInt8(ascii: "0") {
            throw JSONError(.invalidNumber, at: start, "leading zeros are not allowed")
        }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw JSONError(.numberNotInteger, at: start, "only integers are allowed in TUF metadata")
        }
        if negative {
            guard !overflow else { throw JSONError(.integerOutOfRange, at: start, "integer below the 64-bit range") }
            return value
        }
        guard !overflow, value != Int64.min else {
            throw JSONError(.integerOutOfRange, at: start, "integer above the 64-bit range")
        }
        return -value
    }

    mutating func parseString() throws(JSONError) -> String {
        let start = index
        index += 1
        // Fast path: no escapes, so the bytes are the string once UTF-8 is validated.
        var scan = index
        var ascii = true
        while scan < bytes.count {
            scan = SWAR.skipPlain(bytes, from: scan, SWAR.needsAttentionInJSONString)
            guard scan < bytes.count else { break }
            let c = bytes[scan]
            if c == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: bytes[index..<scan])
                if ascii {
                    index = scan + 1
                    return String(unsafeUninitializedCapacity: slice.count) { out in
                        _ = out.initialize(fromContentsOf: slice)
                        return slice.count
                    }
                }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONError(.invalidUTF8, at: index, "string is not valid UTF-8")
                }
                index = scan + 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw JSONError(.controlCharacterInString, at: scan, "unescaped control character in string") }
            if c >= 0x80 { ascii = false }
            scan += 1
        }
        guard scan < bytes.count else { throw JSONError(.unexpectedEnd, at: start, "unterminated string") }
        return try parseEscapedString(start: start)
    }

    mutating func parseEscapedString(start: Int) throws(JSONError) -> String {
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: start, "unterminated string") }
            let c = bytes[index]
            switch c {
            case UInt8(ascii: "\""):
                index += 1
                guard let s = String(validating: out, as: UTF8.self) else {
                    throw JSONError(.invalidUTF8, at: start, "string is not valid UTF-8")
                }
                return s
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw JSONError(.unexpectedEnd, at: start, "unterminated string") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): try appendUnicodeEscape(to: &out)
                default: throw JSONError(.invalidEscape, at: index - 2, "invalid escape sequence")
                }
            default:
                if c < 0x20 { throw JSONError(.controlCharacterInString, at: index, "unescaped control character in string") }
                out.append(c)
                index += 1
            }
        }
    }

    mutating func readHex4() throws(JSONError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw JSONError(.unexpectedEnd, at: index, "truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw JSONError(.invalidEscape, at: index, "invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }

    mutating func appendUnicodeEscape(to out: inout [UInt8]) throws(JSONError) {
        let at = index - 2
        var code = try readHex4()
        if (0xD800...0xDBFF).contains(code) {
            // A high surrogate must be followed by an escaped low surrogate.
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                throw JSONError(.loneSurrogate, at: at, "unpaired surrogate in \\u escape")
            }
            index += 2
            let low = try readHex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONError(.loneSurrogate, at: at, "unpaired surrogate in \\u escape") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(code) {
            throw JSONError(.loneSurrogate, at: at, "unpaired surrogate in \\u escape")
        }
        guard let scalar = Unicode.Scalar(code) else { throw JSONError(.invalidEscape, at: at, "invalid code point") }
        out.append(contentsOf: UTF8.encode(scalar)!)
    }
}
