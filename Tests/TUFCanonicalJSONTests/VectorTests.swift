import Foundation
import Testing
import TUFCanonicalJSON

/// Vectors made by securesystemslib's `encode_canonical` (Tests/Interop/canonical_vectors.py).
@Suite struct VectorTests {
    struct Vector: Sendable, CustomTestStringConvertible {
        let name: String
        let input: [UInt8]
        let canonical: [UInt8]?
        var testDescription: String { name }
    }

    static func load(_ file: String, canonical: Bool) -> [Vector] {
        guard let url = Bundle.module.url(forResource: "Fixtures/\(file)", withExtension: nil),
              let data = try? Data(contentsOf: url),
              let array = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return [] }
        return array.map { entry in
            Vector(name: entry["name"] as? String ?? "?",
                   input: Array(Data(base64Encoded: entry["input_b64"] as? String ?? "") ?? Data()),
                   canonical: canonical ? Array(Data(base64Encoded: entry["canonical_b64"] as? String ?? "") ?? Data()) : nil)
        }
    }

    static let valid = load("canonical-vectors.json", canonical: true)
    static let invalid = load("invalid-json.json", canonical: false)

    @Test func fixturesArePresent() {
        #expect(Self.valid.count >= 30)
        #expect(Self.invalid.count >= 50)
    }

    @Test(arguments: valid)
    func encodesLikeSecuresystemslib(vector: Vector) throws {
        let value = try JSONParser().parse(vector.input)
        #expect(CanonicalJSON.encode(value) == vector.canonical)
        // Canonical output is itself JSON unless it holds raw control characters (which
        // securesystemslib does not escape); then it must re-encode identically.
        if let canonical = vector.canonical, !canonical.contains(where: { $0 < 0x20 }) {
            #expect(CanonicalJSON.encode(try JSONParser().parse(canonical)) == canonical)
        }
    }

    @Test(arguments: invalid)
    func rejectsWhatAStrictParserMustReject(vector: Vector) {
        #expect(throws: JSONError.self) { try JSONParser().parse(vector.input) }
    }
}
