import CPKCS11
import Synchronization

/// A signer whose private key stays on a PKCS#11 token: ed25519 with CKM_EDDSA, ECDSA P-256
/// with CKM_ECDSA over a SHA-256 digest made here. The public key is read from the token's
/// public key object, and every signature the token returns is verified against it before it
/// is used, so a token that signs with another key (or garbage) is caught here, by name.
public final class PKCS11Signer: Signer, @unchecked Sendable {
    public let publicKey: PublicKey
    /// The URI the key was found by.
    public let uri: PKCS11URI
    /// `token "T" object "O"`: how errors and reports name the key.
    public var keyName: String { uri.keyName }

    private let session: PKCS11Session
    private let privateKey: CK_OBJECT_HANDLE
    private let type: KeyType
    /// One operation at a time on a session (PKCS#11 sessions are not re-entrant).
    private let lock = Mutex(())

    /// Opens the key `uri` names, loading `modulePath` and logging in with `pin` when the token
    /// asks. Errors: module not loadable, token or object not found (named), wrong PIN.
    public convenience init(uri: PKCS11URI, modulePath: String, pin: PKCS11PINProvider) throws(CryptoError) {
        guard uri.object != nil || uri.id != nil else {
            throw CryptoError(.badURI, "\(uri): name the key with object= (its label) or id=")
        }
        if let type = uri.type, type != "private" {
            throw CryptoError(.badURI, "\(uri): a signing key is type=private, not type=\(type)")
        }
        let module = try PKCS11Module.load(modulePath)
        try self.init(uri: uri, session: PKCS11Session(module: module, uri: uri, readWrite: false, pin: pin))
    }

    /// The key `uri` names in an open session.
    init(uri: PKCS11URI, session: PKCS11Session) throws(CryptoError) {
        let module = session.module
        let found = try session.find(CK_OBJECT_CLASS(CKO_PRIVATE_KEY), label: uri.object, id: uri.id)
        guard let key = found.first else {
            throw CryptoError(.objectNotFound, "no private key \(uri.keyName) on the token (\(module.path))")
        }
        guard found.count == 1 else {
            throw CryptoError(.objectNotFound, "\(found.count) private keys match \(uri.keyName); name one with both object= and id=")
        }
        // The public half: the public key object with the same CKA_ID (else the same label).
        let id = try session.attribute(CKA_ID, of: key)
        let label = try session.attribute(CKA_LABEL, of: key).map { String(decoding: $0, as: UTF8.self) }
        var publics = try session.find(CK_OBJECT_CLASS(CKO_PUBLIC_KEY), label: id?.isEmpty == false ? nil : label, id: id?.isEmpty == false ? id : nil)
        if publics.count != 1, id?.isEmpty == false, let label {
            publics = try session.find(CK_OBJECT_CLASS(CKO_PUBLIC_KEY), label: label, id: id)
        }
        var params: [UInt8]? = nil, point: [UInt8]? = nil
        if publics.count == 1 {
            params = try session.attribute(CKA_EC_PARAMS, of: publics[0])
            if params == nil { params = try session.attribute(CKA_EC_PARAMS, of: key) }
            point = try session.attribute(CKA_EC_POINT, of: publics[0])
        }
        guard let params, let point else {
            throw CryptoError(.objectNotFound, "no matching public key object for \(uri.keyName) on the token (need CKA_EC_POINT and CKA_EC_PARAMS)")
        }
        guard let type = PKCS11KeyEncoding.keyType(parameters: params) else {
            throw CryptoError(.unsupportedKey, "\(uri.keyName): the key is not ed25519 or P-256 (only those are signed with here)")
        }
        do { publicKey = try PKCS11KeyEncoding.publicKey(type: type, ecPoint: point) } catch {
            throw CryptoError(error.code, "\(uri.keyName): \(error.message)")
        }
        self.uri = uri
        self.session = session
        self.privateKey = key
        self.type = type
    }

    public func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8] {
        let result = lock.withLock { _ -> Result<[UInt8], CryptoError> in
            do throws(CryptoError) {
                let signature: [UInt8]
                switch type {
                case .ed25519:
                    signature = try session.sign(message, mechanism: CK_MECHANISM_TYPE(CKM_EDDSA), key: privateKey)
                case .ecdsa:
                    let digest = Hash.digest(.sha256, message)
                    signature = try PKCS11KeyEncoding.derSignature(raw: session.sign(digest, mechanism: CK_MECHANISM_TYPE(CKM_ECDSA), key: privateKey))
                case .rsa:
                    throw CryptoError(.unsupportedKey, "RSA keys on tokens are not supported")
                }
                return .success(signature)
            } catch { return .failure(CryptoError(error.code, "\(uri.keyName): \(error.message)")) }
        }
        let signature = try result.get()
        guard publicKey.verify(signature: signature, message: message) else {
            throw CryptoError(.signingFailed, "\(uri.keyName): the token's signature does not verify with its public key; not used")
        }
        return signature
    }
}
