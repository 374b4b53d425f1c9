/// One byte range of an HTTP `Range` header (RFC 9110 14.1.2), resolved against a file's
/// length. uv reads a wheel's metadata with ranges from the end of the file.
public enum ByteRange: Equatable, Sendable {
    /// Bytes `start` through `end` inclusive.
    case satisfiable(start: Int64, end: Int64)
    /// A range outside the file: 416.
    case unsatisfiable
    /// No usable single range (absent, malformed, several ranges, another unit): send the
    /// whole file, as RFC 9110 allows a server to ignore the header.
    case whole

    public static func parse(_ header: String?, length: Int64) -> ByteRange {
        guard let header else { return .whole }
        let text = Substring(header).trimmingSpaces()
        guard text.lowercased().hasPrefix("bytes="), !text.contains(",") else { return .whole }
        let spec = text.dropFirst("bytes=".count)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingSpaces(), last = spec[spec.index(after: dash)...].trimmingSpaces()
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard let n = Int64(last), last.allSatisfy(\.isASCIIDigit) else { return .whole }
            guard n > 0, length > 0 else { return .unsatisfiable }
            return .satisfiable(start: max(0, length - n), end: length - 1)
        }
        guard let start = Int64(first), first.allSatisfy(\.isASCIIDigit) else { return .whole }
        let end: Int64
        if last.isEmpty {
            end = length - 1
        } else {
            guard let value = Int64(last), last.allSatisfy(\.isASCIIDigit), value >= start else { return .whole }
            end = min(value, length - 1)
        }
        guard start < length else { return .unsatisfiable }
        return .satisfiable(start: start, end: end)
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
