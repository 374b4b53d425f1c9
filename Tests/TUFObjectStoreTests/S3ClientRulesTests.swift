import Testing
@testable import TUFObjectStore

/// The client's pure rules: endpoints and bucket locations, error codes from S3's answers,
/// which answers are retried, and the backoff's bounds.
@Suite struct S3ClientRulesTests {
    @Test(arguments: [("http://127.0.0.1:8333", "127.0.0.1:8333"), ("https://S3.example.org", "s3.example.org"),
                      ("https://s3.example.org:443/", "s3.example.org"), ("http://[::1]:9000", "[::1]:9000")])
    func endpointsKeepSchemeHostAndPort(_ url: String, _ host: String) throws {
        #expect(try S3Endpoint(url).hostHeader == host)
    }

    @Test(arguments: ["ftp://h", "http://", "http://h/bucket", "http://h?x=1", "http://u:p@h", "s3://b"])
    func endpointsWithMoreThanAnOriginAreRefused(_ url: String) {
        #expect(throws: ObjectStoreError(.configuration, "")) { _ = try S3Endpoint(url) }
    }

    @Test func locationsParseBucketAndPrefix() throws {
        #expect(try S3Location(url: "s3://tuf-bucket") == S3Location(bucket: "tuf-bucket"))
        let l = try S3Location(url: "s3://tuf-bucket/pypi/repo")
        #expect(l.bucket == "tuf-bucket" && l.prefix == "pypi/repo/")
        #expect(try l.fullKey("metadata/1.root.json") == "pypi/repo/metadata/1.root.json")
    }

    @Test(arguments: ["s3://ab", "s3://Upper", "s3://a_b_c", "s3://-abc", "s3://abc./x", "s3://tuf-bucket/a//b", "s3://tuf-bucket/../x",
                      "https://tuf-bucket/x"])
    func badBucketsAndPrefixesAreRefused(_ url: String) {
        #expect(throws: ObjectStoreError(.configuration, "")) { _ = try S3Location(url: url) }
    }

    @Test(arguments: ["", "a/../b", "./a", "a//b", "/a", "a/"])
    func keysWithEmptyDotOrDotDotSegmentsAreRefused(_ key: String) throws {
        let l = try S3Location(bucket: "tuf-bucket")
        #expect(throws: ObjectStoreError(.configuration, "")) { _ = try l.fullKey(key) }
    }

    @Test(arguments: [
        (403, "SignatureDoesNotMatch", ObjectStoreError.Code.signatureMismatch), (403, "InvalidAccessKeyId", .credentials),
        (403, "AccessDenied", .accessDenied), (403, nil, .accessDenied), (404, "NoSuchBucket", .noSuchBucket),
        (412, "PreconditionFailed", .preconditionFailed), (503, "SlowDown", .throttled), (503, nil, .throttled),
        (429, nil, .throttled), (500, "InternalError", .server), (502, nil, .server), (400, "InvalidRequest", .rejected),
        (400, "SlowDown", .throttled),
    ] as [(Int, String?, ObjectStoreError.Code)])
    func errorAnswersMapToCodes(_ status: Int, _ code: String?, _ expected: ObjectStoreError.Code) {
        #expect(S3ErrorResponse(status: status, code: code, message: nil).errorCode == expected)
    }

    @Test func errorBodiesGiveCodeAndMessageAndAnythingElseOnlyTheStatus() {
        let body = Array("<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>1</RequestId></Error>".utf8)
        #expect(S3ErrorResponse(status: 403, body: body).summary == "AccessDenied (HTTP 403): Access Denied")
        #expect(S3ErrorResponse(status: 502, body: Array("<html>bad gateway</html>".utf8)).summary == "HTTP 502")
        let long = Array("<Error><Code>X</Code><Message>\(String(repeating: "m", count: 5000))</Message></Error>".utf8)
        #expect(S3ErrorResponse(status: 400, body: long).message?.count == S3ErrorResponse.maxMessage)
    }

    @Test(arguments: [(500, nil, true), (503, "SlowDown", true), (429, nil, true), (400, "RequestTimeout", true),
                      (400, "SlowDown", true), (403, "AccessDenied", false), (403, "SignatureDoesNotMatch", false),
                      (404, "NoSuchKey", false), (412, "PreconditionFailed", false), (400, "RequestTimeTooSkewed", false)]
          as [(Int, String?, Bool)])
    func onlyTransientAnswersAreRetried(_ status: Int, _ code: String?, _ retried: Bool) {
        #expect(S3RetryPolicy.isRetryable(status: status, code: code) == retried)
    }

    @Test func backoffDoublesUpToItsCapAndJitterStaysBelowTheCeiling() {
        let policy = S3RetryPolicy(maxAttempts: 6, baseDelay: 0.1, maxDelay: 0.5)
        #expect((1...5).map(policy.ceiling(after:)) == [0.1, 0.2, 0.4, 0.5, 0.5])
        for attempt in 1...5 { #expect((0...policy.ceiling(after: attempt)).contains(policy.delay(after: attempt))) }
        #expect(S3RetryPolicy(maxAttempts: 0).maxAttempts == 1)
        #expect(S3RetryPolicy(maxAttempts: 4).ceiling(after: 1000) == 5)
    }
}
