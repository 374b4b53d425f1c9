import AsyncHTTPClient
import Glibc
import NIOCore

/// A client of one bucket of an S3-compatible store over AsyncHTTPClient: create-only and
/// plain PUTs, bounded GETs, HEAD, DELETE and listings, each signed with SigV4 (the body's
/// SHA-256 signed too, so the store refuses a body changed on the way) and retried with
/// backoff when the store is throttling, failing or unreachable. One connection pool per
/// client; call `shutdown()` when done (or use `withClient`).
public final class S3Client: Sendable {
    /// What the client talks to and how patiently.
    public struct Configuration: Sendable {
        public var endpoint: S3Endpoint
        public var region: String
        public var location: S3Location
        public var retry: S3RetryPolicy
        /// Longest wait for a connection, and for the next bytes of an answer, in seconds.
        public var connectTimeout: Double
        public var readTimeout: Double
        /// Longest wait for an answer's head, per attempt, in seconds.
        public var requestTimeout: Double
        public var userAgent: String

        public init(endpoint: S3Endpoint, region: String, location: S3Location, retry: S3RetryPolicy = S3RetryPolicy(),
                    connectTimeout: Double = 10, readTimeout: Double = 30, requestTimeout: Double = 300,
                    userAgent: String = "swift-tuf-s3") {
            self.endpoint = endpoint; self.region = region; self.location = location; self.retry = retry
            self.connectTimeout = connectTimeout; self.readTimeout = readTimeout; self.requestTimeout = requestTimeout
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    let signer: SigV4Signer
    let client: HTTPClient
    /// Seconds since the epoch, for `x-amz-date`: read here at the edge, passed to the pure signer.
    let clock: @Sendable () -> Int64

    /// Error answers are read up to this many bytes (S3's are a few hundred).
    static let errorBodyLimit = 64 << 10

    public init(configuration: Configuration, credentials: AWSCredentials,
                clock: @escaping @Sendable () -> Int64 = { Int64(time(nil)) }) {
        self.configuration = configuration; self.clock = clock
        signer = SigV4Signer(credentials: credentials, region: configuration.region)
        var http = HTTPClient.Configuration(
            redirectConfiguration: .disallow,  // S3 does not redirect path-style requests worth following
            timeout: .init(connect: Self.amount(configuration.connectTimeout), read: Self.amount(configuration.readTimeout)),
            decompression: .disabled)  // the bytes read are the bytes stored
        http.httpVersion = .http1Only
        // Retries are this client's (bounded, with backoff, counted), not the pool's.
        http.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    }

    /// A client for the duration of `body`, shut down after it whether it throws or not.
    public static func withClient<T>(configuration: Configuration, credentials: AWSCredentials,
                                     isolation: isolated (any Actor)? = #isolation,
                                     _ body: (S3Client) async throws -> T) async throws -> T {
        let s3 = S3Client(configuration: configuration, credentials: credentials)
        do {
            let result = try await body(s3)
            await s3.shutdown()
            return result
        } catch {
            await s3.shutdown()
            throw error
        }
    }

    /// Closes the pooled connections. Needed once per client; a second call is a no-op.
    public func shutdown() async {
        try? await client.shutdown()
    }

    /// The bucket and prefix, as messages name them.
    public var location: S3Location { configuration.location }

    static func amount(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(max(0, min(seconds, 1e9)) * 1e9)) }
}
