import TUFCrypto
import TUFMetadata

/// Checks bytes against a trusted length and hashes (MetaFile or TargetFile entries).
enum LengthAndHashes {
    /// Throws unless `bytes` has `length` (when given) and every listed hash. An algorithm
    /// this client cannot compute is a failure: skipping it would trust an unchecked file.
    static func verify(_ bytes: some Collection<UInt8>, length: Int64?, hashes: [String: String]?, name: String) throws(ClientError) {
        if let length, Int64(bytes.count) != length {
            throw ClientError(.lengthMismatch, "\(name): expected \(length) bytes, got \(bytes.count)")
        }
        guard let hashes else { return }
        for (algorithmName, expected) in hashes.sorted(by: { $0.key < $1.key }) {
            guard let algorithm = HashAlgorithm(rawValue: algorithmName) else {
                throw ClientError(.unknownHashAlgorithm, "\(name): cannot verify hash algorithm \"\(algorithmName)\"")
            }
            let actual = Hex.encode(Hash.digest(algorithm, bytes))
            guard actual.utf8.elementsEqual(expected.utf8) else {
                throw ClientError(.hashMismatch, "\(name): \(algorithmName) is \(actual), expected \(expected)")
            }
        }
    }

    /// Rejects unknown algorithms before any byte is downloaded.
    static func requireKnownAlgorithms(_ hashes: [String: String], name: String) throws(ClientError) {
        for algorithmName in hashes.keys.sorted() where HashAlgorithm(rawValue: algorithmName) == nil {
            throw ClientError(.unknownHashAlgorithm, "\(name): cannot verify hash algorithm \"\(algorithmName)\"")
        }
    }
}
