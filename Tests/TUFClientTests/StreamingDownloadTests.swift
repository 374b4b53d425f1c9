import Foundation
import Testing
import TUFClient
import TUFCrypto
import TUFTestSupport

/// Targets are streamed to disk: the fetchers hand bodies over chunk by chunk, and the
/// updater's writer hashes on the way and leaves nothing behind unless everything matched.
@Suite struct StreamingDownloadTests {
    /// Collects what a fetcher streams, and how many chunks it came in.
    final class Collector: DownloadSink, @unchecked Sendable {
        var bytes: [UInt8] = []
        var chunks = 0
        var failAfter: Int?
        func write(_ chunk: UnsafeRawBufferPointer) throws(ClientError) {
            chunks += 1
            if let failAfter, chunks > failAfter { throw ClientError(.ioFailed, "sink refused chunk \(chunks)") }
            bytes.append(contentsOf: chunk)
        }
    }

    static let big: [UInt8] = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    static func folderWithBigFile() throws -> TempDir {
        let dir = TempDir()
        try Data(big).write(to: URL(fileURLWithPath: dir.sub("big.bin")))
        return dir
    }

    @Test func testFileFetcherStreamsInChunks() async throws {
        let dir = try Self.folderWithBigFile()
        let sink = Collector()
        try await FileFetcher().fetch("file://\(dir.sub("big.bin"))", maxLength: Self.big.count, into: sink)
        #expect(sink.bytes == Self.big)
        #expect(sink.chunks > 1)
    }

    @Test func testFileFetcherStopsPastTheLimitWhileStreaming() async throws {
        let dir = try Self.folderWithBigFile()
        let sink = Collector()
        await expectError(.downloadTooLarge) {
            try await FileFetcher().fetch("file://\(dir.sub("big.bin"))", maxLength: Self.big.count - 1, into: sink)
        }
        // What reached the sink is within the limit, and is the file's beginning.
        #expect(sink.bytes.count <= Self.big.count - 1)
        #expect(sink.bytes[...] == Self.big.prefix(sink.bytes.count))
    }

    @Test(.enabled(if: Interop.enabled)) func testHTTPFetcherStreamsInChunks() async throws {
        let dir = try Self.folderWithBigFile()
        let server = try LoopbackServer(root: dir.path)
        defer { server.stop() }
        let sink = Collector()
        try await fetch("\(server.baseURL)/big.bin", maxLength: Self.big.count, into: sink)
        #expect(sink.bytes == Self.big)
        #expect(sink.chunks > 1)
    }

    @Test(.enabled(if: Interop.enabled)) func testHTTPFetcherStopsWhenTheSinkFails() async throws {
        // An endless body and no limit: only the failing sink can stop the download.
        let dir = try Self.folderWithBigFile()
        let server = try LoopbackServer(root: dir.path, arguments: ["--endless", "/big.bin"])
        defer { server.stop() }
        let sink = Collector()
        sink.failAfter = 1
        await expectError(.ioFailed) { try await fetch("\(server.baseURL)/big.bin", maxLength: .max, into: sink) }
        // The sink was not called again after it refused a chunk…
        #expect(sink.chunks == 2)
        // …and the client hung up: the server's response ended long before its 6.5 GB.
        HTTPFetcherTests.expectHungUp(server.awaitEvent(limit: 60) { $0.kind == "done" && $0.path == "/big.bin" }, after: sink.bytes.count)
    }

    @Test(.enabled(if: Interop.enabled)) func testHTTPFetcherStopsEndlessDataWhileStreaming() async throws {
        let dir = try Self.folderWithBigFile()
        let server = try LoopbackServer(root: dir.path, arguments: ["--endless", "/big.bin"])
        defer { server.stop() }
        let sink = Collector()
        await expectError(.downloadTooLarge) { try await fetch("\(server.baseURL)/big.bin", maxLength: 1_000_000, into: sink) }
        // The sink got no more than the limit, and the server's response ended long before its 6.5 GB.
        #expect(sink.bytes.count <= 1_000_000)
        HTTPFetcherTests.expectHungUp(server.awaitEvent(limit: 60) { $0.kind == "done" && $0.path == "/big.bin" }, after: 1_000_000)
    }

    @Test func testLargeTargetStreamedToDiskVerifies() async throws {
        var h = ClientHarness()
        h.chunked = true
        h.sim.addTarget("targets", Self.big, "dist/big.whl")
        h.sim.updateSnapshot()
        let (path, _, downloaded) = try await h.refresh().fetchTarget("dist/big.whl")
        #expect(downloaded)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Self.big)
        #expect(h.dir.files("targets") == ["dist/big.whl"])
        // Found again by streaming its hash, not fetched.
        #expect(try await h.refresh().fetchTarget("dist/big.whl").downloaded == false)
    }

    @Test func testStreamedTargetSwappedOnServerLeavesNoFile() async throws {
        var h = ClientHarness()
        h.chunked = true
        h.sim.addTarget("targets", Self.big, "dist/big.whl")
        h.sim.updateSnapshot()
        var flipped = Self.big
        flipped[2_500_000] ^= 1
        let evil = flipped
        h.sim.tamper["targets/dist/\(Hex.encode(Hash.digest(.sha256, Self.big))).big.whl"] = { _ in evil }
        await expectError(.hashMismatch) { try await h.refresh().fetchTarget("dist/big.whl") }
        #expect(h.dir.files("targets").isEmpty)
    }

    @Test func testStreamedShortTargetIsLengthMismatchAndLeavesNoFile() async throws {
        var h = ClientHarness()
        h.chunked = true
        h.sim.addTarget("targets", Self.big, "dist/big.whl")
        h.sim.updateSnapshot()
        h.sim.tamper["targets/dist/\(Hex.encode(Hash.digest(.sha256, Self.big))).big.whl"] = { Array($0.dropLast(10)) }
        await expectError(.lengthMismatch) { try await h.refresh().fetchTarget("dist/big.whl") }
        #expect(h.dir.files("targets").isEmpty)
    }
}
