import Foundation

/// Receives a download chunk by chunk, so a large target is streamed to disk and hashed on
/// the way instead of being held in memory whole.
public protocol DownloadSink: AnyObject, Sendable {
    /// Takes the next chunk; throwing stops the download with that error.
    func write(_ chunk: UnsafeRawBufferPointer) throws(ClientError)
}

extension DownloadSink {
    /// Writes contiguous bytes (an Array or Data) as one chunk. `withUnsafeBytes` only
    /// rethrows untyped errors, hence the detour through a local.
    public func write(contentsOf bytes: some ContiguousBytes) throws(ClientError) {
        var failure: ClientError?
        bytes.withUnsafeBytes { buffer in
            do throws(ClientError) { try write(buffer) } catch { failure = error }
        }
        if let failure { throw failure }
    }
}

extension Fetcher {
    /// Default for fetchers that only return whole bodies (the test simulator): fetch, then
    /// hand the body over in one chunk.
    public func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws(ClientError) {
        let bytes = try await fetch(url, maxLength: maxLength)
        try sink.write(contentsOf: bytes)
    }
}
