import Foundation

/// Where an S3 API answers: `http(s)://host[:port]`, as `--s3-endpoint` and the AWS tools'
/// `--endpoint-url` take it. Buckets are addressed by path (`endpoint/bucket/key`), which
/// every S3-compatible store accepts, on 127.0.0.1 too, where virtual hosts cannot work.
public struct S3Endpoint: Sendable, Equatable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    /// The port when the URL names one.
    public let port: Int?

    /// Parses `url`; a path other than `/`, a query, a fragment or user information is refused,
    /// so that what is signed is what is sent.
    public init(_ url: String) throws(ObjectStoreError) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
              scheme == "http" || scheme == "https" else {
            throw ObjectStoreError(.configuration, "S3 endpoint \(url): not an http(s) URL")
        }
        guard let host = parsed.host, !host.isEmpty else { throw ObjectStoreError(.configuration, "S3 endpoint \(url): no host") }
        guard parsed.path.isEmpty || parsed.path == "/", parsed.query == nil, parsed.fragment == nil,
              parsed.user == nil, parsed.password == nil else {
            throw ObjectStoreError(.configuration, "S3 endpoint \(url): only scheme, host and port are allowed (buckets are given apart)")
        }
        self.scheme = scheme; port = parsed.port
        self.host = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
    }

    /// AWS's own endpoint for `region`.
    public static func aws(region: String) throws(ObjectStoreError) -> S3Endpoint {
        try S3Endpoint("https://s3.\(region).amazonaws.com")
    }

    /// The `Host` header: the port only when it is not the scheme's default (what is signed).
    var hostHeader: String {
        let name = host.contains(":") ? "[\(host)]" : host
        guard let port, port != (scheme == "https" ? 443 : 80) else { return name }
        return "\(name):\(port)"
    }

    /// `scheme://host[:port]`, no final slash.
    public var description: String { "\(scheme)://\(hostHeader)" }
}
