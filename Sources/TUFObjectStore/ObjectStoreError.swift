import TUFMetadata

/// An error of the object-store publisher: a code to match on, and a message naming the
/// object, bucket or setting at fault, escaped for the terminal (the `TUFError` shape). Never
/// holds a secret.
public struct ObjectStoreError: TUFError {
    public enum Code: String, Sendable, CaseIterable {
        /// Credentials are missing or were refused.
        case credentials
        /// A setting (endpoint, bucket URL) is malformed.
        case configuration
        /// The store computed another signature (SignatureDoesNotMatch): most often a wrong secret.
        case signatureMismatch
        /// The credentials are valid but not allowed this request (AccessDenied, or a bare 403).
        case accessDenied
        /// The bucket does not exist.
        case noSuchBucket
        /// A condition of the request did not hold (HTTP 412 other than a create-only put).
        case preconditionFailed
        /// The store asked to slow down (503 SlowDown, 429, throttling codes), after every retry.
        case throttled
        /// The store failed (HTTP 5xx), after every retry.
        case server
        /// No answer: connection refused or dropped, a timeout, a TLS failure.
        case network
        /// A body longer than the caller's limit.
        case tooLarge
        /// The store answered something this client cannot use (a malformed listing, a key
        /// outside the prefix asked for).
        case invalidResponse
        /// Any other refusal of the request (HTTP 4xx), with the store's code in the message.
        case rejected
    }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code; self.message = DisplayText.escaped(message)
    }
}
