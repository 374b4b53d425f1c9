import Foundation
import Testing
import TUFClient
@testable import TUFHTTPClient
import TUFTestSupport

/// HTTPFetcher against the committed loopback server (Tests/Interop/serve.py) on 127.0.0.1.
@Suite(.enabled(if: Interop.enabled)) struct HTTPFetcherTests {
    /// A served folder with a few files, and the server that tampers on request.
    final class Served {
        let dir = TempDir()
        let server: LoopbackServer
        static let body = (0..<1000).map { UInt8($0 % 251) }

        init(_ arguments: [String] = []) throws {
            for (path, bytes) in [("file.bin", Self.body), ("dir/a b+c%?#.txt", Array("quoted".utf8)),
                                  ("dir/caf\u{e9}.txt", Array("unicode".utf8))] {
                let url = URL(fileURLWithPath: "\(dir.path)/\(path)")
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(bytes).write(to: url)
            }
            server = try LoopbackServer(root: dir.path, arguments: arguments)
        }

        func url(_ quotedPath: String) -> String { "\(server.baseURL)/\(quotedPath)" }
        /// The same for a server started with `--tls`.
        func httpsURL(_ quotedPath: String) -> String { "https://127.0.0.1:\(server.port)/\(quotedPath)" }
    }

    /// Bytes a server's socket can take beyond what the client read before the client's
    /// hang-up reaches it: the loopback send buffer (at most 4 MiB here, tcp_wmem), the
    /// receive buffer (autotuned up from 128 KiB while the client reads) and the one chunk
    /// the client reads ahead. An endless body that is not cut off is 6.5 GB.
    static let inFlight = 8 << 20

    /// The server's response ended (`done`) having sent at most `read` + `inFlight` bytes:
    /// the client stopped reading at the limit and closed the connection.
    static func expectHungUp(_ done: LoopbackServer.Event?, after read: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(done != nil, "the server never ended the response", sourceLocation: sourceLocation)
        #expect((done?.bytes ?? .max) <= read + inFlight, "server sent \(done?.bytes ?? 0) bytes", sourceLocation: sourceLocation)
    }

    @Test func testOKReturnsExactBytes() async throws {
        let s = try Served()
        defer { s.server.stop() }
        #expect(try await fetch(s.url("file.bin"), maxLength: 1000) == Served.body)
    }

    @Test func testUserAgentIsSent() async throws {
        // The server answers 500 only to requests whose User-Agent names the tool.
        let s = try Served(["--status", "/file.bin", "500", "--only-user-agent", "tuf-verify/"])
        defer { s.server.stop() }
        await expectError(.fetchFailed) {
            try await fetch(s.url("file.bin"), maxLength: 1000, userAgent: "tuf-verify/\(TUFClientVersion.string)")
        }
        #expect(try await fetch(s.url("file.bin"), maxLength: 1000) == Served.body)
    }

    @Test func testSlowRetrievalTimesOut() async throws {
        // One byte every two seconds: the idle timeout (1 s here) ends the download.
        let s = try Served(["--slow", "/file.bin"])
        defer { s.server.stop() }
        let error = await thrownError { try await fetch(s.url("file.bin"), maxLength: 1000, idleTimeout: 1) }
        #expect(error?.code == .fetchFailed, "\(String(describing: error))")
        // The idle timeout ended it: not a refused connection nor an HTTP error, also .fetchFailed.
        #expect(error?.message.contains("timed out (no data for 1.0 s)") == true, "\(String(describing: error))")
        // The server accepted the request and was sending the body when the client gave up,
        // before the last of its 30 bytes (which it would send a minute later).
        let events = s.server.events().filter { $0.path == "/file.bin" }
        #expect(events.contains { $0.kind == "tampered" }, "\(events)")
        #expect(events.contains { $0.kind == "sent" && ($0.bytes ?? 0) >= 1 }, "\(events)")
        #expect(!events.contains { $0.kind == "sent" && $0.bytes == 30 }, "\(events)")
    }

    @Test func testNotFoundIsNotFound() async throws {
        let s = try Served()
        defer { s.server.stop() }
        await expectError(.notFound) { try await fetch(s.url("missing.json"), maxLength: 1000) }
    }

    @Test(arguments: ["500", "502", "401", "418"])
    func testOtherStatusIsFetchFailedNotNotFound(status: String) async throws {
        let s = try Served(["--status", "/file.bin", status])
        defer { s.server.stop() }
        await expectError(.fetchFailed) { try await fetch(s.url("file.bin"), maxLength: 1000) }
    }

    @Test func testBodyLongerThanLimitIsDownloadTooLarge() async throws {
        // The length is announced (Content-Length 1000) and above the limit.
        let s = try Served()
        defer { s.server.stop() }
        await expectError(.downloadTooLarge) { try await fetch(s.url("file.bin"), maxLength: 999) }
    }

    @Test func testEndlessBodyIsDownloadTooLarge() async throws {
        // No length announced and a stream of several GB: the fetcher must stop at the limit
        // (were it to read everything, the server would send 6.5 GB first).
        let s = try Served(["--endless", "/timestamp.json"])
        defer { s.server.stop() }
        await expectError(.downloadTooLarge) { try await fetch(s.url("timestamp.json"), maxLength: 16_384) }
        // The client hung up: the server's response ended long before its 6.5 GB.
        let done = s.server.awaitEvent(limit: 60) { $0.kind == "done" && $0.path == "/timestamp.json" }
        Self.expectHungUp(done, after: 16_384)
    }

    @Test func testRedirectToAnotherPortIsRefusedUnasked() async throws {
        // A mirror that points the client at another port (another service of the client's
        // host): refused with both URLs named, and the other listener never hears from it.
        let other = try Served()
        defer { other.server.stop() }
        let target = other.url("file.bin")
        let s = try Served(["--redirect", "/timestamp.json", target])
        defer { s.server.stop() }
        let error = await thrownError { try await fetch(s.url("timestamp.json"), maxLength: 1000) }
        #expect(error?.code == .fetchFailed, "\(String(describing: error))")
        #expect(error?.message.contains(s.url("timestamp.json")) == true && error?.message.contains(target) == true, "\(String(describing: error))")
        #expect(other.server.events().isEmpty, "\(other.server.events())")
        #expect(s.server.events().contains { $0.kind == "tampered" && $0.path == "/timestamp.json" })
    }

    @Test func testRedirectWithinTheOriginIsFollowed() async throws {
        let s = try Served(["--redirect", "/moved.bin", "/file.bin"])
        defer { s.server.stop() }
        #expect(try await fetch(s.url("moved.bin"), maxLength: 1000) == Served.body)
    }

    @Test func testRedirectLoopStopsAfterTheLimit() async throws {
        let s = try Served(["--redirect", "/loop.bin", "/loop.bin"])
        defer { s.server.stop() }
        let error = await thrownError { try await fetch(s.url("loop.bin"), maxLength: 1000) }
        #expect(error?.code == .fetchFailed && error?.message.contains("more than \(HTTPFetcher.maxRedirects) redirects") == true, "\(String(describing: error))")
        #expect(s.server.events().filter { $0.kind == "accepted" }.count == HTTPFetcher.maxRedirects + 1)
    }

    @Test func testHTTPSWithATrustedCertificate() async throws {
        // The server's own self-signed certificate as the one trust root: the body arrives.
        let certificate = TempDir()
        let s = try Served(["--tls", certificate.sub("server.pem")])
        defer { s.server.stop() }
        let fetcher = HTTPFetcher(idleTimeout: 30, totalTimeout: 600, userAgent: "swift-tuf-test", trustRoots: certificate.sub("server.pem"))
        let result: Result<[UInt8], ClientError>
        do throws(ClientError) { result = .success(try await fetcher.fetch(s.httpsURL("file.bin"), maxLength: 1000)) } catch { result = .failure(error) }
        await fetcher.shutdown()
        #expect(try result.get() == Served.body)
    }

    @Test func testHTTPSWithAnUntrustedCertificateIsRefused() async throws {
        // The same server checked against the system's trust store: no request is sent.
        let certificate = TempDir()
        let s = try Served(["--tls", certificate.sub("server.pem")])
        defer { s.server.stop() }
        let error = await thrownError { try await fetch(s.httpsURL("file.bin"), maxLength: 1000) }
        #expect(error?.code == .fetchFailed, "\(String(describing: error))")
        #expect(!s.server.events().contains { $0.kind == "accepted" }, "\(s.server.events())")
    }

    @Test(arguments: [("dir/a b+c%?#.txt", "quoted"), ("dir/caf\u{e9}.txt", "unicode")])
    func testQuotedURLIsUsedAsGiven(path: String, content: String) async throws {
        let s = try Served()
        defer { s.server.stop() }
        let bytes = try await fetch(s.url(PercentEncoding.encodePath(path)), maxLength: 100)
        #expect(bytes == Array(content.utf8))
    }

    @Test func testRefusedConnectionIsFetchFailed() async throws {
        // A port nobody listens on any more: the server of this test, stopped.
        let s = try Served()
        let url = s.url("file.bin")
        s.server.stop()
        await expectError(.fetchFailed) { try await fetch(url, maxLength: 1000) }
    }

    @Test(arguments: ["ftp://127.0.0.1/x", "not a url", "file:///etc/hostname"])
    func testNonHTTPURLIsFetchFailed(url: String) async {
        await expectError(.fetchFailed) { try await fetch(url, maxLength: 1000) }
    }
}

/// `url` fetched by a fresh fetcher, shut down after it (the client requires that).
func fetch(_ url: String, maxLength: Int, idleTimeout: Double = 30, userAgent: String = "swift-tuf/\(TUFClientVersion.string)") async throws -> [UInt8] {
    try await HTTPFetcher.withFetcher(idleTimeout: idleTimeout, userAgent: userAgent) { try await $0.fetch(url, maxLength: maxLength) }
}

/// The same, streamed into `sink`.
func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws {
    try await HTTPFetcher.withFetcher { try await $0.fetch(url, maxLength: maxLength, into: sink) }
}

/// The ClientError `body` throws, or nil (recorded as an issue) when it throws none.
func thrownError<T>(sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T) async -> ClientError? {
    do {
        _ = try await body()
        Issue.record("expected an error, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as ClientError {
        return error
    } catch {
        Issue.record("expected a ClientError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
