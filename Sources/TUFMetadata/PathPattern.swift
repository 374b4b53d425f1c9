/// Glob matching of delegated target paths as TUF specifies it (5.6.7.1.1): pattern and
/// path are split on `/` and must have as many parts; each part is matched with `*`, `?` and
/// `[…]` classes, so no wildcard crosses a `/`. The split is on the `/` byte
/// (`TargetPath.segments`): split on `Character`s, `/` followed by a combining mark was not
/// a separator and `*.txt` matched `other/\u{301}x.txt`.
public enum PathPattern {
    /// True when `path` matches `pattern`.
    public static func matches(pattern: String, path: String) -> Bool {
        let patternParts = TargetPath.segments(pattern)
        let pathParts = TargetPath.segments(path)
        guard patternParts.count == pathParts.count else { return false }
        // Within a part (no `/` in it), `?` matches one code point, as fnmatch does on text.
        for (p, s) in zip(patternParts, pathParts) where !matchPart(scalars(p), scalars(s)) {
            return false
        }
        return true
    }

    static func scalars(_ part: Substring.UTF8View) -> [Unicode.Scalar] {
        Array(String(decoding: part, as: UTF8.self).unicodeScalars)
    }

    // Iterative wildcard matching with backtracking to the last `*` (linear in practice,
    // no recursion so hostile patterns cannot exhaust the stack).
    static func matchPart(_ p: [Unicode.Scalar], _ s: [Unicode.Scalar]) -> Bool {
        var pi = 0, si = 0
        var starP = -1, starS = 0
        while si < s.count {
            if pi < p.count {
                switch p[pi] {
                case "*":
                    starP = pi; starS = si; pi += 1
                    continue
                case "?":
                    pi += 1; si += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(p, pi, s[si]) {
                        if matched { pi = next; si += 1; continue }
                    } else if s[si] == "[" {
                        // An unclosed `[` is a literal, as in fnmatch.
                        pi += 1; si += 1; continue
                    }
                default:
                    if p[pi] == s[si] { pi += 1; si += 1; continue }
                }
            }
            guard starP >= 0 else { return false }
            pi = starP + 1; starS += 1; si = starS
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }

    /// Matches `c` against the class starting at `p[start] == "["`; nil when unclosed.
    static func matchClass(_ p: [Unicode.Scalar], _ start: Int, _ c: Unicode.Scalar) -> (Bool, Int)? {
        var i = start + 1
        var negate = false
        if i < p.count, p[i] == "!" { negate = true; i += 1 }
        var matched = false
        var first = true
        while i < p.count {
            if p[i] == "]", !first { return (matched != negate, i + 1) }
            first = false
            if i + 2 < p.count, p[i + 1] == "-", p[i + 2] != "]" {
                if p[i].value <= c.value, c.value <= p[i + 2].value { matched = true }
                i += 3
            } else {
                if p[i] == c { matched = true }
                i += 1
            }
        }
        return nil
    }
}
