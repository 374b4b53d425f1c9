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
    }
    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code; self.message = DisplayText.escaped(message)
    }
}
