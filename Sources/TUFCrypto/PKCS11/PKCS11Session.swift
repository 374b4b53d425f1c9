import CPKCS11

/// Supplies the user PIN of the token named by its label, when the token asks for a login.
/// It is called at most once per session; the caller zeroes nothing: the session does.
public typealias PKCS11PINProvider = (_ tokenLabel: String) throws(CryptoError) -> [UInt8]

/// An open, logged-in session on the token a URI names; closed when released (the module is
/// finalised after its last session). Errors name the token and object, never the PIN.
final class PKCS11Session: @unchecked Sendable {
    let module: PKCS11Module
    let handle: CK_SESSION_HANDLE
    let tokenLabel: String
    var functions: CK_FUNCTION_LIST { module.functions.pointee }

    /// Opens a session (read-write when `readWrite`, for key generation) on the one token that
    /// matches `uri` and logs in when the token requires it.
    init(module: PKCS11Module, uri: PKCS11URI, readWrite: Bool, pin: PKCS11PINProvider) throws(CryptoError) {
        self.module = module
        let matches = try module.tokens().filter { slot, info in
            (uri.token.map { $0 == info.labelText } ?? true)
                && (uri.manufacturer.map { $0 == info.manufacturerText } ?? true)
                && (uri.model.map { $0 == info.modelText } ?? true)
                && (uri.serial.map { $0 == info.serialText } ?? true)
                && (uri.slotID.map { CK_SLOT_ID($0) == slot } ?? true)
                && info.flags & CK_FLAGS(CKF_TOKEN_INITIALIZED) != 0
        }
        let wanted = uri.token.map { "token \"\($0)\"" } ?? "a token matching \(uri)"
        guard let (slot, info) = matches.first else {
            throw CryptoError(.tokenNotFound, "\(wanted) not found in PKCS#11 module \(module.path)")
        }
        guard matches.count == 1 else {
            throw CryptoError(.tokenNotFound, "\(matches.count) tokens match \(uri) in \(module.path); name one with token=, serial= or slot-id=")
        }
        tokenLabel = info.labelText
        var session: CK_SESSION_HANDLE = 0
        let flags = CK_FLAGS(CKF_SERIAL_SESSION) | (readWrite ? CK_FLAGS(CKF_RW_SESSION) : 0)
        try module.check(module.functions.pointee.C_OpenSession(slot, flags, nil, nil, &session), "C_OpenSession on token \"\(info.labelText)\"")
        handle = session
        if info.flags & CK_FLAGS(CKF_LOGIN_REQUIRED) != 0 { try login(pin) }
    }

    deinit { _ = functions.C_CloseSession(handle) }

    private func login(_ provider: PKCS11PINProvider) throws(CryptoError) {
        var pin = try provider(tokenLabel)
        defer { secureZero(&pin) }
        let rv = pin.withUnsafeMutableBufferPointer { functions.C_Login(handle, CK_USER_TYPE(CKU_USER), $0.baseAddress, CK_ULONG($0.count)) }
        switch rv {
        case CK_RV(CKR_OK), CK_RV(CKR_USER_ALREADY_LOGGED_IN): return
        case CK_RV(CKR_PIN_INCORRECT), CK_RV(CKR_PIN_INVALID), CK_RV(CKR_PIN_LEN_RANGE):
            throw CryptoError(.wrongPIN, "wrong PIN for token \"\(tokenLabel)\"")
        case CK_RV(CKR_PIN_LOCKED):
            throw CryptoError(.wrongPIN, "the PIN of token \"\(tokenLabel)\" is locked (too many wrong PINs); the token's security officer must reset it")
        default:
            throw CryptoError(.pkcs11, "logging in to token \"\(tokenLabel)\" failed (\(PKCS11Module.name(rv)))")
        }
    }

    /// The handles of the objects of `objectClass` matching the URI's `object` and `id`.
    func find(_ objectClass: CK_OBJECT_CLASS, label: String?, id: [UInt8]?) throws(CryptoError) -> [CK_OBJECT_HANDLE] {
        var attributes: [(CK_ULONG, [UInt8])] = [(CKA_CLASS, ulongBytes(objectClass))]
        if let label { attributes.append((CKA_LABEL, Array(label.utf8))) }
        if let id { attributes.append((CKA_ID, id)) }
        let rv = withTemplate(attributes) { functions.C_FindObjectsInit(handle, &$0, CK_ULONG($0.count)) }
        try module.check(rv, "C_FindObjectsInit")
        defer { _ = functions.C_FindObjectsFinal(handle) }
        var found: [CK_OBJECT_HANDLE] = []
        var batch = [CK_OBJECT_HANDLE](repeating: 0, count: 16)
        while found.count <= 1024 {  // enough to say "ambiguous"
            var n: CK_ULONG = 0
            try module.check(functions.C_FindObjects(handle, &batch, CK_ULONG(batch.count), &n), "C_FindObjects")
            if n == 0 { break }
            found += batch.prefix(Int(n))
        }
        return found
    }

    /// The value of one attribute of `object`; nil when the object does not have it.
    func attribute(_ type: CK_ULONG, of object: CK_OBJECT_HANDLE) throws(CryptoError) -> [UInt8]? {
        var a = CK_ATTRIBUTE(type: CK_ATTRIBUTE_TYPE(type), pValue: nil, ulValueLen: 0)
        let rv = functions.C_GetAttributeValue(handle, object, &a, 1)
        if rv == CK_RV(CKR_ATTRIBUTE_TYPE_INVALID) || a.ulValueLen == CK_ULONG.max { return nil }
        try module.check(rv, "C_GetAttributeValue")
        var value = [UInt8](repeating: 0, count: Int(a.ulValueLen))
        let second = value.withUnsafeMutableBytes { p in
            a.pValue = p.baseAddress
            return functions.C_GetAttributeValue(handle, object, &a, 1)
        }
        try module.check(second, "C_GetAttributeValue")
        return Array(value.prefix(Int(a.ulValueLen)))
    }

    /// One signature with `mechanism` (no parameters) over `data`.
    func sign(_ data: [UInt8], mechanism: CK_MECHANISM_TYPE, key: CK_OBJECT_HANDLE) throws(CryptoError) -> [UInt8] {
        var m = CK_MECHANISM(mechanism: mechanism, pParameter: nil, ulParameterLen: 0)
        var input = data
        try module.check(functions.C_SignInit(handle, &m, key), "C_SignInit on token \"\(tokenLabel)\"")
        var length: CK_ULONG = 0
        try module.check(functions.C_Sign(handle, &input, CK_ULONG(input.count), nil, &length), "C_Sign on token \"\(tokenLabel)\"")
        var signature = [UInt8](repeating: 0, count: Int(length))
        try module.check(functions.C_Sign(handle, &input, CK_ULONG(input.count), &signature, &length), "C_Sign on token \"\(tokenLabel)\"")
        return Array(signature.prefix(Int(length)))
    }
}
