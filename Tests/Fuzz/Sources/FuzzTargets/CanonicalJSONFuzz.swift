import TUFCanonicalJSON

/// Parse; when the input parses, each encoding must parse back to an equal value, and
/// encoding that value again must give the same bytes.
enum CanonicalJSONFuzz {
    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        let parser = JSONParser()
        guard let value = try? parser.parse(bytes) else { return }
        let canonical = CanonicalJSON.encode(value)
        // OLPC canonical JSON escapes only `\` and `"`, so a control character in a string is
        // written raw, which no strict JSON parser (ours, Python's) reads back: by design.
        if !containsControlCharacter(value) {
            try roundTrip(canonical, of: value, parser: parser, encoding: "canonical") { CanonicalJSON.encode($0) }
        }
        for style in [PythonJSONEncoder.Style.compact, .pretty] {
            let written = PythonJSONEncoder.encode(value, style: style)
            try roundTrip(written, of: value, parser: parser, encoding: "python \(style)") { PythonJSONEncoder.encode($0, style: style) }
            // Both encoders sort keys the same way: the python form's canonical bytes are the input's.
            if let back = try? parser.parse(written) {
                try require(CanonicalJSON.encode(back) == canonical, "canonical bytes change through the python \(style) form")
            }
        }
    }

    static func roundTrip(_ encoded: [UInt8], of value: JSON, parser: JSONParser, encoding: String,
                          _ encode: (JSON) -> [UInt8]) throws(FuzzFailure) {
        let back: JSON
        do { back = try parser.parse(encoded) } catch {
            throw FuzzFailure("\(encoding) encoding does not parse: \(error)\n\(String(decoding: encoded, as: UTF8.self))")
        }
        try require(back == value, "\(encoding) encoding parses to a different value")
        try require(encode(back) == encoded, "\(encoding) encoding is not stable")
    }

    static func containsControlCharacter(_ value: JSON) -> Bool {
        func has(_ s: String) -> Bool { s.utf8.contains { $0 < 0x20 } }
        switch value {
        case .null, .bool, .int: return false
        case .string(let s): return has(s)
        case .array(let a): return a.contains(where: containsControlCharacter)
        case .object(let o): return o.members.contains { has($0.key) || containsControlCharacter($0.value) }
        }
    }
}
