/// Eight-bytes-at-a-time scanning for string bodies, the hottest loop of parsing and
/// encoding (key ids and hashes are long runs of plain ASCII).
enum SWAR {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    @inline(__always) static func hasZeroByte(_ x: UInt64) -> Bool {
        (x &- ones) & ~x & highs != 0
    }

    @inline(__always) static func hasByte(_ x: UInt64, _ b: UInt8) -> Bool {
        hasZeroByte(x ^ (ones &* UInt64(b)))
    }

    /// True when a byte is `"`, `\`, a control character (< 0x20) or non-ASCII (>= 0x80).
    @inline(__always) static func needsAttentionInJSONString(_ x: UInt64) -> Bool {
        x & highs != 0 || (x &- ones &* 0x20) & ~x & highs != 0 || hasByte(x, 0x22) || hasByte(x, 0x5C)
    }

    /// True when a byte is `"` or `\`.
    @inline(__always) static func hasQuoteOrBackslash(_ x: UInt64) -> Bool {
        hasByte(x, 0x22) || hasByte(x, 0x5C)
    }

    /// Offset of the first 8-byte block at or after `from` that needs a closer look (or the
    /// start of the tail shorter than 8 bytes).
    @inline(__always) static func skipPlain(_ bytes: UnsafeBufferPointer<UInt8>, from: Int,
                                            _ special: (UInt64) -> Bool) -> Int {
        guard let base = bytes.baseAddress else { return from }
        var i = from
        while i + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
            if special(word) { return i }
            i += 8
        }
        return i
    }
}
