/// A bucket and a key prefix in it, as `--publish s3://BUCKET/PREFIX` names them. Object keys
/// given to `S3Client` are relative to the prefix.
public struct S3Location: Sendable, Equatable, CustomStringConvertible {
    public let bucket: String
    /// Empty, or ends with `/`.
    public let prefix: String

    /// `bucket` by S3's naming rules (3–63 of `a-z0-9.-`, starting and ending with a letter or
    /// digit), which also keeps it one path segment; `prefix` with a `/` added when missing.
    public init(bucket: String, prefix: String = "") throws(ObjectStoreError) {
        let allowed = Array("abcdefghijklmnopqrstuvwxyz0123456789.-".utf8)
        let bytes = Array(bucket.utf8)
        guard (3...63).contains(bytes.count), bytes.allSatisfy(allowed.contains),
              let first = bytes.first, let last = bytes.last, first != UInt8(ascii: "."), first != UInt8(ascii: "-"),
              last != UInt8(ascii: "."), last != UInt8(ascii: "-") else {
            throw ObjectStoreError(.configuration, "bucket name \(bucket): S3 wants 3 to 63 of a-z, 0-9, '.' and '-', starting and ending with a letter or digit")
        }
        var prefix = prefix
        while prefix.hasPrefix("/") { prefix.removeFirst() }
        if !prefix.isEmpty, !prefix.hasSuffix("/") { prefix += "/" }
        try Self.checkKey(prefix.isEmpty ? "x" : prefix + "x", in: bucket)
        self.bucket = bucket; self.prefix = prefix
    }

    /// Parses `s3://BUCKET` or `s3://BUCKET/PREFIX`.
    public init(url: String) throws(ObjectStoreError) {
        guard url.hasPrefix("s3://") else { throw ObjectStoreError(.configuration, "\(url): not an s3://BUCKET/PREFIX URL") }
        let rest = url.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        try self.init(bucket: String(bucket), prefix: String(rest.dropFirst(bucket.count)))
    }

    /// The full key of `key` (relative to the prefix), after checking it.
    func fullKey(_ key: String) throws(ObjectStoreError) -> String {
        try Self.checkKey(key, in: bucket)
        return prefix + key
    }

    /// A key is a `/`-separated path without empty, `.` or `..` segments: servers and proxies
    /// normalise those away in path-style URLs, so the object written would not be the one named.
    static func checkKey(_ key: String, in bucket: String) throws(ObjectStoreError) {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        guard !key.isEmpty, key.utf8.count <= 1024, !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
            throw ObjectStoreError(.configuration, "object key \(key) in bucket \(bucket): empty, too long, or with an empty, '.' or '..' segment")
        }
    }

    /// `s3://bucket/prefix`.
    public var description: String { "s3://\(bucket)/\(prefix)" }
}
