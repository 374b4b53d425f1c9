import ArgumentParser
import Foundation
import TUFCrypto
import TUFRepository

struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate a key pair: PATH.pem (PKCS#8, mode 0600) and PATH.pub.json (TUF public key with its keyid).",
        discussion: "The private key is encrypted when --passphrase-env names a set variable, or with --prompt on a terminal.")

    @Option(name: .long, help: "Key type: ed25519, ecdsa (P-256) or rsa (3072-bit, PSS).")
    var type: KeyType = .ed25519

    @Option(name: .long, help: ArgumentHelp("Output path without extension.", valueName: "PATH"))
    var out: String

    @OptionGroup var passphrase: PassphraseOption

    @Flag(name: .long, help: "Ask for a passphrase on the terminal (without echo).")
    var prompt = false

    @Option(name: .long, help: ArgumentHelp("Make the key on a PKCS#11 token instead (RFC 7512 URI with token= and object=); --out is then the public key file (PATH.pub.json unless PATH ends in .json).", valueName: "URI"))
    var pkcs11: String?

    @OptionGroup var pkcs11Options: PKCS11Options

    func validate() throws {
        try refusePINValues(pkcs11.map { [$0] } ?? [])
        if prompt, passphrase.passphraseEnv != nil { throw ValidationError("give --prompt or --passphrase-env, not both") }
        if pkcs11 != nil, prompt || passphrase.passphraseEnv != nil { throw ValidationError("a key on a token has no passphrase: drop --prompt/--passphrase-env") }
    }

    func run() throws {
        if let pkcs11 {
            let out = self.out.hasSuffix(".json") ? self.out : self.out + ".pub.json"
            let key = try HardwareKeys.generate(type, uri: pkcs11, out: out, settings: pkcs11Options.settings)
            print("\(out)\nkeyid \(key.keyID)")
            return
        }
        var pass = try passphrase.passphrase()
        defer { if pass != nil { secureZero(&pass!) } }
        if prompt {
            guard var a = Passphrase.prompt("New passphrase: ") else { throw RepositoryError(.invalidArgument, "--prompt needs a terminal") }
            defer { secureZero(&a) }
            guard var b = Passphrase.prompt("Repeat passphrase: ") else { throw RepositoryError(.invalidArgument, "--prompt needs a terminal") }
            defer { secureZero(&b) }
            guard a == b, !a.isEmpty else { throw RepositoryError(.invalidArgument, "the passphrases differ or are empty") }
            pass = Array(a)  // a fresh buffer: `a` is zeroed on the way out, `pass` at the end
        }
        let key = try KeyFiles.generate(type, out: out, passphrase: pass)
        if pass == nil {
            // Online keys used by cron may be stored plain; say so, so it is a choice.
            FileHandle.standardError.write(Data("tuf-repo: warning: \(out).pem is not encrypted (no --passphrase-env or --prompt); keep it on a protected machine\n".utf8))
        }
        print("\(out).pem\n\(out).pub.json\nkeyid \(key.keyID)")
    }
}

extension KeyType: ExpressibleByArgument {}
