import TUFBase

/// An error from key parsing, key generation or signing (the `TUFError` shape).
public struct CryptoError: TUFError {
    /// What went wrong, independent of the message wording.
    public enum Code: String, Sendable, CaseIterable {
        /// A keytype/scheme combination, key algorithm or curve this module does not handle.
        case unsupportedKey
        /// Key bytes, hex or PEM that do not parse, or that do not match their declared type.
        case malformedKey
        /// An encrypted key without a passphrase, or with the wrong one.
        case badPassphrase
        /// The signing primitive failed.
        case signingFailed
        /// Key generation failed.
        case keyGenerationFailed
        /// Writing a key as PEM failed.
        case encodingFailed
        /// A PKCS#11 URI that does not parse, or that carries what is refused (pin-value).
        case badURI
        /// A PKCS#11 module that cannot be loaded or initialised, or a call that failed.
        case pkcs11
        /// No token (or more than one) matches the URI.
        case tokenNotFound
        /// No key object (or more than one) matches the URI on the token.
        case objectNotFound
        /// The token refused the PIN, or the PIN is locked.
        case wrongPIN
    }

    /// The kind of failure.
    public let code: Code
    /// A human-readable explanation; never contains key material or passphrases. Token
    /// labels and module paths in it come from outside: escaped (`DisplayText`).
    public let message: String

    /// Creates an error with a code and a message that must not contain secrets.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = DisplayText.escaped(message)
    }
}
