import Glibc
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// Where a PKCS#11 key's module and PIN come from. The PIN never comes from an argument or
/// the URI's pin-value: from the URI's pin-source file, the environment variable `pinEnv`,
/// or a prompt on the terminal, in that order.
public struct PKCS11Settings: Sendable {
    /// The default environment variable of the PIN.
    public static let defaultPINEnvironment = "TUF_PKCS11_PIN"
    /// The environment variable of the module path when neither option nor URI gives one.
    public static let moduleEnvironment = "TUF_PKCS11_MODULE"

    /// `--pkcs11-module PATH`: wins over the URI's module-path and TUF_PKCS11_MODULE.
    public var modulePath: String?
    /// `--pin-env VAR`; nil means TUF_PKCS11_PIN, and then an unset variable falls back to the prompt.
    public var pinEnvironment: String?

    public init(modulePath: String? = nil, pinEnvironment: String? = nil) {
        self.modulePath = modulePath
        self.pinEnvironment = pinEnvironment
    }
}

/// Keys on PKCS#11 tokens, named by RFC 7512 URIs. Errors name the token and object.
public enum HardwareKeys {
    /// Opens the signing key `uriText` names (the key stays on the token).
    public static func signer(_ uriText: String, settings: PKCS11Settings) throws(RepositoryError) -> PKCS11Signer {
        let uri = try parse(uriText)
        let module = try modulePath(uri, settings)
        do { return try PKCS11Signer(uri: uri, modulePath: module, pin: pinProvider(uri, settings)) } catch { throw wrap(error) }
    }

    /// Generates a key pair on the token and writes its public key JSON to `out` (refusing to
    /// overwrite), in the format of `KeyFiles.publicKeyFile`. Returns the public key.
    @discardableResult
    public static func generate(_ type: KeyType, uri uriText: String, out: String, settings: PKCS11Settings) throws(RepositoryError) -> Key {
        let uri = try parse(uriText)
        if FileSystem.exists(out) { throw RepositoryError(.invalidArgument, "\(out) already exists; not overwriting a key file") }
        let module = try modulePath(uri, settings)
        try FileIO.makeDirectories(FileSystem.parent(out))
        let signer: PKCS11Signer
        do { signer = try PKCS11KeyGeneration.generate(type, uri: uri, modulePath: module, pin: pinProvider(uri, settings)) } catch { throw wrap(error) }
        let key = Key(signer.publicKey)
        try FileIO.createExclusive(out, KeyFiles.publicKeyFile(key), mode: 0o644)
        return key
    }

    static func parse(_ text: String) throws(RepositoryError) -> PKCS11URI {
        do { return try PKCS11URI(text) } catch { throw RepositoryError(.invalidArgument, error.message) }
    }

    /// A token error as the CLI reports it: a bad key (or a bad argument for a bad URI).
    static func wrap(_ error: CryptoError) -> RepositoryError {
        RepositoryError(error.code == .badURI ? .invalidArgument : .badKey, error.message)
    }

    static func modulePath(_ uri: PKCS11URI, _ settings: PKCS11Settings) throws(RepositoryError) -> String {
        if let p = settings.modulePath ?? uri.modulePath { return p }
        if let v = getenv(PKCS11Settings.moduleEnvironment), v.pointee != 0 { return String(cString: v) }
        throw RepositoryError(.invalidArgument, "\(uri.keyName): no PKCS#11 module: give --pkcs11-module PATH, "
                              + "set \(PKCS11Settings.moduleEnvironment), or add ?module-path=PATH to the URI")
    }

    /// Asked only when the token wants a login; the bytes are zeroed by the session.
    static func pinProvider(_ uri: PKCS11URI, _ settings: PKCS11Settings) -> PKCS11PINProvider {
        { (token: String) throws(CryptoError) -> [UInt8] in
            if let source = uri.pinSource { return try pinFromFile(source, token: token) }
            let name = settings.pinEnvironment ?? PKCS11Settings.defaultPINEnvironment
            if let v = getenv(name), v.pointee != 0 {
                let count = strlen(v)
                return v.withMemoryRebound(to: UInt8.self, capacity: count) { [UInt8](UnsafeBufferPointer(start: $0, count: count)) }
            }
            if settings.pinEnvironment != nil {
                throw CryptoError(.wrongPIN, "environment variable \(name) (--pin-env) is not set or empty; it holds the PIN of token \"\(token)\"")
            }
            if let typed = Passphrase.prompt("PIN for token \"\(token)\": ") { return typed }
            throw CryptoError(.wrongPIN, "token \"\(token)\" needs its PIN: set \(name) (or name another variable with --pin-env), or run on a terminal")
        }
    }

    /// RFC 7512's pin-source: here a file path or `file:` URI; the file must be the user's own
    /// and unreadable by others, as private key files are.
    static func pinFromFile(_ source: String, token: String) throws(CryptoError) -> [UInt8] {
        var path = source
        if path.hasPrefix("file://") { path = String(path.dropFirst(7)) } else if path.hasPrefix("file:") { path = String(path.dropFirst(5)) }
        guard path.hasPrefix("/") else {
            throw CryptoError(.badURI, "the URI's pin-source is not an absolute path or a file: URI (its value is not shown: it may be a PIN)")
        }
        var bytes: [UInt8]
        do { bytes = try KeyFiles.readPrivateKeyFile(path, allowExposed: false) } catch {
            throw CryptoError(.wrongPIN, "the PIN of token \"\(token)\" (pin-source): \(error.message)")
        }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        return bytes
    }
}
