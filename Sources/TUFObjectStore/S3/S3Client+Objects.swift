import AsyncHTTPClient
import NIOHTTP1

extension S3Client {
    /// Stores `bytes` at `key`. `ifNoneMatch`: create only (`If-None-Match: *`), for files
    /// that must never be overwritten (versioned metadata, hash-prefixed targets); a taken
    /// key is `.alreadyExists`, never an error, and leaves the stored object as it was. A
    /// create-only PUT retried after a dropped connection may meet its own first attempt
    /// that way, which is why the caller compares bytes rather than trusting the 412.
    public func put(_ key: String, _ bytes: [UInt8], contentType: String? = nil, cacheControl: String? = nil,
                    ifNoneMatch: Bool = false) async throws(ObjectStoreError) -> S3PutResult {
        var headers: [(name: String, value: String)] = []
        if let contentType { headers.append(("content-type", contentType)) }
        if let cacheControl { headers.append(("cache-control", cacheControl)) }
        if ifNoneMatch { headers.append(("if-none-match", "*")) }
        let call = S3Call(method: .PUT, key: try location.fullKey(key), headers: headers, body: bytes, bodyLimit: Self.errorBodyLimit)
        let answer = try await send(call)
        if answer.isSuccess { return .created(etag: answer.headers.first(name: "etag")) }
        if ifNoneMatch, answer.status == 412 { return .alreadyExists }
        throw failure(call, answer)
    }

    /// The object at `key`, or nil when there is none; a body longer than `maxBytes` is `.tooLarge`.
    public func get(_ key: String, maxBytes: Int) async throws(ObjectStoreError) -> S3Object? {
        let call = S3Call(method: .GET, key: try location.fullKey(key), bodyLimit: max(0, maxBytes))
        let answer = try await send(call)
        if answer.isSuccess { return S3Object(info: info(key, answer.headers), bytes: answer.body) }
        if try await isMissingObject(call, answer) { return nil }
        throw failure(call, answer)
    }

    /// The metadata of the object at `key`, or nil when there is none.
    public func head(_ key: String) async throws(ObjectStoreError) -> S3ObjectInfo? {
        let call = S3Call(method: .HEAD, key: try location.fullKey(key))
        let answer = try await send(call)
        if answer.isSuccess { return info(key, answer.headers) }
        if try await isMissingObject(call, answer) { return nil }
        throw failure(call, answer)
    }

    /// Deletes the object at `key`; a key with no object is no error (S3 answers 204 either way).
    public func delete(_ key: String) async throws(ObjectStoreError) {
        let call = S3Call(method: .DELETE, key: try location.fullKey(key))
        let answer = try await send(call)
        if answer.isSuccess || answer.status == 404 && S3ErrorResponse(status: 404, body: answer.body).code != "NoSuchBucket" { return }
        throw failure(call, answer)
    }

    /// Creates the bucket (tests and first set-up; a publication never creates buckets).
    /// A bucket this account already owns is no error.
    public func createBucket() async throws(ObjectStoreError) {
        let call = S3Call(method: .PUT, key: nil, bodyLimit: Self.errorBodyLimit)
        let answer = try await send(call)
        if answer.isSuccess { return }
        if S3ErrorResponse(status: answer.status, body: answer.body).code == "BucketAlreadyOwnedByYou" { return }
        throw failure(call, answer)
    }

    /// A 404 is a missing object, unless the store says the bucket is missing (a GET body says
    /// so; a HEAD has no body, so the bucket is asked about).
    private func isMissingObject(_ call: S3Call, _ answer: S3Answer) async throws(ObjectStoreError) -> Bool {
        guard answer.status == 404 else { return false }
        if call.method != .HEAD { return S3ErrorResponse(status: 404, body: answer.body).code != "NoSuchBucket" }
        let bucket = try await send(S3Call(method: .HEAD, key: nil))
        if bucket.status == 404 { throw ObjectStoreError(.noSuchBucket, "\(name(call)): the bucket does not exist (HTTP 404)") }
        return true
    }

    private func info(_ key: String, _ headers: HTTPHeaders) -> S3ObjectInfo {
        S3ObjectInfo(key: key, size: headers.first(name: "content-length").flatMap { Int64($0) }, etag: headers.first(name: "etag"),
                     contentType: headers.first(name: "content-type"), cacheControl: headers.first(name: "cache-control"))
    }
}
