import TUFObjectStore
import TUFRepository

/// A bucket of an S3-compatible store (`S3Client`), as a publication uses it: puts of one
/// step go out several at a time, and the step is acknowledged when every one was.
final class S3Bucket: ObjectBucket {
    let client: S3Client
    /// How many requests of one step are in flight at once.
    let concurrency: Int

    init(client: S3Client, concurrency: Int = 16) {
        self.client = client; self.concurrency = max(1, concurrency)
    }

    var name: String { client.location.description }

    func get(_ key: String, maxBytes: Int) throws(RepositoryError) -> [UInt8]? {
        let client = client
        return try BlockingBridge.run { () async throws(RepositoryError) -> [UInt8]? in
            do throws(ObjectStoreError) { return try await client.get(key, maxBytes: maxBytes)?.bytes } catch { throw RepositoryError(error) }
        }
    }

    func getMany(_ keys: [String], maxBytes: Int) throws(RepositoryError) -> [[UInt8]?] {
        let client = client
        return try inParallel(keys) { (key) async throws(RepositoryError) -> [UInt8]? in
            do throws(ObjectStoreError) { return try await client.get(key, maxBytes: maxBytes)?.bytes } catch { throw RepositoryError(error) }
        }
    }

    func put(_ objects: [BucketObject]) throws(RepositoryError) -> [BucketPutOutcome] {
        let client = client
        return try inParallel(objects) { (o) async throws(RepositoryError) -> BucketPutOutcome in
            do throws(ObjectStoreError) {
                let r = try await client.put(o.key, o.bytes, contentType: o.contentType, cacheControl: o.cacheControl, ifNoneMatch: o.createOnly)
                return r == .alreadyExists ? .taken : .stored
            } catch { throw RepositoryError(error) }
        }
    }

    func delete(_ keys: [String]) throws(RepositoryError) {
        let client = client
        _ = try inParallel(keys) { (key) async throws(RepositoryError) -> Bool in
            do throws(ObjectStoreError) { try await client.delete(key) } catch { throw RepositoryError(error) }
            return true
        }
    }

    func list(_ prefix: String) throws(RepositoryError) -> [String: Int64] {
        let client = client
        return try BlockingBridge.run { () async throws(RepositoryError) -> [String: Int64] in
            do throws(ObjectStoreError) {
                let listed = try await client.list(prefix: prefix)
                return Dictionary(listed.map { ($0.key, $0.size) }, uniquingKeysWith: { a, _ in a })
            } catch { throw RepositoryError(error) }
        }
    }

    /// `body` over `items`, at most `concurrency` at once, results in order; the first error
    /// is thrown once every request started has ended (none is left running).
    private func inParallel<I: Sendable, T: Sendable>(_ items: [I], _ body: @escaping @Sendable (I) async throws(RepositoryError) -> T) throws(RepositoryError) -> [T] {
        guard !items.isEmpty else { return [] }
        let width = concurrency
        return try BlockingBridge.run { () async throws(RepositoryError) -> [T] in
            let results = await withTaskGroup(of: (Int, Result<T, RepositoryError>).self) { group in
                var results = [Result<T, RepositoryError>?](repeating: nil, count: items.count)
                var next = 0
                func start() {
                    let i = next; next += 1
                    group.addTask {
                        do throws(RepositoryError) { return (i, .success(try await body(items[i]))) } catch { return (i, .failure(error)) }
                    }
                }
                while next < min(width, items.count) { start() }
                var failed = false
                while let (i, r) = await group.next() {
                    results[i] = r
                    if case .failure = r { failed = true }
                    if !failed, next < items.count { start() }
                }
                return results
            }
            // Items never started (after a failure) have no result: the failure comes first.
            if let failure = results.first(where: { if case .failure = $0 { true } else { false } }), case .failure(let e)? = failure { throw e }
            return try results.map { (r) throws(RepositoryError) -> T in try r!.get() }
        }
    }
}
