import Foundation
import TUFClient
import TUFMetadata

/// Printing of results and errors, as text or one JSON object. Names, file names and
/// reasons come from the network: nothing is printed with a terminal control in it.
enum Output {
    /// One JSON object on a line. JSONSerialization escapes C0 controls; DEL, C1 and bidi
    /// controls it leaves raw are written as `\uXXXX` too (they occur only inside strings,
    /// so the value is the same).
    static func printJSON(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        var text = String.UnicodeScalarView()
        for scalar in String(decoding: data, as: UTF8.self).unicodeScalars {
            if DisplayText.needsEscape(scalar) {
                let hex = String(scalar.value, radix: 16)
                text.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                text.append(scalar)
            }
        }
        print(String(text))
    }

    /// A line of text output, with terminal controls escaped (`DisplayText`).
    static func line(_ text: String) {
        print(DisplayText.escaped(text))
    }

    /// Reports a verification or download failure: the attack or fault, then the details.
    static func failure(_ error: ClientError, json: Bool) {
        if json {
            printJSON(["ok": false, "error": ["code": error.code.rawValue, "attack": error.attack, "message": error.message]])
        } else {
            FileHandle.standardError.write(Data("tuf-verify: error: \(DisplayText.escaped("\(error.attack): \(error.message)"))\n".utf8))
        }
    }

    /// Reports a usage error, ArgumentParser's message with the usage line.
    static func usageError(_ message: String, json: Bool) {
        if json {
            printJSON(["ok": false, "error": ["code": "usage", "message": message]])
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
