extension S3Client {
    /// A listing page is read up to this many bytes (1000 keys of 1 KiB names, and room).
    static let listBodyLimit = 4 << 20

    /// Every object whose key (relative to the client's prefix) starts with `prefix`, in the
    /// store's order (UTF-8 byte order on S3), page by page through ListObjectsV2's
    /// continuation tokens. `pageSize` is `max-keys` (S3 caps it at 1000); `maxKeys` bounds
    /// the whole listing, so that a store that never ends a listing cannot exhaust memory.
    public func list(prefix: String = "", pageSize: Int = 1000, maxKeys: Int = 10_000_000) async throws(ObjectStoreError) -> [S3ListedObject] {
        if !prefix.isEmpty { try S3Location.checkKey(prefix.hasSuffix("/") ? prefix + "x" : prefix, in: location.bucket) }
        let full = location.prefix + prefix
        var objects: [S3ListedObject] = []
        var token: String?
        repeat {
            var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(max(1, min(pageSize, 1000))))]
            if !full.isEmpty { query.append(("prefix", full)) }
            if let token { query.append(("continuation-token", token)) }
            let call = S3Call(method: .GET, key: nil, query: query, bodyLimit: Self.listBodyLimit)
            let answer = try await send(call)
            guard answer.isSuccess else { throw failure(call, answer) }
            let page = try ListPage(answer.body, prefix: full, named: name(call))
            objects += page.objects.map { S3ListedObject(key: String(decoding: $0.key.utf8.dropFirst(location.prefix.utf8.count), as: UTF8.self), size: $0.size, etag: $0.etag) }
            guard objects.count <= maxKeys else { throw ObjectStoreError(.invalidResponse, "\(name(call)): more than \(maxKeys) keys") }
            // A token handed back unchanged would loop for ever.
            guard page.next == nil || page.next != token else {
                throw ObjectStoreError(.invalidResponse, "\(name(call)): the same continuation token twice")
            }
            token = page.next
        } while token != nil
        return objects
    }
}

/// One page of ListObjectsV2 (`<ListBucketResult>`), checked: every key starts with the
/// prefix asked for (a store that answered with other keys would have a pruner delete
/// objects it was never asked about), and a truncated page names its continuation token.
struct ListPage {
    let objects: [S3ListedObject]
    /// The continuation token when the listing goes on.
    let next: String?

    init(_ body: [UInt8], prefix: String, named name: String) throws(ObjectStoreError) {
        let root: XMLElement
        do { root = try XMLTree.parse(body) } catch {
            throw ObjectStoreError(.invalidResponse, "\(name): the listing is not XML (\(error.reason))")
        }
        guard root.name == "ListBucketResult" else { throw ObjectStoreError(.invalidResponse, "\(name): <\(root.name)> instead of a listing") }
        var objects: [S3ListedObject] = []
        for entry in root.children("Contents") {
            guard let key = entry.text("Key"), key.utf8.starts(with: prefix.utf8),
                  let size = entry.text("Size").flatMap({ Int64($0) }), size >= 0 else {
                throw ObjectStoreError(.invalidResponse, "\(name): an entry with a bad key or size (key \(entry.text("Key") ?? "none"))")
            }
            objects.append(S3ListedObject(key: key, size: size, etag: entry.text("ETag")))
        }
        let truncated = root.text("IsTruncated") == "true"
        let token = root.text("NextContinuationToken").flatMap { $0.isEmpty ? nil : $0 }
        guard !truncated || token != nil else { throw ObjectStoreError(.invalidResponse, "\(name): truncated without a continuation token") }
        self.objects = objects
        next = truncated ? token : nil
    }
}
