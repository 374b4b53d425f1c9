import Foundation

/// Reads `file://` URLs from the local file system, bounded like a download.
public struct FileFetcher: Fetcher {
    public init() {}

    public func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8] {
        var out: [UInt8] = []
        try read(url, maxLength: maxLength) { (chunk) throws(ClientError) in out.append(contentsOf: chunk) }
        return out
    }

    /// Streams the file into `sink` chunk by chunk.
    public func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws(ClientError) {
        try read(url, maxLength: maxLength) { (chunk) throws(ClientError) in
            try sink.write(contentsOf: chunk)
        }
    }

    private func read(_ url: String, maxLength: Int, _ consume: (Data) throws(ClientError) -> Void) throws(ClientError) {
        guard let parsed = URL(string: url), parsed.isFileURL else {
            throw ClientError(.fetchFailed, "\(url): not a file:// URL")
        }
        let path = parsed.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ClientError(.notFound, "\(url): no such file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ClientError(.fetchFailed, "\(url): cannot open")
        }
        defer { try? handle.close() }
        // Read in chunks and stop one byte past the limit: a file that keeps growing (or a
        // device such as /dev/zero) cannot make us read without end. Any bound works, up to
        // Int.max (`remaining + 1` is only formed below one chunk); a negative one is zero.
        let limit = max(0, maxLength)
        var total = 0
        while true {
            let remaining = limit - total
            let chunk: Data?
            do { chunk = try handle.read(upToCount: remaining < 1 << 20 ? remaining + 1 : 1 << 20) } catch {
                throw ClientError(.fetchFailed, "\(url): \(error.localizedDescription)")
            }
            guard let chunk, !chunk.isEmpty else { break }
            guard chunk.count <= remaining else {
                throw ClientError(.downloadTooLarge, "\(url): more than \(limit) bytes")
            }
            total += chunk.count
            try consume(chunk)
        }
    }
}
