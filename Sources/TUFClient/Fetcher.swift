/// Downloads the bytes at a URL. Implementations must stop reading past `maxLength` bytes
/// (`.downloadTooLarge`, the endless data attack), report a missing file as `.notFound`
/// and every other failure as `.fetchFailed`: only `ClientError`s of those codes escape.
public protocol Fetcher: Sendable {
    /// The bytes at `url` (used exactly as given), at most `maxLength` of them.
    func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8]
    /// The same body streamed into `sink` (a default implementation fetches it whole first).
    func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws(ClientError)
}

/// Chooses a fetcher by URL scheme: `file://` URLs are read from disk, others go to `http`
/// (TUFHTTPClient's `HTTPFetcher`: this module has no networking of its own).
public struct DefaultFetcher: Fetcher {
    let file = FileFetcher()
    let http: any Fetcher

    public init(http: any Fetcher) { self.http = http }

    public func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8] {
        if Self.isFileURL(url) { return try await file.fetch(url, maxLength: maxLength) }
        return try await http.fetch(url, maxLength: maxLength)
    }

    public func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws(ClientError) {
        if Self.isFileURL(url) { return try await file.fetch(url, maxLength: maxLength, into: sink) }
        try await http.fetch(url, maxLength: maxLength, into: sink)
    }

    /// Compared on bytes, like every URL and path rule here.
    static func isFileURL(_ url: String) -> Bool { url.utf8.starts(with: "file://".utf8) }
}
