import Foundation
import Testing
import TUFCrypto
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// A SoftHSM2 token in a temporary folder, initialised as Scripts/test.d/pkcs11-check does,
/// with the environment that points `tuf-repo` at it. TEST ONLY.
struct SoftHSMToken {
    static let module: String? = ["/usr/lib/softhsm/libsofthsm2.so", "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"]
        .first { FileManager.default.fileExists(atPath: $0) }
    static let util: String? = ["/usr/bin/softhsm2-util", "/usr/local/bin/softhsm2-util"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var available: Bool { module != nil && util != nil }
    static let skipped: Comment = "softhsm2 is not installed (no softhsm2-util or libsofthsm2.so; Scripts/bootstrap installs it)"

    /// The user PIN; distinctive, so a test can tell it never reaches the output.
    static let pin = "tuf-pin-8361"
    let dir = TempDir()

    init() throws {
        try FileManager.default.createDirectory(atPath: dir.sub("tokens"), withIntermediateDirectories: true)
        try "directories.tokendir = \(dir.sub("tokens"))\nobjectstore.backend = file\nlog.level = ERROR\n"
            .write(toFile: dir.sub("softhsm2.conf"), atomically: true, encoding: .utf8)
        let r = try Interop.run(try #require(Self.util), ["--init-token", "--free", "--label", "tuf test", "--so-pin", "5678", "--pin", Self.pin],
                                environment: environment([:]))
        #expect(r.status == 0, "softhsm2-util: \(r.output)")
    }

    /// The test process's environment without any PIN or module setting, pointed at this
    /// token, plus `extra`.
    func environment(_ extra: [String: String]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for k in ["TUF_PKCS11_PIN", "TUF_PKCS11_MODULE", "SOFTHSM2_CONF"] { env[k] = nil }
        env["SOFTHSM2_CONF"] = dir.sub("softhsm2.conf")
        env["TUF_PKCS11_MODULE"] = Self.module
        // SoftHSM2 leaks an ASN.1 string inside every C_Sign (its frames are unnamed by then:
        // the module is unloaded at exit), so a sanitized tuf-repo that loads it is checked for
        // memory errors but not for leaks; no other process is exempt.
        env["ASAN_OPTIONS"] = [env["ASAN_OPTIONS"], "detect_leaks=0"].compactMap { $0 }.joined(separator: ":")
        return env.merging(extra) { $1 }
    }

    func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try Interop.run(try BuiltBinaries.require(CLITests.binary, "tuf-repo"), args, environment: environment(env))
    }

    /// `pkcs11:` URI of key `object` on this token.
    static func uri(_ object: String, query: String = "") -> String { "pkcs11:token=tuf%20test;object=\(object)" + query }

    /// Makes an ed25519 key `object` on the token; returns its public key file.
    func keygen(_ object: String) throws -> String {
        let out = dir.sub("\(object).pub.json")
        let r = try run(["keygen", "--pkcs11", Self.uri(object), "--type", "ed25519", "--out", out], env: ["TUF_PKCS11_PIN": Self.pin])
        #expect(r.status == 0, "\(r.output)")
        return out
    }
}

/// `tuf-repo` with keys on a PKCS#11 token: pin-value is a usage error that never echoes the
/// PIN, every PIN source works in its order, and a token key the role does not list signs nothing.
@Suite struct PKCS11CLITests {
    static let enabled = CLITests.enabled
    static let secret = "S3CRET-4711"

    static func rootFile(_ dir: TempDir) throws -> String {
        let path = dir.sub("root.json")
        try Data(MetadataFactory.bytes(MetadataFactory.root(), by: [])).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// pin-value anywhere in a key URI, in any command that takes one: exit 2, the ways to
    /// give a PIN named, the value nowhere in the output, nothing signed or made.
    @Test(.enabled(if: enabled), arguments: [
        "pkcs11:token=t;object=o?x-a=1&pin-value=\(secret)",
        "pkcs11:token=t;pin-value=\(secret);object=o",
        "pkcs11:bogus;object=o?PIN-VALUE=\(secret)",
    ])
    func pinValueIsAUsageErrorThatNeverEchoesThePIN(_ uri: String) throws {
        let dir = TempDir()
        let root = try Self.rootFile(dir)
        let before = FileManager.default.contents(atPath: root)
        let cli = CLITests()
        for args in [["sign", "--yes", "--file", root, "--key", uri], ["sign", "--yes", "--repo", dir.sub("repo"), "root", "--key", uri],
                     ["keygen", "--pkcs11", uri, "--out", dir.sub("k")], ["timestamp", "--repo", dir.sub("repo"), "--key", uri],
                     ["generate", "--repo", dir.sub("repo"), "--index", dir.sub("index"), "--key", uri]] {
            let r = try cli.run(args)
            #expect(r.status == 2, "\(args[0]): \(r.output)")
            #expect(!r.output.contains(Self.secret), "\(args[0]) echoed the PIN: \(r.output)")
            for part in ["pin-value", "pin-source", "--pin-env"] { #expect(r.output.contains(part), "\(args[0]): \(r.output)") }
        }
        #expect(FileManager.default.contents(atPath: root) == before)
        #expect(!FileManager.default.fileExists(atPath: dir.sub("k.pub.json")))
    }

    /// Other bad URIs fail (exit 1) naming the fault, and show no value but token and object.
    @Test(.enabled(if: enabled), arguments: [
        ("pkcs11:token=t;serial=\(secret);bogus=1", "unknown PKCS#11 URI attribute 'bogus'"),
        ("pkcs11:token=t;id=\(secret)%4", "bad percent-encoding in id"),
        ("pkcs11:token=t;object=o?module-name=\(secret)&nope=1", "unknown PKCS#11 URI query attribute 'nope'"),
        ("pkcs11:token=t;id=\(secret);type=public", "pkcs11:token=t;id=…;type=…"),
    ])
    func badURIsNeverEchoOtherValues(_ uri: String, says: String) throws {
        let dir = TempDir()
        let r = try CLITests().run(["sign", "--yes", "--file", try Self.rootFile(dir), "--key", uri], env: ["TUF_PKCS11_MODULE": "/nonexistent.so"])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains(says), "\(r.output)")
        #expect(!r.output.contains(Self.secret), "\(r.output)")
    }

    /// Where the PIN comes from: pin-source (first), --pin-env, TUF_PKCS11_PIN; each refusal
    /// says why, and the PIN is never in the output.
    struct PINSource: Sendable, CustomTestStringConvertible {
        let name: String
        /// Query of the key URI; `PINFILE` stands for the PIN file's path.
        var query = ""
        var options: [String] = []
        var env: [String: String] = [:]
        /// Mode of the PIN file (written when the query names it).
        var fileMode = 0o600
        /// nil: signs; else a part of the error.
        var fails: String?
        var testDescription: String { name }
    }

    static let pinSources: [PINSource] = [
        PINSource(name: "TUF_PKCS11_PIN", env: ["TUF_PKCS11_PIN": SoftHSMToken.pin]),
        PINSource(name: "--pin-env wins over TUF_PKCS11_PIN", options: ["--pin-env", "MY_PIN"], env: ["MY_PIN": SoftHSMToken.pin, "TUF_PKCS11_PIN": "wrong-pin"]),
        PINSource(name: "pin-source path wins over the environment", query: "?pin-source=PINFILE", env: ["TUF_PKCS11_PIN": "wrong-pin"]),
        PINSource(name: "pin-source file: URI", query: "?pin-source=file:PINFILE"),
        PINSource(name: "pin-source file that others can read", query: "?pin-source=PINFILE", fileMode: 0o644, fails: "chmod 600"),
        PINSource(name: "pin-source that is not a path", query: "?pin-source=\(SoftHSMToken.pin)", fails: "pin-source is not an absolute path"),
        PINSource(name: "--pin-env naming an unset variable", options: ["--pin-env", "NO_SUCH_PIN"], fails: "NO_SUCH_PIN (--pin-env) is not set"),
        PINSource(name: "wrong PIN", env: ["TUF_PKCS11_PIN": "wrong-pin"], fails: "wrong PIN for token \"tuf test\""),
        PINSource(name: "no PIN and no terminal", fails: "token \"tuf test\" needs its PIN"),
    ]

    @Test(.enabled(if: enabled && SoftHSMToken.available, SoftHSMToken.skipped), arguments: pinSources)
    func pinSourcesInOrder(_ c: PINSource) throws {
        let token = try SoftHSMToken()
        let pub = try token.keygen("signer")
        let pinFile = token.dir.sub("pin.txt")
        try (SoftHSMToken.pin + "\n").write(toFile: pinFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: c.fileMode], ofItemAtPath: pinFile)
        let root = try Self.rootFile(token.dir)
        let uri = SoftHSMToken.uri("signer", query: c.query.replacingOccurrences(of: "PINFILE", with: pinFile))
        let r = try token.run(["sign", "--yes", "--file", root, "--key", uri] + c.options, env: c.env)
        #expect(!r.output.contains(SoftHSMToken.pin), "the PIN was echoed: \(r.output)")
        let md = try Metadata<Root>(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: root))))
        if let fails = c.fails {
            #expect(r.status == 1, "\(r.output)")
            #expect(r.output.contains(fails), "\(r.output)")
            #expect(md.signatures.isEmpty)
        } else {
            #expect(r.status == 0, "\(r.output)")
            let key = try KeyFiles.loadPublic(pub)
            let signature = try #require(md.signatures.first)
            #expect(signature.keyID == key.keyID)
            #expect(key.publicKey.verify(signature: try #require(Hex.decode(signature.signature)), message: md.signedBytes()))
        }
    }

    /// A key on the token that root does not list: `sign --repo` refuses it by keyid and the
    /// staged root stays as it was.
    @Test(.enabled(if: enabled && SoftHSMToken.available, SoftHSMToken.skipped)) func aTokenKeyTheRoleDoesNotListIsRefused() throws {
        let token = try SoftHSMToken()
        let id = try MergeCLITests.keyID(try token.keygen("stranger"))
        let c = try MergeCLITests.Ceremony()
        let before = c.stagedBytes()
        let r = try token.run(["sign", "--yes", "--repo", c.repo, "root", "--key", SoftHSMToken.uri("stranger")], env: ["TUF_PKCS11_PIN": SoftHSMToken.pin])
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains("key \(id) is not one of the keys of root"), "\(r.output)")
        #expect(c.stagedBytes() == before)
        #expect(!c.published2)
    }
}
