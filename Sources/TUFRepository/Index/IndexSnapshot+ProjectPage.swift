import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

extension IndexSnapshot {
    /// The parser of index pages: pages nest little, and the largest real ones are a few MB.
    static let pageJSONParser = JSONParser(maxDepth: 32, maxBytes: 256 << 20)

    /// Checks the bytes of one PEP 691 project page at target path `path`
    /// (`simple/<project>/index.json`) and returns the targets of its files in page order:
    /// the same pure check that `read` applies to every page, with no file system involved.
    /// `index` names the snapshot in error messages.
    public static func parseProjectPage(bytes: [UInt8], path: String, hashAlgorithms: [HashAlgorithm] = [.sha256],
                                        index: String = "(in memory)") throws(RepositoryError) -> [(path: String, file: TargetFile)] {
        let parser = PageParser(index: index, hashAlgorithms: hashAlgorithms)
        return try parser.parse(path, bytes).entries.map { ($0.path, $0.file) }
    }
}
