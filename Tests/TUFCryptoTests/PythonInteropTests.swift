import Foundation
import Testing
import TUFCrypto
import TUFTestSupport

/// Keys, PEM files and signatures made here must load and verify with pyca/cryptography and
/// securesystemslib (Tests/Interop/check_keys.py).
@Test(.enabled(if: Interop.enabled))
func swiftKeysLoadAndVerifyInSecuresystemslib() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tuf-crypto-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }

    let message = Array("{\"signed\":{\"_type\":\"targets\",\"version\":1}}".utf8)
    let passphrase = Array("swift interop pässphrase".utf8)
    // The script reads the passphrase from this file, never from argv.
    try Data(passphrase).write(to: directory.appendingPathComponent("passphrase"))
    try Data(message).write(to: directory.appendingPathComponent("message.bin"))

    var manifest: [[String: Any]] = []
    for type in KeyType.allCases {
        let key = try PrivateKey.generate(type)
        let signature = try key.sign(message)
        for encrypted in [false, true] {
            let file = "\(type.rawValue)\(encrypted ? ".encrypted" : "").pem"
            let pem = try key.pemRepresentation(passphrase: encrypted ? passphrase : nil, iterations: 10_000)
            try pem.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
            manifest.append([
                "name": type.rawValue, "keytype": key.publicKey.keytype, "scheme": key.publicKey.scheme,
                "public": key.publicKey.publicValue, "pem": file, "encrypted": encrypted,
                "signature": Hex.encode(signature),
            ])
        }
    }
    let json = try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
    try json.write(to: directory.appendingPathComponent("manifest.json"))

    let result = try Interop.runPython("check_keys.py", [directory.path])
    #expect(result.status == 0, "check_keys.py:\n\(result.output)")
    #expect(result.output.components(separatedBy: "ok ").count - 1 == manifest.count, "\(result.output)")
}
