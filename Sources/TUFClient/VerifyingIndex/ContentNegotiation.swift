/// PEP 691 content negotiation: which serialization of a simple page the installer asked for.
public enum PageFormat: String, Sendable, CaseIterable {
    case json = "application/vnd.pypi.simple.v1+json"
    case html = "application/vnd.pypi.simple.v1+html"
    /// PEP 503 HTML as legacy clients ask for it.
    case legacyHTML = "text/html"

    /// The format the `Accept` header prefers, by q-value, ties broken JSON first (the
    /// richer format); nil when it accepts none of them (406). No header means legacy HTML,
    /// as PEP 691 asks of servers for clients that predate it. A `format` query parameter,
    /// PEP 691's optional override, wins when it names a known type.
    public static func negotiate(accept: String?, formatParameter: String? = nil) -> PageFormat? {
        if let parameter = formatParameter, let chosen = named(parameter.lowercased()) { return chosen }
        guard let accept, !accept.allSatisfy({ $0 == " " }) else { return .legacyHTML }
        var best: (format: PageFormat, q: Double, rank: Int)?
        for item in accept.split(separator: ",") {
            let fields = item.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
            guard let type = fields.first else { continue }
            var q = 1.0
            for field in fields.dropFirst() where field.hasPrefix("q=") { q = Double(field.dropFirst(2)) ?? 0 }
            guard q > 0 else { continue }
            for format in candidates(for: type) {
                let rank = format.rank
                if best == nil || q > best!.q || (q == best!.q && rank < best!.rank) { best = (format, q, rank) }
            }
        }
        return best?.format
    }

    /// The content type of the answer.
    public var contentType: String {
        switch self {
        case .json: rawValue
        case .html: rawValue
        case .legacyHTML: "text/html; charset=utf-8"
        }
    }

    private var rank: Int {
        switch self {
        case .json: 0
        case .html: 1
        case .legacyHTML: 2
        }
    }

    private static func named(_ type: String) -> PageFormat? {
        switch type {
        case "application/vnd.pypi.simple.v1+json", "application/vnd.pypi.simple.latest+json": .json
        case "application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.latest+html": .html
        case "text/html": .legacyHTML
        default: nil
        }
    }

    private static func candidates(for type: String) -> [PageFormat] {
        if let exact = named(type) { return [exact] }
        switch type {
        case "*/*": return [.json, .html, .legacyHTML]
        case "application/*": return [.json, .html]
        case "text/*": return [.legacyHTML]
        default: return []
        }
    }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
