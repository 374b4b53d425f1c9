import TUFCrypto

/// The one rule for checking bytes against the length and hashes trusted metadata lists for
/// them (a `MetaFile` or a `TargetFile`), used by the client, the publication self-check and
/// the audit alike. A listed algorithm this toolkit cannot compute is a failure, never
/// skipped: skipping it would trust a file nobody checked.
public enum LengthAndHashes {
    /// Throws unless `bytes` has `length` (when listed) and every listed hash.
    public static func check(_ bytes: some Collection<UInt8>, length: Int64?, hashes: [String: String]?, name: String) throws(MetadataError) {
        try check(actualLength: Int64(bytes.count), digest: { Hash.digest($0, bytes) }, length: length, hashes: hashes, name: name)
    }

    /// The same rule for bytes that were streamed: their count and a digest per algorithm
    /// (computed on the way, e.g. by `StreamingHasher`).
    public static func check(actualLength: Int64, digest: (HashAlgorithm) -> [UInt8], length: Int64?, hashes: [String: String]?,
                             name: String) throws(MetadataError) {
        if let length, actualLength != length {
            throw MetadataError(.lengthMismatch, "\(name): expected \(length) bytes, got \(actualLength)")
        }
        guard let hashes else { return }
        try requireKnownAlgorithms(hashes, name: name)
        for (algorithmName, expected) in hashes.sorted(by: { $0.key < $1.key }) {
            let actual = Hex.encode(digest(HashAlgorithm(rawValue: algorithmName)!))
            guard actual.utf8.elementsEqual(expected.utf8) else {
                throw MetadataError(.hashMismatch, "\(name): \(algorithmName) hash mismatch: is \(actual), expected \(expected)")
            }
        }
    }

    /// Throws when a listed algorithm cannot be computed (checked before any byte is fetched).
    public static func requireKnownAlgorithms(_ hashes: [String: String], name: String) throws(MetadataError) {
        for algorithmName in hashes.keys.sorted() where HashAlgorithm(rawValue: algorithmName) == nil {
            throw MetadataError(.unknownHashAlgorithm, "\(name): cannot verify hash algorithm \"\(algorithmName)\"")
        }
    }
}
