import TUFBase

/// A JSON syntax or limit error, with the byte offset where it was found (the `TUFError`
/// shape; the description adds the offset).
public struct JSONError: TUFError {
    /// What went wrong; errors are equal by code so tests can match on it.
    public enum Code: String, Sendable, CaseIterable {
        case unexpectedEnd, unexpectedCharacter, invalidNumber, numberNotInteger, integerOutOfRange
        case invalidString, invalidEscape, invalidUTF8, controlCharacterInString, loneSurrogate
        case duplicateKey, tooDeep, tooLarge, trailingData, notEncodable
    }
    public let code: Code
    public let offset: Int
    public let message: String

    public init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code; self.offset = offset; self.message = DisplayText.escaped(message)
    }

    public var description: String { "JSON error at byte \(offset): \(message)" }
}
