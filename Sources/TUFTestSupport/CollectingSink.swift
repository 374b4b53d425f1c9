import Foundation
import TUFClient

/// A `DownloadSink` that collects what a fetcher streams and counts the chunks, optionally
/// refusing every chunk after the first `failAfter`. TEST ONLY.
public final class CollectingSink: DownloadSink, @unchecked Sendable {
    public var bytes: [UInt8] = []
    public var chunks = 0
    public var failAfter: Int?

    public init() {}

    public func write(_ chunk: UnsafeRawBufferPointer) throws(ClientError) {
        chunks += 1
        if let failAfter, chunks > failAfter { throw ClientError(.ioFailed, "sink refused chunk \(chunks)") }
        bytes.append(contentsOf: chunk)
    }

    /// 3 MB of varied bytes: many chunks for every fetcher.
    public static let big: [UInt8] = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }

    /// A folder holding `big` as `big.bin`.
    public static func folderWithBigFile() throws -> TempDir {
        let dir = TempDir()
        try Data(big).write(to: URL(fileURLWithPath: dir.sub("big.bin")))
        return dir
    }
}
