import Foundation
import Testing
import TUFCrypto
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// No key bytes and no passphrase in anything the tools print: a representative run of
/// tuf-repo and tuf-verify, failures included, with every stdout and stderr searched for the
/// keys' secrets in the forms they could leak in.
@Suite struct SecretOutputTests {
    static let enabled = BuiltBinaries.testsRun(BuiltBinaries.tufRepo) && BuiltBinaries.testsRun(BuiltBinaries.tufVerify)
    static let passphrase = "Tr0ub4dor-secret-passphrase-4711"

    /// Every encoding of a private key that must never be printed.
    static func secrets(ofKeyFile path: String, passphrase: String?) throws -> [String] {
        let file = try String(contentsOfFile: path, encoding: .utf8)
        var out = body(file)
        let key = try PrivateKey(pemRepresentation: file, passphrase: passphrase.map { Array($0.utf8) })
        let plain = try key.pemRepresentation(passphrase: nil)
        out += body(plain)
        let der = [UInt8](Data(base64Encoded: body(plain).joined())!)
        var raw: [[UInt8]] = []
        switch key.publicKey.keytype {
        case "ed25519": raw.append(Array(der.suffix(32)))  // PKCS#8 ends with the 32-byte seed
        default:
            // SEC 1 ECPrivateKey: version 1, then OCTET STRING of 32 bytes, the scalar.
            let marker: [UInt8] = [0x02, 0x01, 0x01, 0x04, 0x20]
            if let i = (0...(der.count - marker.count)).first(where: { der[$0..<($0 + marker.count)].elementsEqual(marker) }) {
                raw.append(Array(der[(i + 5)..<(i + 37)]))
            }
        }
        #expect(!raw.isEmpty, "found the raw private key of \(path)")
        for r in raw + [der] {
            out += [Hex.encode(r), Hex.encode(r).uppercased(), Data(r).base64EncodedString()]
            // Also the middle of the hex and base64, in case a message cuts them.
            out += [String(Hex.encode(r).dropFirst(8).prefix(32)), String(Data(r).base64EncodedString().dropFirst(4).prefix(24))]
        }
        return out
    }

    /// The base64 lines of a PEM (without its armour lines).
    static func body(_ pem: String) -> [String] {
        pem.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.hasPrefix("-----") && !$0.contains(":") && !$0.isEmpty }
    }

    @Test(.enabled(if: enabled)) func noCommandPrintsKeyBytesOrThePassphrase() throws {
        let dir = TempDir()
        let repo = dir.sub("repo"), keys = dir.sub("keys"), index = dir.sub("index")
        try FileManager.default.createDirectory(atPath: keys, withIntermediateDirectories: true)
        try IndexBuilder.small.write(to: index)
        var env = ProcessInfo.processInfo.environment
        env["KEY_PASS"] = Self.passphrase
        env["WRONG_PASS"] = "not-the-" + Self.passphrase
        env["EMPTY_PASS"] = ""
        var outputs: [(command: String, output: String)] = []
        @discardableResult
        func run(_ tool: String, _ args: [String]) throws -> Int32 {
            let r = try Interop.run(tool, args, environment: env)
            outputs.append((args.joined(separator: " "), r.output))
            return r.status
        }
        let repoTool = try BuiltBinaries.require(BuiltBinaries.tufRepo, "tuf-repo")
        let verifyTool = try BuiltBinaries.require(BuiltBinaries.tufVerify, "tuf-verify")
        let sealed = ["root": KeyType.ed25519, "targets": .ecdsa]
        let plain = ["bins", "bin-n", "snapshot", "timestamp"]
        for (name, type) in sealed {
            #expect(try run(repoTool, ["keygen", "--type", type.rawValue, "--out", "\(keys)/\(name)", "--passphrase-env", "KEY_PASS"]) == 0)
        }
        for name in plain { #expect(try run(repoTool, ["keygen", "--out", "\(keys)/\(name)"]) == 0) }
        func pem(_ n: String) -> String { "\(keys)/\(n).pem" }
        func pub(_ n: String) -> String { "\(keys)/\(n).pub.json" }
        var secrets = [Self.passphrase]
        for name in sealed.keys { secrets += try Self.secrets(ofKeyFile: pem(name), passphrase: Self.passphrase) }
        for name in plain { secrets += try Self.secrets(ofKeyFile: pem(name), passphrase: nil) }

        let online = ["--key", pem("bin-n"), "--key", pem("snapshot"), "--key", pem("timestamp")]
        #expect(try run(repoTool, ["init", "--repo", repo, "--bins", "16", "--durability", "none",
                                   "--root-key", pub("root"), "--root-threshold", "1", "--targets-key", pub("targets"),
                                   "--bins-key", pub("bins"), "--bin-n-key", pub("bin-n"), "--snapshot-key", pub("snapshot"),
                                   "--timestamp-key", pub("timestamp"), "--passphrase-env", "KEY_PASS",
                                   "--sign-with", pem("root"), "--sign-with", pem("targets"), "--sign-with", pem("bins")]) == 0)
        #expect(try run(repoTool, ["generate", "--repo", repo, "--index", index, "--durability", "none", "--progress"] + online) == 0)
        try FileManager.default.copyItem(atPath: "\(repo)/metadata/1.root.json", toPath: dir.sub("copy.root.json"))
        #expect(try run(repoTool, ["sign", "--yes", "--file", dir.sub("copy.root.json"), "--key", pem("root"), "--passphrase-env", "KEY_PASS"]) == 0)
        #expect(try run(repoTool, ["status", "--repo", repo]) == 0)
        #expect(try run(repoTool, ["status", "--repo", repo, "--json"]) == 0)
        #expect(try run(repoTool, ["verify", "--repo", repo]) == 0)
        #expect(try run(repoTool, ["timestamp", "--repo", repo, "--key", pem("timestamp"), "--if-expiring-within", "2d"]) == 0)
        #expect(try run(repoTool, ["rotate", "--repo", repo, "targets", "--add-key", pub("bins")]) == 0)

        // Failures: wrong, empty or unset passphrase; damaged, truncated, exposed and wrong key files.
        #expect(try run(repoTool, ["sign", "--yes", "--repo", repo, "root", "--key", pem("root"), "--passphrase-env", "WRONG_PASS"]) == 1)
        #expect(try run(repoTool, ["sign", "--yes", "--file", dir.sub("copy.root.json"), "--key", pem("targets"), "--passphrase-env", "WRONG_PASS"]) == 1)
        #expect(try run(repoTool, ["sign", "--yes", "--repo", repo, "root", "--key", pem("root"), "--passphrase-env", "EMPTY_PASS"]) == 1)
        #expect(try run(repoTool, ["sign", "--yes", "--repo", repo, "root", "--key", pem("root"), "--passphrase-env", "UNSET_PASS_FOR_TEST"]) == 1)
        for (name, source) in [("damaged", "root"), ("truncated", "bins"), ("exposed", "snapshot"), ("mangled", "timestamp")] {
            var text = try String(contentsOfFile: pem(source), encoding: .utf8)
            switch name {
            case "damaged": text = text.replacingOccurrences(of: "A", with: "*")
            case "truncated": text = String(text.prefix(text.count * 2 / 3))
            case "mangled": text = String(text.reversed())
            default: break
            }
            let path = "\(keys)/\(name).pem"
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: name == "exposed" ? 0o644 : 0o600], ofItemAtPath: path)
            #expect(try run(repoTool, ["sign", "--yes", "--file", dir.sub("copy.root.json"), "--key", path, "--passphrase-env", "KEY_PASS"]) == 1, "\(name)")
            #expect(try run(repoTool, ["timestamp", "--repo", repo, "--key", path]) == 1, "\(name)")
        }
        #expect(try run(repoTool, ["sign", "--yes", "--file", dir.sub("copy.root.json"), "--key", pub("root")]) == 1)
        #expect(try run(repoTool, ["timestamp", "--repo", repo, "--key", pem("snapshot")]) == 1)
        try run(repoTool, ["generate", "--repo", repo, "--index", index, "--key", pem("timestamp")])
        #expect(try run(repoTool, ["init", "--repo", dir.sub("repo2"), "--root-key", pem("root"), "--root-threshold", "1",
                                   "--targets-key", pem("targets"), "--bins-key", pem("bins"), "--bin-n-key", pem("bin-n"),
                                   "--snapshot-key", pem("snapshot"), "--timestamp-key", pem("timestamp")]) == 1)

        // The client side, on the published repository and on key files given by mistake.
        let client = ["--metadata-dir", dir.sub("client/metadata"), "--metadata-url", "file://\(repo)/metadata/",
                      "--target-base-url", "file://\(repo)/targets/", "--target-dir", dir.sub("client/targets")]
        try FileManager.default.createDirectory(atPath: dir.sub("client/metadata"), withIntermediateDirectories: true)
        #expect(try run(verifyTool, ["--metadata-dir", dir.sub("client/metadata"), "init", "\(repo)/metadata/1.root.json"]) == 0)
        #expect(try run(verifyTool, client + ["refresh"]) == 0)
        try run(verifyTool, client + ["--target-name", "simple/alpha/index.json", "download"])
        #expect(try run(verifyTool, ["--metadata-dir", dir.sub("other"), "init", pem("root")]) == 1)
        #expect(try run(verifyTool, ["--metadata-dir", dir.sub("other"), "init", pem("bins")]) == 1)

        #expect(outputs.count > 30)
        // The search would see a leak: a key file's own text matches.
        let leak = try String(contentsOfFile: pem("bins"), encoding: .utf8)
        #expect(secrets.contains(where: leak.contains))
        for (command, output) in outputs {
            for secret in secrets where output.contains(secret) {
                Issue.record("`\(command)` printed key material or the passphrase (\(secret.prefix(6))…)")
            }
        }
    }
}
