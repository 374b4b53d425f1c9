import Foundation
import Testing
import TUFCrypto
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// Private key files: written 0600, refused when others can read them, never quoted in errors;
/// passphrases never taken from the command line.
@Suite struct KeyHygieneTests {
    static let binary: String? = BuiltBinaries.tufRepo
    /// Found, or required by `Scripts/test` (a missing binary then fails, never skips).
    static let enabled = BuiltBinaries.testsRun(binary)

    /// Writes test key `name` as a PEM file with `mode`.
    func writeKey(_ name: String, to path: String, mode: Int = 0o600) throws {
        try Data(TestKeys.key(name).pemRepresentation(passphrase: nil).utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    /// A root metadata file to sign with `tuf-repo sign --file`.
    func writeRoot(to path: String) throws {
        try Data(MetadataFactory.bytes(MetadataFactory.root(), by: [])).write(to: URL(fileURLWithPath: path))
    }

    func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        return try Interop.run(try BuiltBinaries.require(Self.binary, "tuf-repo"), args, environment: environment)
    }

    @Test(.enabled(if: enabled), arguments: [0o644, 0o640, 0o604, 0o660])
    func cliRefusesAPrivateKeyOthersCanRead(mode: Int) throws {
        let dir = TempDir()
        let key = dir.sub("exposed.pem"), root = dir.sub("root.json")
        try writeKey("ed1", to: key, mode: mode)
        try writeRoot(to: root)
        let refused = try run(["sign", "--yes", "--file", root, "--key", key])
        #expect(refused.status == 1, "\(refused.output)")
        let octal = "0" + String(mode, radix: 8)
        for part in [key, octal, "chmod 600", "--allow-exposed-key"] {
            #expect(refused.output.contains(part), "\(part) in \(refused.output)")
        }
        #expect(try Metadata<Root>(bytes: Array(Data(contentsOf: URL(fileURLWithPath: root)))).signatures.isEmpty)
        // The explicit override signs, and still warns.
        let allowed = try run(["sign", "--yes", "--file", root, "--key", key, "--allow-exposed-key"])
        #expect(allowed.status == 0, "\(allowed.output)")
        #expect(allowed.output.contains("warning") && allowed.output.contains(key), "\(allowed.output)")
        #expect(try Metadata<Root>(bytes: Array(Data(contentsOf: URL(fileURLWithPath: root)))).signatures.count == 1)
    }

    @Test(.enabled(if: enabled)) func cliSignsWithA0600Key() throws {
        let dir = TempDir()
        try writeKey("ed1", to: dir.sub("k.pem"))
        try writeRoot(to: dir.sub("root.json"))
        let r = try run(["sign", "--yes", "--file", dir.sub("root.json"), "--key", dir.sub("k.pem")])
        #expect(r.status == 0, "\(r.output)")
        #expect(!r.output.contains("warning"), "\(r.output)")
    }

    @Test(.enabled(if: enabled)) func keygenWritesThePrivateKey0600EvenUnderAPermissiveUmask() throws {
        let dir = TempDir()
        for (name, extra) in [("plain", [String]()), ("sealed", ["--passphrase-env", "KEYGEN_TEST_PASS"])] {
            let args = ["keygen", "--type", "ecdsa", "--out", dir.sub(name)] + extra
            let script = "umask 000; exec \"$0\" \"$@\""
            let r = try Interop.run("/bin/sh", ["-c", script, try BuiltBinaries.require(Self.binary, "tuf-repo")] + args,
                                    environment: ProcessInfo.processInfo.environment.merging(["KEYGEN_TEST_PASS": "correct horse"]) { $1 })
            #expect(r.status == 0, "\(r.output)")
            let attributes = { (p: String) in try FileManager.default.attributesOfItem(atPath: p)[.posixPermissions] as? Int }
            #expect(try attributes(dir.sub("\(name).pem")) == 0o600, "\(name)")
            #expect(try attributes(dir.sub("\(name).pub.json")) == 0o644, "\(name)")
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o620, 0o602])
    func loadPrivateRefusesAKeyFileOthersCanReadOrWrite(mode: Int) throws {
        let dir = TempDir()
        let path = dir.sub("k.pem")
        try writeKey("ed2", to: path, mode: mode)
        do {
            _ = try KeyFiles.loadPrivate(path, passphrase: nil)
            Issue.record("an exposed key file was accepted")
        } catch {
            #expect(error.code == .badKey)
            #expect(error.message.contains(path) && error.message.contains("0" + String(mode, radix: 8))
                    && error.message.contains("chmod 600"), "\(error.message)")
        }
        #expect(try KeyFiles.loadPrivate(path, passphrase: nil, allowExposed: true).publicKey == TestKeys.key("ed2").publicKey)
    }

    /// Bad private key files, as (name, bytes): garbage, damaged PEM, the wrong kind of file.
    static func badKeyFiles() throws -> [(String, [UInt8])] {
        let pem = try TestKeys.key("ec1").pemRepresentation(passphrase: nil)
        var lines = pem.split(separator: "\n").map(String.init)
        let body = lines[1]
        lines[1] = String(body.reversed())
        let sealed = try TestKeys.key("ed3").pemRepresentation(passphrase: Array("right".utf8), iterations: 1000)
        return [
            ("garbage text", Array("not a key at all: SECRET-MARKER-0123456789\n".utf8)),
            ("truncated PEM", Array(pem.prefix(pem.count / 2).utf8)),
            ("damaged base64", Array(lines.joined(separator: "\n").utf8)),
            ("body without armour", Array((body + "\n").utf8)),
            ("public key JSON", KeyFiles.publicKeyFile(TestKeys.publicKey("ec1"))),
            ("public key PEM", Array(TestKeys.key("ec1").publicKey.publicValue.utf8)),
            ("binary", (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }),
            ("encrypted, no passphrase", Array(sealed.utf8)),
        ]
    }

    @Test func errorsFromABadKeyFileNeverQuoteIt() throws {
        let dir = TempDir()
        for (name, bytes) in try Self.badKeyFiles() {
            let path = dir.sub("bad.pem")
            try? FileManager.default.removeItem(atPath: path)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            var messages: [String] = []
            do { _ = try KeyFiles.loadPrivate(path, passphrase: nil) } catch { messages.append(error.message); messages.append("\(error)") }
            do { _ = try KeyFiles.loadPrivate(path, passphrase: Array("wrong".utf8)) } catch { messages.append(error.message) }
            do { _ = try PrivateKey(pemBytes: bytes, passphrase: nil) } catch { messages.append(error.message); messages.append("\(error)") }
            do { _ = try PrivateKey(pemRepresentation: String(decoding: bytes, as: UTF8.self), passphrase: nil) } catch { messages.append(error.message) }
            #expect(messages.count >= 5, "\(name): every read must fail")
            // No line of the file (past its armour), and no 16-byte run of it, appears in a message.
            let text = String(decoding: bytes, as: UTF8.self)
            let pieces = text.split(whereSeparator: \.isNewline).map(String.init).filter { $0.count >= 8 && !$0.hasPrefix("-----") }
            for message in messages {
                #expect(message.contains(path) || !message.isEmpty)
                for piece in pieces { #expect(!message.contains(piece), "\(name): \(message)") }
                for start in stride(from: 0, to: max(0, text.count - 16), by: 4) {
                    let run = String(text.dropFirst(start).prefix(16))
                    if run.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" }) {
                        #expect(!message.contains(run), "\(name): \(message)")
                    }
                }
            }
        }
    }

    /// Every subcommand of tuf-repo: passphrases come from `--passphrase-env VAR` or a prompt,
    /// token PINs from `--pin-env VAR` or a prompt.
    static let subcommands = ["keygen", "init", "generate", "sign", "rotate", "timestamp", "status", "verify"]

    @Test(.enabled(if: enabled), arguments: subcommands)
    func noOptionTakesAPassphraseAsAnArgument(_ sub: String) throws {
        let help = try run([sub, "--help"]).output
        // The only option about secrets names an environment variable.
        let options = help.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "," || $0 == "=" })
            .filter { $0.hasPrefix("--") }.map(String.init)
        for option in options where ["pass", "secret", "pin", "pwd"].contains(where: { option.lowercased().contains($0) }) {
            #expect(["--passphrase-env", "--pin-env"].contains(option), "\(sub) has option \(option)")
        }
        for option in ["--passphrase", "--password", "--pass", "--passphrase-value", "--pin", "--key-passphrase"] {
            #expect(try run([sub, option, "hunter2"]).status == 2, "\(sub) \(option)")
        }
    }

    @Test(.enabled(if: BuiltBinaries.testsRun(BuiltBinaries.tufVerify))) func tufVerifyHasNoPassphraseOption() throws {
        let help = try Interop.run(try BuiltBinaries.require(BuiltBinaries.tufVerify, "tuf-verify"), ["--help"]).output.lowercased()
        #expect(!help.contains("pass") && !help.contains("secret"), "\(help)")
    }
}
