#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// Key files on disk: `PATH.pem` (PKCS#8, mode 0600, encrypted when a passphrase is given)
/// and `PATH.pub.json` (the TUF public key with its keyid). Errors name files, never secrets.
public enum KeyFiles {
    /// Generates a key of `type`, writes `out.pem` and `out.pub.json` (refusing to overwrite),
    /// and returns the public key.
    @discardableResult
    public static func generate(_ type: KeyType, out: String, passphrase: [UInt8]?) throws(RepositoryError) -> Key {
        let pemPath = out + ".pem", pubPath = out + ".pub.json"
        for p in [pemPath, pubPath] where FileIO.exists(p) {
            throw RepositoryError(.invalidArgument, "\(p) already exists; not overwriting a key file")
        }
        let key: PrivateKey
        let pem: String
        do {
            key = try PrivateKey.generate(type)
            pem = try key.pemRepresentation(passphrase: passphrase)
        } catch { throw RepositoryError(.badKey, "generating a \(type.rawValue) key failed: \(error.message)") }
        let dir = FileIO.parent(pemPath)
        try FileIO.makeDirectories(dir)
        try FileIO.createExclusive(pemPath, Array(pem.utf8), mode: 0o600)
        let pub = Key(key.publicKey)
        try FileIO.createExclusive(pubPath, publicKeyFile(pub), mode: 0o644)
        return pub
    }

    /// The bytes of a `.pub.json` file: the key JSON plus its `keyid`.
    public static func publicKeyFile(_ key: Key) -> [UInt8] {
        guard case .object(var o) = key.json else { return [] }
        o.members.insert(.init(key: "keyid", value: .string(key.keyID)), at: 0)
        return PythonJSONEncoder.encode(.object(o), style: .pretty) + [0x0A]
    }

    /// Reads a public key file (`.pub.json`, with or without `keyid`; a `keyid` that does not
    /// match the key is an error).
    public static func loadPublic(_ path: String) throws(RepositoryError) -> Key {
        let bytes = try FileIO.read(path)
        let json: JSON
        do { json = try JSONParser().parse(bytes) } catch { throw RepositoryError(.badKey, "\(path): not valid JSON: \(error)") }
        guard let o = json.objectValue, let keytype = o["keytype"]?.stringValue, let scheme = o["scheme"]?.stringValue,
              let value = o["keyval"]?.objectValue?["public"]?.stringValue else {
            throw RepositoryError(.badKey, "\(path): expected TUF key JSON with keytype, scheme and keyval.public")
        }
        let key: Key
        do { key = Key(try PublicKey(keytype: keytype, scheme: scheme, publicValue: value)) } catch {
            throw RepositoryError(.badKey, "\(path): \(error.message)")
        }
        if let stated = o["keyid"]?.stringValue, stated != key.keyID {
            throw RepositoryError(.badKey, "\(path): keyid \(stated) does not match the key (its keyid is \(key.keyID))")
        }
        return key
    }

    /// True when a private key file can be read or written by users other than its owner (any
    /// of the mode bits 0o077), which `keygen` never does; nil when it cannot be inspected.
    public static func isExposed(_ path: String) -> Bool? {
        guard let mode = FileIO.mode(path) else { return nil }
        return mode & 0o077 != 0
    }

    /// Reads a PEM private key. An encrypted key needs `passphrase`; without one, and with a
    /// terminal, the operator is asked for it without echo.
    public static func loadPrivate(_ path: String, passphrase: [UInt8]?) throws(RepositoryError) -> PrivateKey {
        let bytes = try FileIO.read(path)
        let pem = String(decoding: bytes, as: UTF8.self)
        var pass = passphrase
        if pass == nil, pem.contains("ENCRYPTED"), let asked = Passphrase.prompt("Passphrase for \(path): ") { pass = asked }
        defer { if pass != nil { for i in pass!.indices { pass![i] = 0 } } }
        do { return try PrivateKey(pemRepresentation: pem, passphrase: pass) } catch {
            if error.code == .badPassphrase {
                throw RepositoryError(.badKey, "\(path): the key is encrypted and the passphrase is missing or wrong (use --passphrase-env VAR)")
            }
            throw RepositoryError(.badKey, "\(path): not a usable private key: \(error.message)")
        }
    }
}

/// Passphrases come from an environment variable or a terminal prompt, never from argv.
public enum Passphrase {
    /// The value of environment variable `name`; an unset or empty variable is an error.
    public static func fromEnvironment(_ name: String) throws(RepositoryError) -> [UInt8] {
        guard let v = getenv(name), v.pointee != 0 else {
            throw RepositoryError(.invalidArgument, "environment variable \(name) (--passphrase-env) is not set or empty")
        }
        return Array(String(cString: v).utf8)
    }

    /// Asks on the terminal with echo off; nil when there is no terminal.
    public static func prompt(_ message: String) -> [UInt8]? {
        let fd = open("/dev/tty", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var old = termios()
        guard tcgetattr(fd, &old) == 0 else { return nil }
        var quiet = old
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = tcsetattr(fd, TCSAFLUSH, &quiet)
        defer { _ = tcsetattr(fd, TCSAFLUSH, &old); _ = write(fd, "\n", 1) }
        _ = message.withCString { write(fd, $0, strlen($0)) }
        var out: [UInt8] = []
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1, c != 0x0A, c != 0x0D { out.append(c) }
        return out
    }
}
