import CPKCS11
import COpenSSL

/// Makes key pairs on a PKCS#11 token: the private key is created sensitive and not
/// extractable, so it never leaves the token; only the public key comes back.
public enum PKCS11KeyGeneration {
    /// Generates an ed25519 (CKM_EC_EDWARDS_KEY_PAIR_GEN) or P-256 (CKM_EC_KEY_PAIR_GEN) key
    /// pair on the token `uri` names, labelled with its `object` and with its `id` (random 16
    /// bytes when the URI has none), and returns a signer for it. Refuses when a key with that
    /// label or id is already there.
    public static func generate(_ type: KeyType, uri: PKCS11URI, modulePath: String, pin: PKCS11PINProvider) throws(CryptoError) -> PKCS11Signer {
        guard type != .rsa else { throw CryptoError(.unsupportedKey, "keys on PKCS#11 tokens are ed25519 or ecdsa, not rsa") }
        guard let label = uri.object else { throw CryptoError(.badURI, "\(uri): name the new key with object=LABEL") }
        if let t = uri.type, t != "private" { throw CryptoError(.badURI, "\(uri): type=\(t) cannot name a new key pair") }
        let module = try PKCS11Module.load(modulePath)
        do {
            let session = try PKCS11Session(module: module, uri: uri, readWrite: true, pin: pin)
            for cls in [CKO_PRIVATE_KEY, CKO_PUBLIC_KEY] {
                let byLabel = try session.find(CK_OBJECT_CLASS(cls), label: label, id: nil)
                let byID = uri.id == nil ? [] : try session.find(CK_OBJECT_CLASS(cls), label: nil, id: uri.id)
                if !byLabel.isEmpty || !byID.isEmpty {
                    throw CryptoError(.keyGenerationFailed, "\(uri.keyName) already exists on token \"\(session.tokenLabel)\"; not making a second key")
                }
            }
            let id = uri.id ?? randomID()
            try generate(type, session: session, label: Array(label.utf8), id: id)
            // The URI with the id filled in, so the signer finds exactly the new pair.
            var found = uri
            found.id = id
            return try PKCS11Signer(uri: found, session: session)
        }
    }

    private static func randomID() -> [UInt8] {
        var id = [UInt8](repeating: 0, count: 16)
        precondition(RAND_bytes(&id, Int32(id.count)) == 1, "RAND_bytes failed")
        return id
    }

    private static func generate(_ type: KeyType, session: PKCS11Session, label: [UInt8], id: [UInt8]) throws(CryptoError) {
        let yes: [UInt8] = [1], no: [UInt8] = [0]
        let mechanismType = type == .ed25519 ? CKM_EC_EDWARDS_KEY_PAIR_GEN : CKM_EC_KEY_PAIR_GEN
        // ed25519: the 3.0 OID first, then the printable name that older modules want.
        let choices = type == .ed25519 ? [PKCS11KeyEncoding.ed25519Parameters, PKCS11KeyEncoding.edwards25519Parameters]
                                       : [PKCS11KeyEncoding.p256Parameters]
        let privateAttributes: [(CK_ULONG, [UInt8])] = [
            (CKA_TOKEN, yes), (CKA_PRIVATE, yes), (CKA_SIGN, yes), (CKA_SENSITIVE, yes), (CKA_EXTRACTABLE, no),
            (CKA_LABEL, label), (CKA_ID, id),
        ]
        var lastError = CK_RV(CKR_OK)
        for params in choices {
            let publicAttributes: [(CK_ULONG, [UInt8])] = [
                (CKA_TOKEN, yes), (CKA_VERIFY, yes), (CKA_EC_PARAMS, params), (CKA_LABEL, label), (CKA_ID, id),
            ]
            let rv = withTemplate(publicAttributes) { publicTemplate in
                withTemplate(privateAttributes) { privateTemplate in
                    var mechanism = CK_MECHANISM(mechanism: CK_MECHANISM_TYPE(mechanismType), pParameter: nil, ulParameterLen: 0)
                    var pub: CK_OBJECT_HANDLE = 0, priv: CK_OBJECT_HANDLE = 0
                    return session.functions.C_GenerateKeyPair(session.handle, &mechanism,
                                                               &publicTemplate, CK_ULONG(publicTemplate.count),
                                                               &privateTemplate, CK_ULONG(privateTemplate.count), &pub, &priv)
                }
            }
            if rv == CKR_OK { return }
            lastError = rv
        }
        throw CryptoError(.keyGenerationFailed, "generating a \(type.rawValue) key pair on token \"\(session.tokenLabel)\" failed (\(PKCS11Module.name(lastError)))")
    }
}
