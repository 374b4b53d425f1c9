/// Rules for role names, compared on UTF-8 bytes.
public enum RoleName {
    static let topLevel: [[UInt8]] = RoleType.allCases.map { Array($0.rawValue.utf8) }

    /// True when `name` is exactly a top-level role name (`root`, `timestamp`, `snapshot`,
    /// `targets`), byte for byte.
    public static func isTopLevel(_ name: String) -> Bool {
        topLevel.contains { name.utf8.elementsEqual($0) }
    }

    /// True when `name` equals a top-level role name ignoring ASCII case (`Root`, `TIMESTAMP`):
    /// on a case-insensitive file system such a name is the top-level role's file.
    public static func isTopLevelIgnoringCase(_ name: String) -> Bool {
        topLevel.contains { name.utf8.elementsEqual($0) { a, b in a | (a >= 0x41 && a <= 0x5A ? 0x20 : 0) == b } }
    }

    /// Throws `.invalidValue` unless `name` can name a delegated role: not empty and no
    /// top-level role name in any ASCII case (5.6: delegated roles are not top-level roles).
    public static func validateDelegated(_ name: String, context: @autoclosure () -> String) throws(MetadataError) {
        guard !name.utf8.isEmpty, !isTopLevelIgnoringCase(name) else {
            throw MetadataError(.invalidValue, "\(context()): \"\(name)\" cannot be a delegated role name")
        }
    }

    /// The number of hashed bin `name` (`<prefix>-<hex>`, `digits` lowercase hex digits, below
    /// `count`), or nil when it is not one of those bins.
    public static func binNumber(_ name: String, prefix: String, digits: Int, count: Int) -> Int? {
        var bytes = name.utf8[...]
        guard bytes.starts(with: prefix.utf8) else { return nil }
        bytes = bytes.dropFirst(prefix.utf8.count)
        guard bytes.first == UInt8(ascii: "-") else { return nil }
        bytes = bytes.dropFirst()
        guard bytes.count == digits, !bytes.isEmpty else { return nil }
        var n = 0
        for b in bytes {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): n = n &* 16 &+ Int(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): n = n &* 16 &+ Int(b - UInt8(ascii: "a") + 10)
            default: return nil
            }
            guard n < count else { return nil }
        }
        return n
    }
}
