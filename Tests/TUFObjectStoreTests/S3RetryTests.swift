import Testing
import TUFTestSupport
import TUFObjectStore

/// Retries through the fault proxy, in front of real servers: throttling and server errors
/// are retried with backoff up to the attempt limit, a dropped connection and a stalled
/// answer are retried, a refusal is not. Attempts are counted in the proxy's log.
@Suite(.serialized, .enabled(if: S3TestServer.enabled, S3TestServer.skipReason))
struct S3RetryTests {
    /// `body` with a client whose requests go through a proxy injecting `faults`.
    static func throughProxy(_ server: S3TestServer, _ faults: [S3FaultProxy.Fault], retry: S3RetryPolicy? = nil,
                             readTimeout: Double? = nil, _ body: (S3Client, S3FaultProxy) async throws -> Void) async throws {
        let proxy = try S3FaultProxy(upstream: server.endpoint, faults: faults)
        defer { proxy.stop() }
        var config = try server.configuration(prefix: "repo/", endpoint: proxy.endpoint)
        if let retry { config.retry = retry }
        if let readTimeout { config.readTimeout = readTimeout }
        try await S3Client.withClient(configuration: config, credentials: server.credentials) { try await body($0, proxy) }
    }

    static let fast = S3RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05)

    @Test(arguments: S3TestServer.Kind.allCases)
    func transientFaultsAreRetriedAndRefusalsAreNot(_ kind: S3TestServer.Kind) async throws {
        let server = try await S3TestServer.start(kind)
        defer { server.stop() }
        // Two SlowDowns, then the server: stored, on the third attempt.
        try await Self.throughProxy(server, [.fail(1...2, status: 503, code: "SlowDown")]) { s3, proxy throws in
            #expect(try await s3.put("metadata/1.root.json", [1]) != .alreadyExists)
            #expect(proxy.requests().map(\.action) == ["failed", "failed", "forwarded"])
            #expect(try await s3.get("metadata/1.root.json", maxBytes: 8)?.bytes == [1])
        }
        // Five 500s against four attempts: a server error after four, naming them.
        try await Self.throughProxy(server, [.fail(1...5, status: 500, code: "InternalError")]) { s3, proxy throws in
            let error = await #expect(throws: ObjectStoreError.self) { _ = try await s3.put("metadata/2.root.json", [2]) }
            #expect(error?.code == .server)
            #expect(error?.message.contains("after 4 attempts") == true)
            #expect(error?.message.contains("s3://tuf-test-bucket/repo/metadata/2.root.json at \(proxy.endpoint)") == true)
            #expect(proxy.requests().count == 4)
        }
        // The attempt limit is the caller's.
        try await Self.throughProxy(server, [.fail(1...5, status: 503, code: "SlowDown")],
                                    retry: S3RetryPolicy(maxAttempts: 2, baseDelay: 0.01)) { s3, proxy throws in
            await #expect(throws: ObjectStoreError(.throttled, "")) { _ = try await s3.head("metadata/1.root.json") }
            #expect(proxy.requests().count == 2)
        }
        // A connection reset mid-request: tried again, and the object is stored once.
        try await Self.throughProxy(server, [.drop(1...1)]) { s3, proxy throws in
            #expect(try await s3.put("metadata/3.root.json", [3], ifNoneMatch: true) != .alreadyExists)
            #expect(proxy.requests().map(\.action) == ["dropped", "forwarded"])
        }
        // An answer slower than the read timeout: abandoned and tried again.
        try await Self.throughProxy(server, [.delay(1...1, seconds: 4)], readTimeout: 1) { s3, proxy throws in
            #expect(try await s3.get("metadata/3.root.json", maxBytes: 8)?.bytes == [3])
            #expect(proxy.requests().map(\.action) == ["delayed", "forwarded"])
        }
        // A 403 is final: one attempt.
        try await Self.throughProxy(server, [.fail(1...3, status: 403, code: "AccessDenied")]) { s3, proxy throws in
            await #expect(throws: ObjectStoreError(.accessDenied, "")) { _ = try await s3.put("metadata/4.root.json", [4]) }
            #expect(proxy.requests().count == 1)
        }
    }
}

/// A store that is not there: no server needed.
@Suite struct S3UnreachableTests {
    static let fast = S3RetryPolicy(maxAttempts: 4, baseDelay: 0.01, maxDelay: 0.05)

    @Test func aRefusedConnectionIsANetworkErrorAfterEveryAttempt() async throws {
        let port = try FreePorts.take(1)[0]  // nothing listens there once released
        let config = S3Client.Configuration(endpoint: try S3Endpoint("http://127.0.0.1:\(port)"), region: "us-east-1",
                                            location: try S3Location(bucket: "tuf-test-bucket"), retry: Self.fast, connectTimeout: 2)
        try await S3Client.withClient(configuration: config, credentials: AWSCredentials(accessKeyID: "AKID", secretAccessKey: "s3cr3t")) { s3 throws in
            let error = await #expect(throws: ObjectStoreError.self) { _ = try await s3.head("a") }
            #expect(error?.code == .network)
            #expect(error?.message.contains("after 4 attempts") == true && error?.message.contains("s3cr3t") == false)
        }
    }
}
