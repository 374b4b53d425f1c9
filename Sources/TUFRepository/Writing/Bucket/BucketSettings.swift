import TUFCanonicalJSON

/// The policy's `publish` setting: the bucket a repository publishes to, so that every
/// command (cron's `timestamp` too) goes there without being told. Credentials are never
/// part of it: they come from the environment, as the AWS tools take them.
///
/// ```
/// "publish": {"cache_control": {"immutable": "...", "mutable": "..."},
///             "endpoint": "http://127.0.0.1:8333", "url": "s3://bucket/prefix"}
/// ```
public struct BucketSettings: Sendable, Equatable {
    /// `s3://BUCKET/PREFIX`.
    public var url: String
    /// An S3-compatible endpoint; nil for AWS's of the region.
    public var endpoint: String?
    public var cache: BucketCachePolicy

    /// Checks the form of `url` and `endpoint` and the Cache-Control values; the store's own
    /// rules (bucket names, endpoint parts) are checked when the bucket is opened, before
    /// anything is written (TUFRepositoryS3's `open`).
    public init(url: String, endpoint: String? = nil, cache: BucketCachePolicy = BucketCachePolicy()) throws(RepositoryError) {
        guard url.hasPrefix("s3://"), url.count > 5 else {
            throw RepositoryError(.invalidArgument, "\(url): not an s3://BUCKET/PREFIX URL")
        }
        if let endpoint, !(endpoint.hasPrefix("http://") || endpoint.hasPrefix("https://")) {
            throw RepositoryError(.invalidArgument, "S3 endpoint \(endpoint): not an http(s) URL")
        }
        for value in [cache.mutable, cache.immutable] where value.isEmpty || value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw RepositoryError(.invalidArgument, "Cache-Control \(value): empty, or with a control character")
        }
        self.url = url; self.endpoint = endpoint; self.cache = cache
    }

    init(json: JSON, file: String) throws(RepositoryError) {
        guard let o = json.objectValue, let url = o["url"]?.stringValue else {
            throw RepositoryError(.invalidMetadata, "\(file).publish: expected an object with \"url\"")
        }
        let cache = o["cache_control"]?.objectValue
        try self.init(url: url, endpoint: o["endpoint"]?.stringValue,
                      cache: BucketCachePolicy(mutable: cache?["mutable"]?.stringValue ?? BucketCachePolicy.defaultMutable,
                                               immutable: cache?["immutable"]?.stringValue ?? BucketCachePolicy.defaultImmutable))
    }

    var json: JSON {
        var members: [JSONObject.Member] = [
            .init(key: "cache_control", value: .object(JSONObject([.init(key: "immutable", value: .string(cache.immutable)),
                                                                  .init(key: "mutable", value: .string(cache.mutable))]))),
        ]
        if let endpoint { members.append(.init(key: "endpoint", value: .string(endpoint))) }
        members.append(.init(key: "url", value: .string(url)))
        return .object(JSONObject(members))
    }
}
