import CPKCS11
import Glibc
import Synchronization

/// A PKCS#11 module loaded with dlopen and initialised once per process; C_Finalize and
/// dlclose run when the last session that uses it is gone. Every signer on the same module
/// shares one instance, because a second C_Initialize in one process is an error.
final class PKCS11Module: @unchecked Sendable {
    let path: String
    let functions: UnsafeMutablePointer<CK_FUNCTION_LIST>
    private let handle: UnsafeMutableRawPointer

    /// The loaded modules by path, held weakly: the last user's release finalises the module.
    private static let loaded = Mutex<[String: WeakModule]>([:])
    private struct WeakModule { weak var module: PKCS11Module? }

    /// The module at `path`, loaded and initialised (or the one already loaded).
    static func load(_ path: String) throws(CryptoError) -> PKCS11Module {
        let result = loaded.withLock { table -> Result<PKCS11Module, CryptoError> in
            if let m = table[path]?.module { return .success(m) }
            do throws(CryptoError) {
                let m = try PKCS11Module(path: path)
                table[path] = WeakModule(module: m)
                return .success(m)
            } catch { return .failure(error) }
        }
        return try result.get()
    }

    private init(path: String) throws(CryptoError) {
        self.path = path
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown reason"
            throw CryptoError(.pkcs11, "cannot load the PKCS#11 module \(path): \(reason)")
        }
        guard let symbol = dlsym(handle, "C_GetFunctionList") else {
            dlclose(handle)
            throw CryptoError(.pkcs11, "\(path) is not a PKCS#11 module (no C_GetFunctionList)")
        }
        let getList = unsafeBitCast(symbol, to: CK_C_GetFunctionList.self)
        var list: UnsafeMutablePointer<CK_FUNCTION_LIST>? = nil
        guard getList(&list) == CKR_OK, let list, list.pointee.version.major >= 2, list.pointee.C_Initialize != nil else {
            dlclose(handle)
            throw CryptoError(.pkcs11, "\(path): C_GetFunctionList failed or returned an unusable function list")
        }
        // The module may run its own threads; it must lock with the OS's primitives.
        var args = CK_C_INITIALIZE_ARGS(CreateMutex: nil, DestroyMutex: nil, LockMutex: nil, UnlockMutex: nil,
                                        flags: CK_FLAGS(CKF_OS_LOCKING_OK), pReserved: nil)
        let rv = list.pointee.C_Initialize(&args)
        // Already initialised by another library in this process: use it, but leave finalising to that owner.
        guard rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED else {
            dlclose(handle)
            throw CryptoError(.pkcs11, "\(path): C_Initialize failed (\(Self.name(rv)))")
        }
        self.ownsInitialization = rv == CKR_OK
        self.handle = handle
        self.functions = list
    }

    private let ownsInitialization: Bool

    deinit {
        if ownsInitialization { _ = functions.pointee.C_Finalize(nil) }
        dlclose(handle)
    }

    /// The slots that hold a token, with their token information.
    func tokens() throws(CryptoError) -> [(slot: CK_SLOT_ID, info: CK_TOKEN_INFO)] {
        var count: CK_ULONG = 0
        try check(functions.pointee.C_GetSlotList(1, nil, &count), "C_GetSlotList")
        var slots = [CK_SLOT_ID](repeating: 0, count: Int(count))
        try check(functions.pointee.C_GetSlotList(1, &slots, &count), "C_GetSlotList")
        return try slots.prefix(Int(count)).map { (slot) throws(CryptoError) in
            var info = CK_TOKEN_INFO()
            try check(functions.pointee.C_GetTokenInfo(slot, &info), "C_GetTokenInfo")
            return (slot, info)
        }
    }

    /// Throws a `.pkcs11` error naming the call and the return value unless `rv` is CKR_OK.
    func check(_ rv: CK_RV, _ call: String) throws(CryptoError) {
        guard rv == CKR_OK else { throw CryptoError(.pkcs11, "\(path): \(call) failed (\(Self.name(rv)))") }
    }

    /// The standard's name of a return value, for messages.
    static func name(_ rv: CK_RV) -> String {
        let names: [CK_RV: String] = [
            CK_RV(CKR_ARGUMENTS_BAD): "CKR_ARGUMENTS_BAD", CK_RV(CKR_ATTRIBUTE_TYPE_INVALID): "CKR_ATTRIBUTE_TYPE_INVALID",
            CK_RV(CKR_DEVICE_REMOVED): "CKR_DEVICE_REMOVED", CK_RV(CKR_KEY_TYPE_INCONSISTENT): "CKR_KEY_TYPE_INCONSISTENT",
            CK_RV(CKR_MECHANISM_INVALID): "CKR_MECHANISM_INVALID", CK_RV(CKR_MECHANISM_PARAM_INVALID): "CKR_MECHANISM_PARAM_INVALID",
            CK_RV(CKR_PIN_INCORRECT): "CKR_PIN_INCORRECT", CK_RV(CKR_PIN_INVALID): "CKR_PIN_INVALID",
            CK_RV(CKR_PIN_LEN_RANGE): "CKR_PIN_LEN_RANGE", CK_RV(CKR_PIN_EXPIRED): "CKR_PIN_EXPIRED",
            CK_RV(CKR_PIN_LOCKED): "CKR_PIN_LOCKED", CK_RV(CKR_TEMPLATE_INCONSISTENT): "CKR_TEMPLATE_INCONSISTENT",
            CK_RV(CKR_TOKEN_NOT_PRESENT): "CKR_TOKEN_NOT_PRESENT", CK_RV(CKR_USER_PIN_NOT_INITIALIZED): "CKR_USER_PIN_NOT_INITIALIZED",
            CK_RV(CKR_BUFFER_TOO_SMALL): "CKR_BUFFER_TOO_SMALL", CK_RV(CKR_CURVE_NOT_SUPPORTED): "CKR_CURVE_NOT_SUPPORTED",
        ]
        return names[rv] ?? "CKR 0x\(String(rv, radix: 16))"
    }
}

extension CK_TOKEN_INFO {
    /// A fixed-width, blank-padded CK_TOKEN_INFO field as a string.
    static func text<T>(_ field: T) -> String {
        withUnsafeBytes(of: field) { raw in
            var bytes = Array(raw)
            while let last = bytes.last, last == 0x20 || last == 0 { bytes.removeLast() }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    var labelText: String { Self.text(label) }
    var manufacturerText: String { Self.text(manufacturerID) }
    var modelText: String { Self.text(model) }
    var serialText: String { Self.text(serialNumber) }
}
