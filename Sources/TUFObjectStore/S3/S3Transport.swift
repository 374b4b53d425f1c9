import AsyncHTTPClient
import NIOCore
import NIOSSL

/// A request that got no usable answer: whether trying again may help, and why, in words.
struct S3Transport: Error {
    let code: ObjectStoreError.Code
    let message: String
    let retryable: Bool

    /// A failure that another attempt would repeat (a body over its limit).
    init(_ code: ObjectStoreError.Code, _ message: String) { self.code = code; self.message = message; retryable = false }

    /// A failure of the connection: retried (refused, reset, dropped mid-answer, timed out),
    /// except a TLS failure (a wrong certificate stays wrong) and a cancelled caller.
    init(_ error: any Error, configuration: S3Client.Configuration) {
        code = .network
        (message, retryable) = Self.describe(error, configuration)
    }

    private static func describe(_ error: any Error, _ configuration: S3Client.Configuration) -> (String, Bool) {
        if error is CancellationError { return ("cancelled", false) }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { return ("TLS: \(error)", false) }
        switch error as? HTTPClientError {
        case .readTimeout?: return ("timed out (no data for \(configuration.readTimeout) s)", true)
        case .connectTimeout?: return ("timed out connecting (\(configuration.connectTimeout) s)", true)
        case .deadlineExceeded?: return ("no answer within \(configuration.requestTimeout) s", true)
        case .cancelled?: return ("cancelled", false)
        default: return ("\(error)", true)
        }
    }
}
