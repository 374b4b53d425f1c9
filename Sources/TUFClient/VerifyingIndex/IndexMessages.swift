import TUFMetadata

/// A request to the verifying index, as the HTTP layer hands it over (no sockets here).
public struct IndexRequest: Sendable {
    public enum Method: String, Sendable { case get = "GET", head = "HEAD" }

    public let method: Method
    /// The request target as sent: an absolute path, percent-encoded, maybe with a query.
    public let uri: String
    /// The `Accept` header, when sent (PEP 691 content negotiation).
    public let accept: String?
    /// The `Range` header, when sent.
    public let range: String?

    public init(method: Method, uri: String, accept: String? = nil, range: String? = nil) {
        self.method = method; self.uri = uri; self.accept = accept; self.range = range
    }

    /// The path part of `uri` (before `?` or `#`).
    var path: String { String(uri.prefix { $0 != "?" && $0 != "#" }) }

    /// The value of query parameter `name`, percent-decoded.
    func query(_ name: String) -> String? {
        guard let start = uri.firstIndex(of: "?") else { return nil }
        for pair in uri[uri.index(after: start)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.first.map(String.init) == name {
                return PercentEncoding.decode(parts.count > 1 ? String(parts[1]).replacingPlus() : "")
            }
        }
        return nil
    }
}

private extension String {
    /// `+` is a space in a query string.
    func replacingPlus() -> String { String(map { $0 == "+" ? " " : $0 }) }
}

/// The answer of the verifying index: a status, headers and a body from memory or from a
/// verified file of the cache.
public struct IndexResponse: Sendable {
    public enum Body: Sendable {
        case bytes([UInt8])
        /// `length` bytes from `offset` of a verified cache file, held open since it was
        /// checked: sent from that descriptor a chunk at a time, never whole in memory or reopened.
        case file(OpenFile, offset: Int64, length: Int64)
        /// The answer to HEAD: no bytes, and the length a GET would send.
        case head(length: Int64)

        public var length: Int64 {
            switch self {
            case .bytes(let bytes): Int64(bytes.count)
            case .file(_, _, let length): length
            case .head(let length): length
            }
        }
    }

    public let status: Int
    /// The reason phrase of the status line. For a refusal it is the one-line reason, since
    /// pip prints the reason phrase of a failed download (`409 Client Error: <reason>`).
    public let reason: String
    public let headers: [(name: String, value: String)]
    public let body: Body

    public init(status: Int, reason: String, headers: [(name: String, value: String)] = [], body: Body = .bytes([])) {
        self.status = status; self.reason = reason; self.headers = headers; self.body = body
    }

    /// The value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// A plain-text answer of one line. The line often quotes the request path or a name from
    /// the network: control and bidi characters in it are shown escaped (`DisplayText`).
    static func text(_ status: Int, _ reason: String, _ line: String, headers: [(name: String, value: String)] = []) -> IndexResponse {
        IndexResponse(status: status, reason: reason, headers: [("Content-Type", "text/plain; charset=utf-8")] + headers,
                      body: .bytes(Array((DisplayText.escaped(line) + "\n").utf8)))
    }
}
