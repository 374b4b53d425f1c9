import TUFCrypto
import TUFMetadata
import TUFRepository

/// One project page through the index-snapshot reader's check. Whatever it accepts must make
/// targets a repository can publish: relative paths of plain segments, sane lengths and hashes.
enum IndexPageFuzz {
    static let pagePath = "simple/example/index.json"

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        guard let entries = try? IndexSnapshot.parseProjectPage(bytes: bytes, path: pagePath, hashAlgorithms: [.sha256, .blake2b256]) else { return }
        for (path, file) in entries {
            let segments = Array(path.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            try require(!segments.isEmpty && segments.allSatisfy { !$0.isEmpty }, "target path \(path.debugDescription): empty segment or absolute")
            try require(!segments.contains { $0.elementsEqual(".".utf8) || $0.elementsEqual("..".utf8) }, "target path \(path.debugDescription): dot segment")
            try require(!path.utf8.contains(0) && !path.utf8.contains(UInt8(ascii: "\\")), "target path \(path.debugDescription): NUL or backslash")
            try require(file.length >= 0, "\(path): negative length")
            for (algorithm, digest) in file.hashes {
                try require(digest.utf8.count == 64 && digest.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) },
                            "\(path): \(algorithm) digest \(digest.debugDescription) is not 64 lowercase hex digits")
            }
            try require(file.hashes["sha256"] != nil, "\(path): no sha256")
        }
    }
}
