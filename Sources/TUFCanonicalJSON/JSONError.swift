/// A JSON syntax or limit error, with the byte offset where it was found.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong; errors are equal by code so tests can match on it.
    public enum Code: String, Sendable {
        case unexpectedEnd, unexpectedCharacter, invalidNumber, numberNotInteger, integerOutOfRange
        case invalidString, invalidEscape, invalidUTF8, controlCharacterInString, loneSurrogate
        case duplicateKey, tooDeep, tooLarge, trailingData, notEncodable
    }
    public let code: Code
    public let offset: Int
    public let message: String

    public init(_ code: Code, at offset: Int, _ message: String) {
        self.code = code; self.offset = offset; self.message = message
    }

    public var description: String { "JSON error at byte \(offset): \(message)" }

    public static func == (lhs: JSONError, rhs: JSONError) -> Bool { lhs.code == rhs.code }
}
