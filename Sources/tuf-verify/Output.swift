import Foundation
import TUFClient

/// Printing of results and errors, as text or one JSON object.
enum Output {
    static func printJSON(_ object: [String: Any]) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        print(String(decoding: data, as: UTF8.self))
    }

    /// Reports a verification or download failure: the attack or fault, then the details.
    static func failure(_ error: ClientError, json: Bool) {
        if json {
            printJSON(["ok": false, "error": ["code": error.code.rawValue, "attack": error.attack, "message": error.message]])
        } else {
            FileHandle.standardError.write(Data("tuf-verify: error: \(error.attack): \(error.message)\n".utf8))
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
