/// The `Cache-Control` and `Content-Type` of what a publication puts in a bucket. Versioned
/// names (N.ROLE.json, hash-prefixed targets) never change once published, so a CDN may keep
/// them for a year; `timestamp.json`, `root.json` and plain page names are replaced by every
/// publication, so they are kept briefly (TUF's freeze-attack window is the timestamp's
/// expiry: a cache must not serve one much longer than a publication cycle).
public struct BucketCachePolicy: Sendable, Equatable {
    /// For names replaced by each publication.
    public var mutable: String
    /// For names written once.
    public var immutable: String

    public static let defaultMutable = "public, max-age=60"
    public static let defaultImmutable = "public, max-age=31536000, immutable"

    public init(mutable: String = defaultMutable, immutable: String = defaultImmutable) {
        self.mutable = mutable; self.immutable = immutable
    }

    /// True for the keys every publication replaces: `metadata/timestamp.json`,
    /// `metadata/root.json` and the plain name of a target (not hash-prefixed).
    static func isMutable(_ key: String) -> Bool {
        if key == RepositoryLayout.timestampFile || key == RepositoryLayout.rootFile { return true }
        guard key.hasPrefix(RepositoryLayout.targetsFolder + "/") else { return false }
        return RetentionPlanner.hashPrefixedTarget(String(key.dropFirst(RepositoryLayout.targetsFolder.count + 1))) == nil
    }

    /// The object for `bytes` at `key`: create-only unless the key is mutable.
    func object(_ key: String, _ bytes: [UInt8]) -> BucketObject {
        let mutable = Self.isMutable(key)
        return BucketObject(key: key, bytes: bytes, createOnly: !mutable, contentType: Self.contentType(key),
                            cacheControl: mutable ? self.mutable : immutable)
    }

    /// Metadata and PEP 691 pages are JSON; distribution files are opaque.
    static func contentType(_ key: String) -> String {
        if key.hasPrefix(RepositoryLayout.metadataFolder + "/") { return "application/json" }
        if key.hasSuffix("index.json") { return "application/vnd.pypi.simple.v1+json" }
        return "application/octet-stream"
    }
}
