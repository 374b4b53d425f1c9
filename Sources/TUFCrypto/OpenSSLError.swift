import COpenSSL

/// The thread's OpenSSL error queue.
enum OpenSSLError {
    /// Empties the queue and returns its reasons joined, for error messages. OpenSSL reasons
    /// name the library and the failure ("bad decrypt"), never key bytes or passphrases.
    static func drain() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "no OpenSSL reason" : reasons.joined(separator: "; ")
    }

    /// Discards the queue, after a failure whose reason does not matter (a bad signature).
    static func clear() {
        ERR_clear_error()
    }
}
