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
        await expectError(.fetchFailed) { try await HTTPFetcher(idleTimeout: 1).fetch(s.url("file.bin"), maxLength: 1000) }
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
