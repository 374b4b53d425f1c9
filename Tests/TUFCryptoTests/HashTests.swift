import Foundation
import Testing
import TUFCrypto

/// Known answers computed with Python's hashlib (blake2b with digest_size=32).
private let vectors: [(HashAlgorithm, String, String)] = [
    (.sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (.sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (.sha512, "", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"),
    (.sha512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"),
    (.blake2b256, "", "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8"),
    (.blake2b256, "abc", "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"),
]

@Test(arguments: vectors.indices)
func digestMatchesPythonHashlib(_ index: Int) {
    let (algorithm, input, expected) = vectors[index]
    let bytes = Array(input.utf8)
    #expect(Hex.encode(Hash.digest(algorithm, bytes)) == expected)
    // Every input shape gives the same digest: slice, Data, and a non-contiguous collection.
    #expect(Hex.encode(Hash.digest(algorithm, bytes[...])) == expected)
    #expect(Hex.encode(Hash.digest(algorithm, Data(bytes))) == expected)
    #expect(Hex.encode(Hash.digest(algorithm, input.utf8)) == expected)
}

@Test func algorithmNamesAreTheMetadataNames() {
    #expect(HashAlgorithm.allCases.map(\.rawValue) == ["sha256", "sha512", "blake2b-256"])
    #expect(HashAlgorithm(rawValue: "blake2b") == nil)
}

@Test(arguments: HashAlgorithm.allCases)
func streamingHasherEqualsOneShot(_ algorithm: HashAlgorithm) {
    let data = (0..<100_003).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
    let oneShot = Hash.digest(algorithm, data)
    for chunkSize in [1, 7, 4096, 100_003] {
        let hasher = StreamingHasher(algorithm)
        var start = 0
        while start < data.count {
            let end = min(start + chunkSize, data.count)
            hasher.update(data[start..<end])
            start = end
        }
        hasher.update([UInt8]())
        #expect(hasher.finalize() == oneShot, "chunk size \(chunkSize)")
        #expect(hasher.finalize() == oneShot, "finalize is idempotent")
    }
    #expect(StreamingHasher(algorithm).finalize() == Hash.digest(algorithm, [UInt8]()))
}

@Test func hexRoundTrips() {
    let bytes = (0...255).map(UInt8.init)
    let hex = Hex.encode(bytes)
    #expect(hex.count == 512)
    #expect(hex.hasPrefix("000102"))
    #expect(hex.hasSuffix("fdfeff"))
    #expect(Hex.decode(hex) == bytes)
    #expect(Hex.decode(hex.uppercased()) == bytes)
    #expect(Hex.decode("") == [])
    #expect(Hex.encode([UInt8]()) == "")
}

@Test(arguments: ["abc", "zz", "0g", " 00", "é0"])
func hexRejectsOddLengthAndNonHex(_ input: String) {
    #expect(Hex.decode(input) == nil)
}
