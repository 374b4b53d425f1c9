import Foundation
import TUFCanonicalJSON
import TUFClient
import TUFMetadata

/// Printing of results and errors, as text or one JSON object. Names, file names and
/// reasons come from the network: nothing is printed with a terminal control in it.
enum Output {
    /// One JSON object on a line (`JSONOutput`: controls and non-ASCII text escaped).
    static func printJSON(_ value: JSON) {
        JSONOutput.print(value, style: .compact)
    }

    /// A line of text output, with terminal controls escaped (`DisplayText`).
    static func line(_ text: String) {
        print(DisplayText.escaped(text))
    }

    /// Reports a verification or download failure: the attack or fault, then the details.
    static func failure(_ error: ClientError, json: Bool) {
        if json {
            printJSON(["ok": false, "error": ["code": .string(error.code.rawValue), "attack": .string(error.attack), "message": .string(error.message)]])
        } else {
            FileHandle.standardError.write(Data("tuf-verify: error: \(DisplayText.escaped("\(error.attack): \(error.message)"))\n".utf8))
        }
    }

    /// Writes `text` to stderr as one write, under a lock: the server's log lines and
    /// progress come from several threads.
    static func standardError(_ text: String) {
        stderrLock.withLock { FileHandle.standardError.write(Data(text.utf8)) }
    }

    private static let stderrLock = NSLock()

    /// Download progress on a terminal (`\r`-rewritten, a newline when done), or nothing
    /// when stderr is not a terminal (a pipe or a log).
    static var terminalProgress: ProgressHandler? {
        guard isatty(2) == 1 else { return nil }
        return { name, received, total in
            standardError("\r\(DisplayText.escaped(ProgressText.line(name, received: received, total: total)))\(received >= total ? "\n" : "")")
        }
    }

    /// Reports a usage error, ArgumentParser's message with the usage line.
    static func usageError(_ message: String, json: Bool) {
        if json {
            printJSON(["ok": false, "error": ["code": "usage", "message": .string(message)]])
        } else {
            FileHandle.standardError.write(Data((message + "\n").utf8))
        }
    }

    /// Runs `body`; a failure's message is prefixed with `file` (unless it names it already),
    /// since the library names the role and the user needs the file that was refused.
    static func naming<T>(_ file: String, _ body: () throws(ClientError) -> T) throws(ClientError) -> T {
        switch Result(catching: body) {
        case .success(let value): return value
        case .failure(let error) where error.message.hasPrefix(file): throw error
        case .failure(let error): throw ClientError(error.code, "\(file): \(error.message)")
        }
    }
}
