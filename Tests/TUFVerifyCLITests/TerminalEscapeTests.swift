import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFTestSupport

/// Text that came from the network is printed with control characters escaped: a forged
/// page cannot repaint the terminal as "verified".
@Suite struct TerminalEscapeTests {
    /// The honest page with `filename` shown for the 1.0 wheel and its yank state forged.
    static func forgedPage(filename: String) -> [UInt8] {
        func entry(_ name: String, _ shown: String, _ data: [UInt8], _ yanked: String) -> String {
            let shownJSON = String(decoding: PythonJSONEncoder.encode(.string(shown), style: .compact), as: UTF8.self)
            return "{\"filename\": \(shownJSON), \"url\": \"../../packages/d/\(name)\", \"hashes\": {\"sha256\": \"\(Hex.encode(Hash.digest(.sha256, data)))\"}, \"size\": \(data.count), \"yanked\": \(yanked)}"
        }
        let files = [entry("demo-1.0-py3-none-any.whl", filename, ProjectCommandTests.newWheel, "true"),
                     entry("demo-0.9-py3-none-any.whl", "demo-0.9-py3-none-any.whl", ProjectCommandTests.oldWheel, "\"broken\"")]
        return Array("{\"meta\": {\"api-version\": \"1.1\"}, \"name\": \"demo\", \"files\": [\(files.joined(separator: ", "))]}\n".utf8)
    }

    @Test(arguments: [false, true])
    func testForgedFilenameWithTerminalEscapesLeavesNoEscapeInOutput(json: Bool) throws {
        let s = try ProjectCommandTests.Setup()
        try s.forgePage(Self.forgedPage(filename: "x.whl\u{1B}[2K\u{1B}[1Averified\u{9B}2J\u{202E}"))
        let result = try s.run(s.common + ["project", "demo"] + (json ? ["--json"] : []))
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains(json ? "maliciousYank" : "malicious yank"), "\(result.output)")
        #expect(!result.output.utf8.contains(0x1B), "\(result.output)")
        #expect(!result.output.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x202E }, "\(result.output)")
    }
}
