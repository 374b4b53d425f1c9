/// The one shape of every error of the toolkit, in the lowest module so that every layer
/// (canonical JSON, crypto, file system, model, client, repository) can share it:
/// - `code`: what went wrong, an enum whose raw values are stable names (tests, `--json`
///   output and HTTP headers match on them, never on the wording); errors are equal by code;
/// - `message`: a sentence naming the file, role, key or URL at fault, with terminal controls
///   already escaped (`DisplayText`), so text from a file or the network never prints raw;
/// - `subject`: the file, role, key or URL itself, when the error concerns one.
///
/// Each layer has one such type and one conversion from each error it wraps
/// (`ClientError.init(_: MetadataError)`), so a catch block never re-types by hand.
public protocol TUFError: Error, Sendable, Equatable, CustomStringConvertible {
    associatedtype Code: RawRepresentable, CaseIterable, Hashable, Sendable where Code.RawValue == String
    /// The kind of failure, independent of the message wording.
    var code: Code { get }
    /// What went wrong, naming what it concerns; safe to print on a terminal.
    var message: String { get }
    /// The file, role, key or URL the error concerns, when there is one.
    var subject: String? { get }
}

extension TUFError {
    public var subject: String? { nil }
    public var description: String { message }
    /// Equal by code. Compared by raw value: a type that is its own code (`TargetPath.Problem`)
    /// would otherwise call this very function again through `Code`'s `==`.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code.rawValue == rhs.code.rawValue }
}
