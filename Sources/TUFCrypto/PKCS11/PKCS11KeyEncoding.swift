import COpenSSL

/// The DER pieces a PKCS#11 EC key needs: curve parameters (CKA_EC_PARAMS), the point
/// (CKA_EC_POINT, a DER OCTET STRING), and the ECDSA signature encoding TUF uses.
enum PKCS11KeyEncoding {
    /// CKA_EC_PARAMS of P-256: the OID 1.2.840.10045.3.1.7.
    static let p256Parameters: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
    /// CKA_EC_PARAMS of ed25519 as PKCS#11 3.0 names it: the OID 1.3.101.112 (id-Ed25519).
    static let ed25519Parameters: [UInt8] = [0x06, 0x03, 0x2B, 0x65, 0x70]
    /// The same curve as the printable string "edwards25519", which v2.40-era modules use.
    static let edwards25519Parameters: [UInt8] = [0x13, 0x0C] + Array("edwards25519".utf8)

    /// Which key a CKA_EC_PARAMS value names; nil for other curves.
    static func keyType(parameters: [UInt8]) -> KeyType? {
        if parameters == p256Parameters { return .ecdsa }
        if parameters == ed25519Parameters || parameters == edwards25519Parameters { return .ed25519 }
        return nil
    }

    /// The point inside CKA_EC_POINT. The standard says a DER OCTET STRING; some modules give
    /// the raw point, so a value of exactly `length` bytes is taken as it is.
    static func point(_ value: [UInt8], length: Int) -> [UInt8]? {
        if value.count == length { return value }
        guard value.count >= 2, value[0] == 0x04 else { return nil }
        var i = 1
        var n = Int(value[i]); i += 1
        if n & 0x80 != 0 {
            let k = n & 0x7F
            guard k == 1 || k == 2, value.count >= i + k else { return nil }
            n = value[i..<(i + k)].reduce(0) { $0 << 8 | Int($1) }
            i += k
        }
        guard n == length, value.count == i + n else { return nil }
        return Array(value[i...])
    }

    /// The TUF public key of a token's key from its CKA_EC_POINT: ed25519 as 32 bytes hex,
    /// P-256 as a PEM SubjectPublicKeyInfo written by OpenSSL, as file keys are.
    static func publicKey(type: KeyType, ecPoint: [UInt8]) throws(CryptoError) -> PublicKey {
        switch type {
        case .ed25519:
            guard let raw = point(ecPoint, length: 32) else { throw CryptoError(.malformedKey, "the token's ed25519 CKA_EC_POINT is not a 32-byte point") }
            return try PublicKey(keytype: "ed25519", scheme: "ed25519", publicValue: Hex.encode(raw))
        case .ecdsa:
            guard let raw = point(ecPoint, length: 65), raw[0] == 0x04 else {
                throw CryptoError(.malformedKey, "the token's P-256 CKA_EC_POINT is not an uncompressed point")
            }
            // SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 } BIT STRING(point)
            let spki: [UInt8] = [0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01]
                + p256Parameters + [0x03, 0x42, 0x00] + raw
            let key = try spki.withUnsafeBufferPointer { (b) throws(CryptoError) -> OpenSSLKey in
                var p: UnsafePointer<UInt8>? = b.baseAddress
                guard let pkey = d2i_PUBKEY(nil, &p, b.count) else {
                    throw CryptoError(.malformedKey, "the token's P-256 point is not on the curve: \(OpenSSLError.drain())")
                }
                return OpenSSLKey(taking: pkey)
            }
            return try PublicKey(keytype: "ecdsa", scheme: "ecdsa-sha2-nistp256", publicValue: key.publicPEM())
        case .rsa:
            throw CryptoError(.unsupportedKey, "RSA keys on PKCS#11 tokens are not supported (use ed25519 or ecdsa)")
        }
    }

    /// A raw ECDSA signature r||s (as CKM_ECDSA returns it) as the DER SEQUENCE { r, s } that
    /// ecdsa-sha2-nistp256 signatures are in TUF (securesystemslib and OpenSSL both write DER).
    static func derSignature(raw: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard raw.count == 64 else { throw CryptoError(.signingFailed, "the token's ECDSA signature is \(raw.count) bytes, not 64 (r||s)") }
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var v = Array(bytes.drop { $0 == 0 })
            if v.isEmpty { v = [0] }
            if v[0] & 0x80 != 0 { v.insert(0, at: 0) }
            return [0x02, UInt8(v.count)] + v
        }
        let body = integer(raw[0..<32]) + integer(raw[32..<64])
        return [0x30, UInt8(body.count)] + body
    }
}
