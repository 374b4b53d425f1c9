import Testing
import TUFMetadata

/// One error type of a module, for the table tests that every module runs on its errors
/// (the `TUFError` shape): made from a message quoting hostile text, its message must come
/// out with the terminal controls escaped.
public struct ErrorShapeCase: Sendable, CustomTestStringConvertible {
    /// Text as a file or the network could hand it over: colour, a title-setting OSC, a bell,
    /// a right-to-left override and a C1 control.
    public static let hostile = "pkg\u{1B}[31mred\u{1B}]0;pwned\u{7}\u{202E}gpj.exe\u{9B}"

    public let name: String
    public let make: @Sendable (String) -> any TUFError

    public init(_ name: String, _ make: @escaping @Sendable (String) -> any TUFError) { self.name = name; self.make = make }

    public var testDescription: String { name }

    /// Records an issue unless the error made from `hostile` prints nothing a terminal acts on
    /// and shows the escapes instead (so the text is still there to read).
    public func expectEscaped(sourceLocation: SourceLocation = #_sourceLocation) {
        let error = make(Self.hostile)
        for shown in [error.message, error.description, "\(error)"] {
            #expect(!shown.unicodeScalars.contains(where: DisplayText.needsEscape), "\(name): \(shown)", sourceLocation: sourceLocation)
            #expect(shown.contains("pkg\\u{1B}[31mred\\u{1B}]0;pwned\\u{7}\\u{202E}gpj.exe\\u{9B}"), "\(name): \(shown)",
                    sourceLocation: sourceLocation)
        }
    }
}
