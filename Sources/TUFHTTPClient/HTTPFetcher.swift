import AsyncHTTPClient
import NIOCore
import NIOSSL
import TUFClient

/// Downloads over HTTP(S) with one connection pool for the process (AsyncHTTPClient on NIO).
/// The body is streamed and counted; past the limit the fetcher stops reading and the
/// connection is closed, so an endless body costs at most the limit plus what the socket
/// buffers already held. HTTP 403 and 404 are `.notFound` (python-tuf ends the root loop on
/// both); other statuses, timeouts, network errors and redirects to another origin are
/// `.fetchFailed`. Call `shutdown()` when done (or use `withFetcher`).
public final class HTTPFetcher: Fetcher {
    /// Longest wait for the next bytes (a slow-retrieval server), and for a connection.
    public let idleTimeout: Double
    /// Longest time one download may take, redirects included.
    public let totalTimeout: Double
    /// The User-Agent header sent with every request.
    public let userAgent: String
    /// Redirects followed per download, all within the first URL's origin.
    public static let maxRedirects = 5
    let client: HTTPClient

    /// HTTPS certificates are checked against the system's trust store (/etc/ssl/certs).
    public convenience init(idleTimeout: Double = 30, totalTimeout: Double = 600, userAgent: String = "swift-tuf/\(TUFClientVersion.string)") {
        self.init(idleTimeout: idleTimeout, totalTimeout: totalTimeout, userAgent: userAgent, trustRoots: nil)
    }

    /// `trustRoots`: a PEM file of the only certificates to trust instead (a test server's own).
    init(idleTimeout: Double, totalTimeout: Double, userAgent: String, trustRoots: String?) {
        self.idleTimeout = idleTimeout; self.totalTimeout = totalTimeout; self.userAgent = userAgent
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // followed here, same origin only (`Origin`)
            timeout: .init(connect: Self.amount(idleTimeout), read: Self.amount(idleTimeout)),
            decompression: .disabled)  // lengths are counted on the bytes that were signed
        // HTTP/1.1 only: cutting a download off closes its connection, which ends the sender's
        // writes; an HTTP/2 stream reset would leave a shared connection open.
        configuration.httpVersion = .http1Only
        // A refused connection fails the download at once (as a missing server should), instead
        // of retrying with backoff until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        if let trustRoots {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(trustRoots)
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// A fetcher for the duration of `body`, shut down after it whether it throws or not.
    public static func withFetcher<T>(idleTimeout: Double = 30, totalTimeout: Double = 600,
                                      userAgent: String = "swift-tuf/\(TUFClientVersion.string)",
                                      isolation: isolated (any Actor)? = #isolation,
                                      _ body: (HTTPFetcher) async throws -> T) async throws -> T {
        let fetcher = HTTPFetcher(idleTimeout: idleTimeout, totalTimeout: totalTimeout, userAgent: userAgent)
        do {
            let result = try await body(fetcher)
            await fetcher.shutdown()
            return result
        } catch {
            await fetcher.shutdown()
            throw error
        }
    }

    /// Closes the pooled connections and fails downloads still running. Needed once per
    /// fetcher (the client traps at deinit in debug builds otherwise); a second call is a no-op.
    public func shutdown() async {
        try? await client.shutdown()
    }

    public func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8] {
        try await run(url, maxLength: maxLength, sink: nil)
    }

    /// Streams the body into `sink` as it arrives (large targets never sit in memory).
    public func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws(ClientError) {
        _ = try await run(url, maxLength: maxLength, sink: sink)
    }

    private func run(_ url: String, maxLength: Int, sink: (any DownloadSink)?) async throws(ClientError) -> [UInt8] {
        // Only http and https: the client would also dial unix sockets (`http+unix://`).
        guard let origin = Origin(url), origin.scheme == "http" || origin.scheme == "https" else {
            throw ClientError(.fetchFailed, "\(url): not an http(s) URL")
        }
        let limit = max(0, maxLength), seconds = totalTimeout
        return try await TimeLimit.run(seconds: seconds, timedOut: ClientError(.fetchFailed, "\(url): timed out after \(seconds) s")) {
            () async throws(ClientError) -> [UInt8] in
            try await self.transfer(url, origin: origin, limit: limit, sink: sink)
        }
    }

    static func amount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(min(seconds, 1e9) * 1e9)) }
}
