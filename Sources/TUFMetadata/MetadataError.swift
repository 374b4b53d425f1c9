import TUFCanonicalJSON

/// An error in TUF metadata: malformed, of the wrong type, or failing verification. The
/// message names the role, file or key at fault (the `TUFError` shape).
public struct MetadataError: TUFError {
    public enum Code: String, Sendable, CaseIterable {
        /// Not JSON, or JSON of the wrong shape (missing field, wrong kind of value).
        case malformed
        /// `_type` is not the expected role type.
        case wrongType
        /// `spec_version` is not a supported 1.x version.
        case unsupportedSpecVersion
        /// A field has an invalid value (version < 1, threshold < 1, bad hash, bad date…).
        case invalidValue
        /// A key type or scheme this toolkit cannot verify.
        case unsupportedKey
        /// The same keyid appears twice where it must be unique.
        case duplicateKeyID
        /// Not enough distinct keys signed.
        case thresholdNotMet
        /// A role name that the delegator does not delegate to.
        case unknownRole
        /// Signing failed.
        case signingFailed
        /// Bytes whose length differs from the listed length.
        case lengthMismatch
        /// Bytes whose hash differs from the listed hash.
        case hashMismatch
        /// A listed hash algorithm cannot be computed.
        case unknownHashAlgorithm
    }
    public let code: Code
    public let message: String

    /// Text from outside in `message` is printed as is by callers, so terminal controls are
    /// escaped here, where every message passes (`DisplayText`).
    public init(_ code: Code, _ message: String) { self.code = code; self.message = DisplayText.escaped(message) }

    /// Bytes of `file` that are not JSON: `.malformed`.
    public init(_ error: JSONError, file: String) { self.init(.malformed, "\(file): not valid metadata JSON: \(error)") }
}
