import Foundation
import Testing
import TUFCrypto
import TUFTestSupport
@testable import TUFObjectStore

/// AWS Signature Version 4: AWS's published examples, then botocore's own signatures for the
/// requests a publication makes (conditional PUTs, listings, deletes, odd object names).
@Suite struct SigV4Tests {
    static let docs = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                                              secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                                  region: "us-east-1")
    /// 2013-05-24T00:00:00Z, the time of the S3 documentation's examples.
    static let docsTime: Int64 = 1_369_353_600

    static func signature(_ authorization: String?) -> String? {
        authorization?.components(separatedBy: "Signature=").last
    }

    /// The S3 API reference's examples of header signing (GET object with a range, GET
    /// bucket lifecycle, list objects).
    @Test(arguments: [
        ("/test.txt", [(String, String)](), [("range", "bytes=0-9")], "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        ("/", [("lifecycle", "")], [], "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        ("/", [("max-keys", "2"), ("prefix", "J")], [], "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ])
    func s3DocumentationExamples(_ path: String, _ query: [(String, String)], _ headers: [(String, String)], _ expected: String) {
        let request = SigV4Request(method: "GET", path: path, query: query.map { (name: $0.0, value: $0.1) },
                                   headers: [(name: "Host", value: "examplebucket.s3.amazonaws.com")] + headers.map { (name: $0.0, value: $0.1) },
                                   payloadSHA256: SigV4Request.emptyPayloadSHA256)
        let added = Self.docs.sign(request, at: Self.docsTime)
        #expect(added.map(\.name) == ["x-amz-date", "x-amz-content-sha256", "authorization"])
        #expect(added[0].value == "20130524T000000Z")
        #expect(Self.signature(added.last?.value) == expected)
    }

    /// AWS's generic test suite (service "service"): get-vanilla, and one header given three
    /// times, whose values are joined in order.
    @Test func genericSuiteVanillaAndRepeatedHeader() {
        let signer = SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
                                 region: "us-east-1", service: "service")
        let time: Int64 = 1_440_938_160 // 2015-08-30T12:36:00Z
        let vanilla = SigV4Request(method: "GET", path: "/", headers: [(name: "Host", value: "example.amazonaws.com")],
                                   payloadSHA256: SigV4Request.emptyPayloadSHA256)
        let a = signer.sign(vanilla, at: time)
        #expect(a.map(\.name) == ["x-amz-date", "authorization"])
        #expect(a.last?.value == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        var repeated = vanilla
        repeated.headers += [(name: "My-Header1", value: "value2"), (name: "My-Header1", value: "value2"), (name: "My-Header1", value: "value1")]
        #expect(Self.signature(signer.sign(repeated, at: time).last?.value) == "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea")
    }

    @Test func headersAreTrimmedLowerCasedAndSortedByByte() {
        let headers = SigV4Signer.canonicalHeaders([(name: "X-B", value: "  a   b  "), (name: "host", value: "h"), (name: "X-a", value: "1")])
        #expect(headers.map(\.name) == ["host", "x-a", "x-b"])
        #expect(headers.last?.value == "a b")
    }

    @Test(arguments: [("simple/café/index.json", true, "simple/caf%C3%A9/index.json"), ("a b+c$/d", true, "a%20b%2Bc%24/d"),
                      ("a/b", false, "a%2Fb"), ("-._~AZaz09", false, "-._~AZaz09")])
    func uriEncodingKeepsOnlyUnreservedBytes(_ text: String, _ keepSlash: Bool, _ expected: String) {
        #expect(URIEncoding.encode(text, keepSlash: keepSlash) == expected)
    }

    @Test func credentialsComeFromTheEnvironmentAndTheSecretIsNeverDescribed() throws {
        let c = try AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value", "AWS_SESSION_TOKEN": "tok"])
        #expect(c.sessionToken == "tok")
        #expect(!"\(c)".contains("s3cr3t"))
        #expect(throws: ObjectStoreError(.credentials, "")) { _ = try AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKID"]) }
        #expect(throws: ObjectStoreError(.credentials, "")) { _ = try AWSCredentials.fromEnvironment([:]) }
        #expect(AWSCredentials.region(["AWS_DEFAULT_REGION": "eu-west-1"]) == "eu-west-1")
        #expect(AWSCredentials.region(["AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "eu-west-1"]) == "eu-north-1")
        #expect(AWSCredentials.region([:]) == "us-east-1")
    }

    /// The requests a bucket publication makes, signed here and by botocore (the AWS SDK for
    /// Python), must carry the same Authorization header.
    @Test(.enabled(if: Interop.enabled)) func signaturesMatchBotocore() throws {
        struct Case { let method, path, query: String; let headers: [(name: String, value: String)]; let body: String }
        let cases = [
            Case(method: "PUT", path: "/tuf-bucket/pypi/metadata/1.root.json", query: "", headers: [
                (name: "Content-Type", value: "application/json"), (name: "If-None-Match", value: "*"),
                (name: "Cache-Control", value: "public, max-age=31536000, immutable")], body: "{\"signed\": {}}"),
            Case(method: "PUT", path: "/tuf-bucket/pypi/metadata/timestamp.json", query: "", headers: [
                (name: "Cache-Control", value: "public,   max-age=60 ")], body: "ts"),
            Case(method: "GET", path: "/tuf-bucket", query: "list-type=2&prefix=pypi%2Fmetadata%2F&continuation-token=a%2Bb%2Fc%3D", headers: [], body: ""),
            Case(method: "DELETE", path: "/tuf-bucket/pypi/targets/simple/café/1 2$+.index.json", query: "", headers: [], body: ""),
            Case(method: "HEAD", path: "/tuf-bucket/pypi/metadata/3.snapshot.json", query: "", headers: [(name: "X-Amz-Meta-Note", value: "a  b")], body: ""),
        ]
        let credentials = AWSCredentials(accessKeyID: "AKIDTUFTEST", secretAccessKey: "not/a+real=secret", sessionToken: "session-token-123")
        let signer = SigV4Signer(credentials: credentials, region: "eu-central-1")
        let time: Int64 = 1_796_400_000
        let spec: [String: Any] = [
            "region": "eu-central-1", "service": "s3", "access": credentials.accessKeyID, "secret": "not/a+real=secret",
            "token": "session-token-123", "time": time,
            "requests": cases.map { c -> [String: Any] in
                let encodedPath = c.path.split(separator: "/", omittingEmptySubsequences: false)
                    .map { URIEncoding.encode(String($0), keepSlash: false) }.joined(separator: "/")
                return ["method": c.method, "url": "http://127.0.0.1:8333\(encodedPath)\(c.query.isEmpty ? "" : "?" + c.query)",
                        "headers": c.headers.map { [$0.name, $0.value] }, "body": c.body]
            },
        ]
        let json = String(decoding: try JSONSerialization.data(withJSONObject: spec), as: UTF8.self)
        let result = try Interop.runPython("sigv4_botocore.py", [json])
        try #require(result.status == 0, "\(result.output)")
        let theirs = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        try #require(theirs.count == cases.count)
        for (c, expected) in zip(cases, theirs) {
            let query = c.query.split(separator: "&").map { pair -> (name: String, value: String) in
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { String($0).removingPercentEncoding ?? "" }
                return (kv[0], kv.count > 1 ? kv[1] : "")
            }
            let request = SigV4Request(method: c.method, path: c.path, query: query,
                                       headers: [(name: "host", value: "127.0.0.1:8333")] + c.headers,
                                       payloadSHA256: Hex.encode(Hash.digest(.sha256, Array(c.body.utf8))))
            let ours = Dictionary(signer.sign(request, at: time), uniquingKeysWith: { a, _ in a })
            #expect(ours["x-amz-content-sha256"] == expected["X-Amz-Content-SHA256"] as? String, "\(c.method) \(c.path)")
            #expect(ours["x-amz-security-token"] == expected["X-Amz-Security-Token"] as? String)
            #expect(ours["authorization"] == expected["Authorization"] as? String, "\(c.method) \(c.path)")
        }
    }
}
