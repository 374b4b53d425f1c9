import CSodium

/// HMAC-SHA256 (RFC 2104) over libsodium, for request signing (AWS Signature Version 4).
public enum HMAC {
    /// HMAC-SHA256 of `message` under `key` (any length).
    public static func sha256(key: some Collection<UInt8>, _ message: some Collection<UInt8>) -> [UInt8] {
        Sodium.ensureInitialized()
        var state = crypto_auth_hmacsha256_state()
        var out = [UInt8](repeating: 0, count: Int(crypto_auth_hmacsha256_BYTES))
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        precondition(crypto_auth_hmacsha256_init(&state, keyBytes, keyBytes.count) == 0, "HMAC init failed")
        precondition(crypto_auth_hmacsha256_update(&state, messageBytes, UInt64(messageBytes.count)) == 0, "HMAC update failed")
        precondition(crypto_auth_hmacsha256_final(&state, &out) == 0, "HMAC final failed")
        return out
    }
}
