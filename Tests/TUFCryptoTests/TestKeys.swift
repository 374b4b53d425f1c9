import Foundation
import Testing
import TUFCrypto

/// Keys generated once per test run: RSA 3072 generation is slow.
enum TestKeys {
    private static let generated: [KeyType: Result<PrivateKey, CryptoError>] = Dictionary(
        uniqueKeysWithValues: KeyType.allCases.map { type in
            (type, Result { () throws(CryptoError) in try PrivateKey.generate(type) })
        })

    static func key(_ type: KeyType) throws -> PrivateKey {
        try generated[type]!.get()
    }

    /// A second key of the same type, for wrong-key checks.
    private static let others: [KeyType: Result<PrivateKey, CryptoError>] = Dictionary(
        uniqueKeysWithValues: KeyType.allCases.map { type in
            (type, Result { () throws(CryptoError) in try PrivateKey.generate(type) })
        })

    static func otherKey(_ type: KeyType) throws -> PrivateKey {
        try others[type]!.get()
    }
}

/// `Tests/TUFCryptoTests/Fixtures/python-keys.json`, written by `Tests/Interop/crypto_vectors.py`.
struct PythonVectors: Decodable {
    struct Extra: Decodable {
        let scheme: String
        let note: String
        let signature: String
    }

    struct Vector: Decodable {
        let name: String
        let keyid: String
        let keytype: String
        let scheme: String
        let keyval: [String: String]
        let privatePem: String
        let privatePemEncrypted: String
        let privatePemTraditional: String?
        let signature: String
        let extraSignatures: [Extra]

        var publicValue: String { keyval["public"] ?? "" }
    }

    let messageHex: String
    let passphrase: String
    let keys: [Vector]

    var message: [UInt8] { Hex.decode(messageHex) ?? [] }

    static let names = ["ed25519", "ecdsa-p256", "ecdsa-p384", "rsa-3072"]

    static func load() throws -> PythonVectors {
        let url = try #require(Bundle.module.url(forResource: "python-keys", withExtension: "json", subdirectory: "Fixtures"))
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(PythonVectors.self, from: Data(contentsOf: url))
    }

    static func vector(_ name: String) throws -> (PythonVectors, Vector) {
        let all = try load()
        return (all, try #require(all.keys.first { $0.name == name }))
    }
}
