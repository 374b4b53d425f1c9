import Testing
import TUFTestSupport
import TUFObjectStore

/// The S3 client against real servers on 127.0.0.1 (seaweedfs and moto, started and stopped
/// by each test): objects round trip with their headers, listings page through continuation
/// tokens, create-only PUTs never overwrite, and refused credentials say where, never what.
@Suite(.serialized, .enabled(if: S3TestServer.enabled, S3TestServer.skipReason))
struct S3ClientServerTests {
    /// Runs `body` with a started server and a client of its bucket under `prefix`; both are
    /// stopped afterwards, whether `body` throws or not.
    static func withServer(_ kind: S3TestServer.Kind, prefix: String = "repo/",
                           _ body: (S3TestServer, S3Client) async throws -> Void) async throws {
        let server = try await S3TestServer.start(kind)
        defer { server.stop() }
        try await S3Client.withClient(configuration: server.configuration(prefix: prefix), credentials: server.credentials) { client in
            try await body(server, client)
        }
    }

    @Test(arguments: S3TestServer.Kind.allCases)
    func objectsRoundTripWithCacheControlAndContentType(_ kind: S3TestServer.Kind) async throws {
        try await Self.withServer(kind) { _, s3 throws in
            let bytes = Array("{\"signed\":{}}".utf8)
            #expect(try await s3.put("metadata/1.root.json", bytes, contentType: "application/json",
                                     cacheControl: "public, max-age=31536000, immutable") != .alreadyExists)
            let object = try #require(try await s3.get("metadata/1.root.json", maxBytes: 1024))
            #expect(object.bytes == bytes)
            #expect(object.info.cacheControl == "public, max-age=31536000, immutable")
            #expect(object.info.contentType == "application/json")
            let info = try #require(try await s3.head("metadata/1.root.json"))
            #expect(info.size == Int64(bytes.count) && info.cacheControl == object.info.cacheControl && info.etag != nil)
            // A plain PUT overwrites (timestamp.json's way).
            _ = try await s3.put("metadata/1.root.json", [1, 2, 3])
            #expect(try await s3.get("metadata/1.root.json", maxBytes: 1024)?.bytes == [1, 2, 3])
            await #expect(throws: ObjectStoreError(.tooLarge, "")) { _ = try await s3.get("metadata/1.root.json", maxBytes: 2) }
            try await s3.delete("metadata/1.root.json")
            #expect(try await s3.get("metadata/1.root.json", maxBytes: 1024) == nil)
            #expect(try await s3.head("metadata/1.root.json") == nil)
            try await s3.delete("metadata/1.root.json")  // deleting nothing is no error
            #expect(try await s3.list().isEmpty)
        }
    }

    /// Target paths hold bytes that URLs encode: the key signed, sent and listed is the one given.
    @Test(arguments: S3TestServer.Kind.allCases)
    func keysWithSpacesPlusAndNonASCIIRoundTrip(_ kind: S3TestServer.Kind) async throws {
        try await Self.withServer(kind) { _, s3 throws in
            let keys = ["simple/café/index.json", "packages/a b+c~d=e&f.whl", "targets/%41 literal percent"]
            for key in keys { _ = try await s3.put(key, Array(key.utf8)) }
            for key in keys { #expect(try await s3.get(key, maxBytes: 1024)?.bytes == Array(key.utf8)) }
            #expect(Set(try await s3.list().map(\.key)) == Set(keys))
            #expect(try await s3.list(prefix: "simple/caf").map(\.key) == ["simple/café/index.json"])
        }
    }

    @Test(arguments: S3TestServer.Kind.allCases)
    func createOnlyPutOnATakenKeyIsAlreadyExistsAndChangesNothing(_ kind: S3TestServer.Kind) async throws {
        try await Self.withServer(kind) { _, s3 throws in
            #expect(try await s3.put("metadata/2.snapshot.json", [1], ifNoneMatch: true) != .alreadyExists)
            // Both servers honour If-None-Match: * (seaweedfs 4.48, moto 5.2.6): 412, object kept.
            #expect(try await s3.put("metadata/2.snapshot.json", [2], ifNoneMatch: true) == .alreadyExists)
            #expect(try await s3.get("metadata/2.snapshot.json", maxBytes: 16)?.bytes == [1])
        }
    }

    @Test(arguments: S3TestServer.Kind.allCases)
    func listingsPageThroughContinuationTokensAndStayInThePrefix(_ kind: S3TestServer.Kind) async throws {
        let server = try await S3TestServer.start(kind)
        defer { server.stop() }
        let proxy = try S3FaultProxy(upstream: server.endpoint, faults: [])
        defer { proxy.stop() }
        let outside = try server.configuration(prefix: "other/")
        try await S3Client.withClient(configuration: outside, credentials: server.credentials) { s3 throws in
            _ = try await s3.put("targets/x", [0])
        }
        try await S3Client.withClient(configuration: server.configuration(prefix: "repo/", endpoint: proxy.endpoint),
                                      credentials: server.credentials) { s3 throws in
            let keys = (0..<25).map { "targets/\($0 < 10 ? "0" : "")\($0).json" } + ["metadata/timestamp.json"]
            for key in keys { _ = try await s3.put(key, Array(key.utf8)) }
            let listed = try await s3.list(prefix: "targets/", pageSize: 10)
            #expect(listed.map(\.key) == keys.filter { $0.hasPrefix("targets/") }.sorted())
            #expect(listed.allSatisfy { $0.size == Int64($0.key.utf8.count) })
            #expect(proxy.requests().filter { $0.path.contains("list-type=2") }.count == 3)
            #expect(try await s3.list().count == 26)
        }
    }

    @Test(arguments: S3TestServer.Kind.allCases)
    func aWrongSecretIsRefusedNamingEndpointAndBucketNeverTheSecret(_ kind: S3TestServer.Kind) async throws {
        let server = try await S3TestServer.start(kind)
        defer { server.stop() }
        let wrong = AWSCredentials(accessKeyID: server.credentials.accessKeyID, secretAccessKey: "wrong-secret-f00d")
        try await S3Client.withClient(configuration: server.configuration(prefix: "repo/"), credentials: wrong) { s3 throws in
            guard kind == .seaweedfs else {
                // moto's server checks no signature at all: whatever the secret, it accepts.
                #expect(try await s3.put("metadata/timestamp.json", [1]) != .alreadyExists)
                return
            }
            let error = await #expect(throws: ObjectStoreError.self) { _ = try await s3.put("metadata/timestamp.json", [1]) }
            #expect(error?.code == .signatureMismatch)
            let message = error?.message ?? ""
            #expect(message.contains(server.endpoint) && message.contains("s3://tuf-test-bucket/repo/metadata/timestamp.json"))
            #expect(message.contains("SignatureDoesNotMatch") && !message.contains("wrong-secret") && !message.contains("test-secret"))
            // Refused outright: one attempt, nothing written.
            #expect(!message.contains("attempts"))
        }
        try await S3Client.withClient(configuration: server.configuration(prefix: "repo/"), credentials: server.credentials) { s3 throws in
            #expect(try await s3.list().count == (kind == .seaweedfs ? 0 : 1))
        }
    }

    @Test(arguments: S3TestServer.Kind.allCases)
    func aMissingBucketIsNoSuchBucketNotAMissingObject(_ kind: S3TestServer.Kind) async throws {
        let server = try await S3TestServer.start(kind)
        defer { server.stop() }
        var config = try server.configuration()
        config.location = try S3Location(bucket: "no-such-bucket")
        try await S3Client.withClient(configuration: config, credentials: server.credentials) { s3 throws in
            await #expect(throws: ObjectStoreError(.noSuchBucket, "")) { _ = try await s3.get("a", maxBytes: 10) }
            await #expect(throws: ObjectStoreError(.noSuchBucket, "")) { _ = try await s3.head("a") }
            await #expect(throws: ObjectStoreError(.noSuchBucket, "")) { _ = try await s3.list() }
        }
    }
}
