/// XML's references in character data: the five predefined entities and `&#N;` / `&#xN;`.
/// Nothing else: with no DTD there are no other entities, so one reference is one character.
enum XMLEntity {
    private static let named: [String: UInt8] = ["lt": 0x3C, "gt": 0x3E, "amp": 0x26, "quot": 0x22, "apos": 0x27]

    /// The UTF-8 bytes of the reference at `at` (which points at `&`); moves past its `;`.
    static func decode(_ at: inout Int, in bytes: [UInt8]) throws(XMLTree.Failure) -> [UInt8] {
        let start = at + 1
        // Longest reference: `&#x10FFFF;`.
        guard let end = bytes[start..<min(bytes.count, start + 10)].firstIndex(of: UInt8(ascii: ";")),
              let body = String(validating: bytes[start..<end], as: UTF8.self) else {
            throw XMLTree.Failure(reason: "unterminated character reference")
        }
        at = end + 1
        if let byte = named[body] { return [byte] }
        let number: UInt32?
        if body.hasPrefix("#x") { number = UInt32(body.dropFirst(2), radix: 16) }
        else if body.hasPrefix("#") { number = UInt32(body.dropFirst(1), radix: 10) }
        else { number = nil }
        // XML 1.0 forbids NUL and most control characters even as references.
        guard let number, number >= 0x20 || [0x09, 0x0A, 0x0D].contains(number), let scalar = Unicode.Scalar(number) else {
            throw XMLTree.Failure(reason: "unknown reference &\(body);")
        }
        return Array(String(Character(scalar)).utf8)
    }
}
