/// An HTTP request as AWS Signature Version 4 sees it: method, the object path (not yet
/// percent-encoded), query parameters, headers (`host` among them) and the payload's hash.
public struct SigV4Request: Sendable {
    public var method: String
    /// The path, decoded: `/bucket/prefix/1.root.json`. Encoded once when signed (S3's rule:
    /// no second encoding, no `.`/`..` normalisation).
    public var path: String
    public var query: [(name: String, value: String)]
    public var headers: [(name: String, value: String)]
    /// Lowercase hex SHA-256 of the body, or `UNSIGNED-PAYLOAD`.
    public var payloadSHA256: String

    public init(method: String, path: String, query: [(name: String, value: String)] = [],
                headers: [(name: String, value: String)], payloadSHA256: String) {
        self.method = method; self.path = path; self.query = query; self.headers = headers; self.payloadSHA256 = payloadSHA256
    }

    /// The hash of an empty body.
    public static let emptyPayloadSHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
}
