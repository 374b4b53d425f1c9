import Foundation
import Testing
import TUFClient
@testable import TUFHTTPClient
import TUFTestSupport

/// The HTTP fetcher hands bodies over chunk by chunk, and stops (hanging up) when the sink
/// refuses one or the body passes the limit.
@Suite(.enabled(if: Interop.enabled)) struct HTTPFetcherStreamingTests {
    @Test func testHTTPFetcherStreamsInChunks() async throws {
        let dir = try CollectingSink.folderWithBigFile()
        let server = try LoopbackServer(root: dir.path)
        defer { server.stop() }
        let sink = CollectingSink()
        try await fetch("\(server.baseURL)/big.bin", maxLength: CollectingSink.big.count, into: sink)
        #expect(sink.bytes == CollectingSink.big)
        #expect(sink.chunks > 1)
    }

    @Test func testHTTPFetcherStopsWhenTheSinkFails() async throws {
        // An endless body and no limit: only the failing sink can stop the download.
        let dir = try CollectingSink.folderWithBigFile()
        let server = try LoopbackServer(root: dir.path, arguments: ["--endless", "/big.bin"])
        defer { server.stop() }
        let sink = CollectingSink()
        sink.failAfter = 1
        await expectError(.ioFailed) { try await fetch("\(server.baseURL)/big.bin", maxLength: .max, into: sink) }
        // The sink was not called again after it refused a chunk…
        #expect(sink.chunks == 2)
        // …and the client hung up: the server's response ended long before its 6.5 GB.
        HTTPFetcherTests.expectHungUp(server.awaitEvent(limit: 60) { $0.kind == "done" && $0.path == "/big.bin" }, after: sink.bytes.count)
    }

    @Test func testHTTPFetcherStopsEndlessDataWhileStreaming() async throws {
        let dir = try CollectingSink.folderWithBigFile()
        let server = try LoopbackServer(root: dir.path, arguments: ["--endless", "/big.bin"])
        defer { server.stop() }
        let sink = CollectingSink()
        await expectError(.downloadTooLarge) { try await fetch("\(server.baseURL)/big.bin", maxLength: 1_000_000, into: sink) }
        // The sink got no more than the limit, and the server's response ended long before its 6.5 GB.
        #expect(sink.bytes.count <= 1_000_000)
        HTTPFetcherTests.expectHungUp(server.awaitEvent(limit: 60) { $0.kind == "done" && $0.path == "/big.bin" }, after: 1_000_000)
    }
}
