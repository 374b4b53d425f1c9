import Foundation
import Testing
import TUFClient
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
    }

    /// Bytes a server can hand its socket beyond what the client has read before the client's
    /// hang-up reaches it: the loopback socket buffers on both sides and the reader's own
    /// buffers. Tens of MB at most; an endless body that is not cut off is 6.5 GB.
    static let inFlight = 64 << 20

    /// The server's response ended (`done`) having sent at most `read` + `inFlight` bytes.
    /// A known issue for now: after HTTPFetcher cancels its task, URLSession (Linux
    /// FoundationNetworking) reads on for a while: 80 MB to 4.3 GB were seen, and the fetch
    /// returns only then.
    static func expectHungUp(_ done: LoopbackServer.Event?, after read: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(done != nil, "the server never ended the response", sourceLocation: sourceLocation)
        withKnownIssue("HTTPFetcher: the transfer goes on after the task is cancelled", isIntermittent: true) {
            #expect((done?.bytes ?? 0) <= read + inFlight, "server sent \(done?.bytes ?? 0) bytes", sourceLocation: sourceLocation)
        }
    }

    @Test func testOKReturnsExactBytes() async throws {
        let s = try Served()
        defer { s.server.stop() }
        #expect(try await HTTPFetcher().fetch(s.url("file.bin"), maxLength: 1000) == Served.body)
    }

    @Test func testUserAgentIsSent() async throws {
        // The server answers 500 only to requests whose User-Agent names the tool.
        let s = try Served(["--status", "/file.bin", "500", "--only-user-agent", "tuf-verify/"])
        defer { s.server.stop() }
        await expectError(.fetchFailed) {
            try await HTTPFetcher(userAgent: "tuf-verify/\(TUFClientVersion.string)").fetch(s.url("file.bin"), maxLength: 1000)
        }
        #expect(try await HTTPFetcher().fetch(s.url("file.bin"), maxLength: 1000) == Served.body)
    }

    @Test func testSlowRetrievalTimesOut() async throws {
        // One byte every two seconds: the idle timeout (1 s here) ends the download.
        let s = try Served(["--slow", "/file.bin"])
        defer { s.server.stop() }
        let error = await thrownError { try await HTTPFetcher(idleTimeout: 1).fetch(s.url("file.bin"), maxLength: 1000) }
        #expect(error?.code == .fetchFailed, "\(String(describing: error))")
        // The idle timeout ended it (NSURLErrorTimedOut, -1001; Linux Foundation prints only the
        // code): not a refused connection (-1004) nor an HTTP error, also .fetchFailed.
        let message = error?.message.lowercased() ?? ""
        #expect(message.contains("timed out") || message.contains("error -1001"), "\(String(describing: error))")
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
        await expectError(.notFound) { try await HTTPFetcher().fetch(s.url("missing.json"), maxLength: 1000) }
    }

    @Test(arguments: ["500", "502", "401", "418"])
    func testOtherStatusIsFetchFailedNotNotFound(status: String) async throws {
        let s = try Served(["--status", "/file.bin", status])
        defer { s.server.stop() }
        await expectError(.fetchFailed) { try await HTTPFetcher().fetch(s.url("file.bin"), maxLength: 1000) }
    }

    @Test func testBodyLongerThanLimitIsDownloadTooLarge() async throws {
        // The length is announced (Content-Length 1000) and above the limit.
        let s = try Served()
        defer { s.server.stop() }
        await expectError(.downloadTooLarge) { try await HTTPFetcher().fetch(s.url("file.bin"), maxLength: 999) }
    }

    @Test func testEndlessBodyIsDownloadTooLarge() async throws {
        // No length announced and a stream of several GB: the fetcher must stop at the limit
        // (were it to read everything, the server would send 6.5 GB first).
        let s = try Served(["--endless", "/timestamp.json"])
        defer { s.server.stop() }
        await expectError(.downloadTooLarge) { try await HTTPFetcher().fetch(s.url("timestamp.json"), maxLength: 16_384) }
        // The client hung up: the server's response ended long before its 6.5 GB.
        let done = s.server.awaitEvent(limit: 60) { $0.kind == "done" && $0.path == "/timestamp.json" }
        Self.expectHungUp(done, after: 16_384)
    }

    @Test(arguments: [("dir/a b+c%?#.txt", "quoted"), ("dir/caf\u{e9}.txt", "unicode")])
    func testQuotedURLIsUsedAsGiven(path: String, content: String) async throws {
        let s = try Served()
        defer { s.server.stop() }
        let bytes = try await HTTPFetcher().fetch(s.url(PercentEncoding.encodePath(path)), maxLength: 100)
        #expect(bytes == Array(content.utf8))
    }

    @Test func testRefusedConnectionIsFetchFailed() async throws {
        // A port nobody listens on any more: the server of this test, stopped.
        let s = try Served()
        let url = s.url("file.bin")
        s.server.stop()
        await expectError(.fetchFailed) { try await HTTPFetcher().fetch(url, maxLength: 1000) }
    }

    @Test(arguments: ["ftp://127.0.0.1/x", "not a url", "file:///etc/hostname"])
    func testNonHTTPURLIsFetchFailed(url: String) async {
        await expectError(.fetchFailed) { try await HTTPFetcher().fetch(url, maxLength: 1000) }
    }
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
