/// How a failure reaches the installer: an HTTP error whose status line and one-line body
/// name the attack or fault, so `pip install` fails rather than falls back to another release.
enum Refusal {
    /// 409 for everything verification refused, 502 when the upstream could not be reached
    /// or lacks a file the metadata lists, 500 for local faults. Refusals are not 5xx on
    /// purpose: pip and uv retry a 502 several times with back-off, then report "too many
    /// 502 error responses" and drop the reason; a 4xx fails at once with the reason shown.
    static func status(for code: ClientError.Code) -> Int {
        switch code {
        case .fetchFailed, .notFound: 502
        case .ioFailed, .invalidArgument, .wrongOrder: 500
        default: 409
        }
    }

    /// The one line that names the attack or fault and what it was found in.
    static func line(_ error: ClientError) -> String { "\(error.attack): \(error.message)" }

    static func response(_ error: ClientError) -> IndexResponse {
        let line = line(error)
        return IndexResponse.text(status(for: error.code), reasonPhrase(line), "tuf-verify refused this: \(line)",
                                  headers: [("X-TUF-Refusal", error.code.rawValue), ("Cache-Control", "no-store")])
    }

    /// A status line reason: printable ASCII only (it is a header field), at most 300 bytes.
    static func reasonPhrase(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            guard out.utf8.count < 300 else { break }
            out.unicodeScalars.append(scalar.value >= 0x20 && scalar.value < 0x7f ? scalar : "?")
        }
        return out
    }
}
