import Foundation
import Testing
import TUFCrypto
import TUFTestSupport

// A private key file whose parts do not fit together (found by Scripts/fuzz pem: an RSA key
// with a damaged prime read fine and made signatures its public key rejects). OpenSSL checks
// none of this on reading; PrivateKey must, or it signs garbage, and a faulty RSA-CRT
// signature can give the primes away.

/// The DER inside a one-block PEM, and the PEM of changed DER with the same label.
private func der(_ pem: String) -> [UInt8] {
    let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    return [UInt8](Data(base64Encoded: body)!)
}

private func pem(_ der: [UInt8], label: String) -> String {
    let text = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
    return "-----BEGIN \(label)-----\n\(text)\n-----END \(label)-----\n"
}

@Test func rsaKeyWithADamagedPrimeIsMalformed() throws {
    let (_, vector) = try PythonVectors.vector("rsa-3072")
    var bytes = der(vector.privatePem)
    // The second half of an RSA PKCS#8 key holds the primes and CRT values.
    bytes[bytes.count * 3 / 4] ^= 0x01
    #expect(throws: CryptoError(.malformedKey, "")) {
        try PrivateKey(pemRepresentation: pem(bytes, label: "PRIVATE KEY"), passphrase: nil)
    }
}

@Test func ecKeyListingAnotherPublicPointIsMalformed() throws {
    let a = der(try PrivateKey.generate(.ecdsa).pemRepresentation(passphrase: nil))
    let b = der(try PrivateKey.generate(.ecdsa).pemRepresentation(passphrase: nil))
    // A P-256 PKCS#8 key from OpenSSL ends with its public point (65 bytes, uncompressed).
    #expect(a.count == b.count)
    let spliced = Array(a.dropLast(65) + b.suffix(65))
    #expect(throws: CryptoError(.malformedKey, "")) {
        try PrivateKey(pemRepresentation: pem(spliced, label: "PRIVATE KEY"), passphrase: nil)
    }
}

@Test func theFuzzFindingIsMalformed() throws {
    let file = Interop.projectRoot.appendingPathComponent("Tests/Fuzz/Regressions/pem/rsa-damaged-prime.pem")
    let text = try String(contentsOf: file, encoding: .utf8)
    #expect(throws: CryptoError(.malformedKey, "")) { try PrivateKey(pemRepresentation: text, passphrase: nil) }
}
