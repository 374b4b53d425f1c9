import Foundation
import Testing
import TUFClient
import TUFCrypto
import TUFTestSupport

/// Targets are streamed to disk: the file fetcher hands bodies over chunk by chunk (the HTTP
/// fetcher's are in TUFHTTPClientTests), and the updater's writer hashes on the way and leaves
/// nothing behind unless everything matched.
@Suite struct StreamingDownloadTests {
    @Test func testFileFetcherStreamsInChunks() async throws {
        let dir = try CollectingSink.folderWithBigFile()
        let sink = CollectingSink()
        try await FileFetcher().fetch("file://\(dir.sub("big.bin"))", maxLength: CollectingSink.big.count, into: sink)
        #expect(sink.bytes == CollectingSink.big)
        #expect(sink.chunks > 1)
    }

    @Test func testFileFetcherStopsPastTheLimitWhileStreaming() async throws {
        let dir = try CollectingSink.folderWithBigFile()
        let sink = CollectingSink()
        await expectError(.downloadTooLarge) {
            try await FileFetcher().fetch("file://\(dir.sub("big.bin"))", maxLength: CollectingSink.big.count - 1, into: sink)
        }
        // What reached the sink is within the limit, and is the file's beginning.
        #expect(sink.bytes.count <= CollectingSink.big.count - 1)
        #expect(sink.bytes[...] == CollectingSink.big.prefix(sink.bytes.count))
    }

    @Test func testLargeTargetStreamedToDiskVerifies() async throws {
        var h = ClientHarness()
        h.chunked = true
        h.sim.addTarget("targets", CollectingSink.big, "dist/big.whl")
        h.sim.updateSnapshot()
        let (path, _, downloaded) = try await h.refresh().fetchTarget("dist/big.whl")
        #expect(downloaded)
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == CollectingSink.big)
        #expect(h.dir.files("targets") == ["dist/big.whl"])
        // Found again by streaming its hash, not fetched.
        #expect(try await h.refresh().fetchTarget("dist/big.whl").downloaded == false)
    }

    @Test func testStreamedTargetSwappedOnServerLeavesNoFile() async throws {
        var h = ClientHarness()
        h.chunked = true
        h.sim.addTarget("targets", CollectingSink.big, "dist/big.whl")
        h.sim.updateSnapshot()
        var flipped = CollectingSink.big
        flipped[2_500_000] ^= 1
        let evil = flipped
        h.sim.tamper["targets/dist/\(Hex.encode(Hash.digest(.sha256, CollectingSink.big))).big.whl"] = { _ in evil }
        await expectError(.hashMismatch) { try await h.refresh().fetchTarget("dist/big.whl") }
        #expect(h.dir.files("targets").isEmpty)
    }

    @Test func testStreamedShortTargetIsLengthMismatchAndLeavesNoFile() async throws {
        var h = ClientHarness()
        h.chunked = true
        h.sim.addTarget("targets", CollectingSink.big, "dist/big.whl")
        h.sim.updateSnapshot()
        h.sim.tamper["targets/dist/\(Hex.encode(Hash.digest(.sha256, CollectingSink.big))).big.whl"] = { Array($0.dropLast(10)) }
        await expectError(.lengthMismatch) { try await h.refresh().fetchTarget("dist/big.whl") }
        #expect(h.dir.files("targets").isEmpty)
    }
}
