import Foundation
import Testing
import TUFTestSupport

// The fuzz targets' checks (Tests/Fuzz/Sources/FuzzTargets, linked into this target as
// FuzzTargets/) run on every kept crash input and every seed, without libFuzzer: a fixed
// crash stays fixed in a plain `swift test`, sanitized or not.
@Suite struct FuzzReplayTests {
    static let fuzzRoot = Interop.projectRoot.appendingPathComponent("Tests/Fuzz")

    /// The files of `Tests/Fuzz/<folder>/<target>/`, sorted; none when the folder is absent.
    static func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let dir = fuzzRoot.appendingPathComponent("\(folder)/\(target.rawValue)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { dir.appendingPathComponent($0) }
    }

    @Test(arguments: FuzzTarget.allCases)
    func regressionInputsPass(target: FuzzTarget) throws {
        for file in Self.inputs("Regressions", target) {
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(throws: Never.self, "\(target.rawValue) regression \(file.lastPathComponent)") { try target.run(bytes) }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func seedInputsPass(target: FuzzTarget) throws {
        let files = Self.inputs("Corpus", target)
        #expect(!files.isEmpty, "no seeds in Tests/Fuzz/Corpus/\(target.rawValue)")
        for file in files {
            let bytes = try [UInt8](Data(contentsOf: file))
            #expect(throws: Never.self, "\(target.rawValue) seed \(file.lastPathComponent)") { try target.run(bytes) }
        }
    }
}
