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
}
