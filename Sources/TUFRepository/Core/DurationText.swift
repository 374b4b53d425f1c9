/// Durations as operators type them: a whole number and a unit, `365d`, `12h`, `30m`, `45s`.
public enum DurationText {
    /// Seconds in `text`; throws `.invalidArgument` for anything else.
    public static func seconds(_ text: String) throws(RepositoryError) -> Int64 {
        guard let unit = text.last, let n = Int64(text.dropLast()), n >= 0, !text.dropLast().contains("+") else {
            throw RepositoryError(.invalidArgument, "\"\(text)\" is not a duration such as 365d, 12h, 30m or 45s")
        }
        let scale: Int64
        switch unit {
        case "d": scale = 86_400
        case "h": scale = 3_600
        case "m": scale = 60
        case "s": scale = 1
        default: throw RepositoryError(.invalidArgument, "\"\(text)\": the unit must be d, h, m or s")
        }
        let (product, overflow) = n.multipliedReportingOverflow(by: scale)
        guard !overflow, product <= 100 * 365 * 86_400 else {
            throw RepositoryError(.invalidArgument, "\"\(text)\" is longer than a hundred years")
        }
        return product
    }

    /// The shortest exact text for `seconds`: `365d`, `12h`, `90m`, `45s`.
    public static func format(_ seconds: Int64) -> String {
        if seconds > 0, seconds % 86_400 == 0 { return "\(seconds / 86_400)d" }
        if seconds > 0, seconds % 3_600 == 0 { return "\(seconds / 3_600)h" }
        if seconds > 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }
}
