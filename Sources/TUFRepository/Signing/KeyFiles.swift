import Glibc
import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// Key files on disk: `PATH.pem` (PKCS#8, mode 0600, encrypted when a passphrase is given)
/// and `PATH.pub.json` (the TUF public key with its keyid). Errors name files, never secrets.
public enum KeyFiles {
    /// Generates a key of `type`, writes `out.pem` and `out.pub.json` (refusing to overwrite),
    /// and returns the public key.
    @discardableResult
    public static func generate(_ type: KeyType, out: String, passphrase: [UInt8]?) throws(RepositoryError) -> Key {
        let pemPath = out + ".pem", pubPath = out + ".pub.json"
        for p in [pemPath, pubPath] where FileSystem.exists(p) {
            throw RepositoryError(.invalidArgument, "\(p) already exists; not overwriting a key file")
        }
        let key: PrivateKey
        var pem: [UInt8]
        do {
            key = try PrivateKey.generate(type)
            pem = try key.pemBytes(passphrase: passphrase)
        } catch { throw RepositoryError(.badKey, "generating a \(type.rawValue) key failed: \(error.message)") }
        defer { secureZero(&pem) }
        let dir = FileSystem.parent(pemPath)
        try FileIO.makeDirectories(dir)
        // O_CREAT|O_EXCL with mode 0600: never readable by others, whatever the umask.
        try FileIO.createExclusive(pemPath, pem, mode: 0o600)
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
        guard let mode = FileSystem.mode(path) else { return nil }
        return mode & 0o077 != 0
    }

    /// The largest private key file read: an RSA 8192 PEM is under 7 KB.
    static let maximumPrivateKeyFileSize = 64 * 1024

    /// Reads a PEM private key. A file that other users can read or write is refused unless
    /// `allowExposed` (like ssh). An encrypted key needs `passphrase`; without one, and with a
    /// terminal, the operator is asked for it without echo. Errors name the file, never its bytes.
    public static func loadPrivate(_ path: String, passphrase: [UInt8]?, allowExposed: Bool = false) throws(RepositoryError) -> PrivateKey {
        var bytes = try readPrivateKeyFile(path, allowExposed: allowExposed)
        defer { secureZero(&bytes) }
        var asked: [UInt8]? = nil
        if passphrase == nil, contains(bytes, "ENCRYPTED") { asked = Passphrase.prompt("Passphrase for \(path): ") }
        defer { if asked != nil { secureZero(&asked!) } }
        do { return try PrivateKey(pemBytes: bytes, passphrase: passphrase ?? asked) } catch {
            if error.code == .badPassphrase {
                throw RepositoryError(.badKey, "\(path): the key is encrypted and the passphrase is missing or wrong (use --passphrase-env VAR)")
            }
            throw RepositoryError(.badKey, "\(path): not a usable private key: \(error.message)")
        }
    }

    /// The bytes of a private key file, read through one descriptor so that the mode checked is
    /// the mode of the file read, into one buffer of the file's size (no growth, no stray copies).
    static func readPrivateKeyFile(_ path: String, allowExposed: Bool) throws(RepositoryError) -> [UInt8] {
        // Non-blocking, so a FIFO in the key's place is refused below instead of hanging the run.
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw RepositoryError(.io, "\(path): cannot open the private key: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw RepositoryError(.badKey, "\(path): not a regular file")
        }
        let mode = UInt32(st.st_mode) & 0o7777
        if mode & 0o077 != 0, !allowExposed {
            throw RepositoryError(.badKey, "\(path): the private key file has mode 0\(String(mode, radix: 8)), so other users can read "
                                  + "or replace it; run chmod 600 \(path) (or pass --allow-exposed-key to use it anyway)")
        }
        guard st.st_size > 0, st.st_size <= maximumPrivateKeyFileSize else {
            throw RepositoryError(.badKey, "\(path): not a usable private key: \(st.st_size) bytes is not the size of a PEM key")
        }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                secureZero(&bytes)
                throw RepositoryError(.io, "\(path): reading the private key failed or it changed while read")
            }
            done += n
        }
        return bytes
    }

    /// True when `bytes` contain the ASCII text `needle`.
    static func contains(_ bytes: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard bytes.count >= n.count else { return false }
        return (0...(bytes.count - n.count)).contains { i in bytes[i..<(i + n.count)].elementsEqual(n) }
    }
}

/// Passphrases come from an environment variable or a terminal prompt, never from argv.
public enum Passphrase {
    /// The value of environment variable `name`; an unset or empty variable is an error.
    /// The bytes are copied straight from the C string (no Swift `String`); the environment
    /// block itself stays in the process and cannot be cleared.
    public static func fromEnvironment(_ name: String) throws(RepositoryError) -> [UInt8] {
        guard let v = getenv(name), v.pointee != 0 else {
            throw RepositoryError(.invalidArgument, "environment variable \(name) (--passphrase-env) is not set or empty")
        }
        let count = strlen(v)
        return v.withMemoryRebound(to: UInt8.self, capacity: count) { [UInt8](UnsafeBufferPointer(start: $0, count: count)) }
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
        // A fixed buffer, not a growing array: growth would leave copies of the passphrase behind.
        var buffer = [UInt8](repeating: 0, count: 1024)
        defer { secureZero(&buffer) }
        var count = 0
        var c: UInt8 = 0
        while count < buffer.count, read(fd, &c, 1) == 1, c != 0x0A, c != 0x0D {
            buffer[count] = c
            count += 1
        }
        c = 0
        return Array(buffer[..<count])
    }
}
