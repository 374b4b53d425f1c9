import TUFCanonicalJSON
import TUFObjectStore

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

    /// Checks `url` and `endpoint` as a publication will read them.
    public init(url: String, endpoint: String? = nil, cache: BucketCachePolicy = BucketCachePolicy()) throws(RepositoryError) {
        do throws(ObjectStoreError) {
            _ = try S3Location(url: url)
            if let endpoint { _ = try S3Endpoint(endpoint) }
        } catch { throw RepositoryError(.invalidArgument, error.message) }
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

    /// The bucket, with credentials and region from `environment`.
    public func open(environment: [String: String]) throws(RepositoryError) -> BucketPublication {
        try BucketPublication(url: url, endpoint: endpoint, environment: environment, cache: cache)
    }
}
