import Foundation
import Testing
@testable import TUFClient

/// The pure parts of `tuf-verify serve`: what a request asks for, which format, which bytes,
/// and how a refusal reads. The installers themselves are in EndToEndTests/InstallerTests.
struct VerifyingIndexTests {
    @Test(arguments: [
        ("/simple/", IndexRoute.projectList), ("/simple", .projectList), ("/simple/Demo_App/", .project("Demo_App")),
        ("/simple/demo-app", .project("demo-app")), ("/simple/a/b/", .unknown), ("/simple/%2e%2e%2F/", .unknown),
        ("/files/packages/x/y.whl", .file("packages/x/y.whl")), ("/files/", .unknown), ("/", .home), ("/etc/passwd", .unknown),
        ("/files/a%20b.whl", .file("a b.whl")), ("/simple/%zz/", .unknown), ("relative", .unknown),
    ] as [(String, IndexRoute)])
    func testRoutes(path: String, expected: IndexRoute) {
        #expect(IndexRoute(path: path) == expected)
    }

    @Test func testQueryParameters() {
        let request = IndexRequest(method: .get, uri: "/simple/x/?format=application/vnd.pypi.simple.v1%2Bjson&a=b+c")
        #expect(request.path == "/simple/x/")
        #expect(request.query("format") == "application/vnd.pypi.simple.v1+json")
        #expect(request.query("a") == "b c")
        #expect(request.query("missing") == nil)
    }

    @Test(arguments: [
        (nil, .legacyHTML),
        ("application/vnd.pypi.simple.v1+json", .json),
        ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", .json), // pip
        ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01", .json),
        ("text/html", .legacyHTML), ("text/html,application/xhtml+xml,*/*;q=0.8", .legacyHTML), // a browser
        ("application/vnd.pypi.simple.v1+html", .html), ("application/vnd.pypi.simple.latest+json", .json),
        ("*/*", .json), ("application/xml", nil), ("application/vnd.pypi.simple.v1+json;q=0", nil),
        ("text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.4", .legacyHTML),
    ] as [(String?, PageFormat?)])
    func testContentNegotiation(accept: String?, expected: PageFormat?) {
        #expect(PageFormat.negotiate(accept: accept) == expected)
    }

    @Test func testFormatParameterWins() {
        #expect(PageFormat.negotiate(accept: "text/html", formatParameter: "application/vnd.pypi.simple.v1+json") == .json)
        #expect(PageFormat.negotiate(accept: "text/html", formatParameter: "nonsense") == .legacyHTML)
    }

    @Test(arguments: [
        (nil, .whole), ("bytes=0-3", .satisfiable(start: 0, end: 3)), ("bytes=5-", .satisfiable(start: 5, end: 99)),
        ("bytes=-10", .satisfiable(start: 90, end: 99)), ("bytes=-500", .satisfiable(start: 0, end: 99)),
        ("bytes=90-1000", .satisfiable(start: 90, end: 99)), ("bytes=100-", .unsatisfiable), ("bytes=-0", .unsatisfiable),
        ("bytes=0-1,5-6", .whole), ("items=0-1", .whole), ("bytes=5-2", .whole), ("bytes=a-b", .whole), ("bytes=+1-2", .whole),
    ] as [(String?, ByteRange)])
    func testByteRanges(header: String?, expected: ByteRange) {
        #expect(ByteRange.parse(header, length: 100) == expected)
    }

    @Test func testRefusalsAre4xxWithTheAttackInTheStatusLine() {
        let error = ClientError(.maliciousYank, "simple/x/index.json: yank state forged for x-1.whl (served as yanked (é\u{1b}[31m), signed as not yanked)")
        let response = Refusal.response(error)
        #expect(response.status == 409)
        #expect(response.reason.hasPrefix("malicious yank: simple/x/index.json"))
        #expect(response.reason.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7f })
        var body: [UInt8] = []
        if case .bytes(let bytes) = response.body { body = bytes }
        #expect(String(decoding: body, as: UTF8.self).contains("malicious yank"))
        #expect(Refusal.status(for: .fetchFailed) == 502)
        #expect(Refusal.status(for: .rollback) == 409)
        #expect(Refusal.status(for: .expired) == 409)
        #expect(Refusal.status(for: .ioFailed) == 500)
        #expect(Refusal.reasonPhrase(String(repeating: "a", count: 1000)).utf8.count == 300)
    }

    @Test func testPagesCarryTheSignedStateAndEscapeEverything() {
        let links = [SimplePages.FileLink(filename: "a<b>-1.0.tar.gz", url: SimplePages.fileURL(for: "packages/a b/a<b>-1.0.tar.gz"),
                                          sha256: "ab", size: 3, requiresPython: ">=3.8", yank: .yanked(reason: "bad \"one\"")),
                     SimplePages.FileLink(filename: "a-2.0.whl", url: "/files/a-2.0.whl", sha256: nil, size: 4, requiresPython: nil, yank: .notYanked)]
        let html = String(decoding: SimplePages.projectHTML(name: "a&b", links: links), as: UTF8.self)
        #expect(html.contains("<a href=\"/files/packages/a%20b/a%3Cb%3E-1.0.tar.gz#sha256=ab\" data-requires-python=\"&gt;=3.8\" data-yanked=\"bad &quot;one&quot;\">a&lt;b&gt;-1.0.tar.gz</a>"), "\(html)")
        #expect(html.contains("Links for a&amp;b"))
        #expect(!html.contains("a-2.0.whl\" data-yanked"))
        let json = try? JSONSerialization.jsonObject(with: Data(SimplePages.projectJSON(name: "a", versions: ["1.0"], links: links))) as? [String: Any]
        let files = json?["files"] as? [[String: Any]]
        #expect(files?.first?["yanked"] as? String == "bad \"one\"")
        #expect(files?.last?["yanked"] as? Bool == false)
        #expect((json?["meta"] as? [String: Any])?["api-version"] as? String == "1.1")
    }

    @Test(arguments: [
        ("demo_app-2.0-py3-none-any.whl", ["demo_app"]), ("foo-bar-1.0.tar.gz", ["foo-bar"]), ("x-1.zip", ["x"]),
        ("README.md", []), ("-1.0.tar.gz", []), ("noversion.tar.gz", []),
    ] as [(String, [String])])
    func testProjectFromFileName(filename: String, expected: [String]) {
        #expect(Updater.projectCandidates(forFileNamed: filename) == expected)
    }

    /// DNS rebinding: only the names of the address a connection came in on are answered, on
    /// the port listened on (local address, told host, Host values → verdict; port 8080).
    @Test(arguments: [
        ("127.0.0.1", "127.0.0.1", ["127.0.0.1:8080"], HostHeader.Verdict.allowed), ("127.0.0.1", "127.0.0.1", ["localhost:8080"], .allowed),
        ("127.0.0.1", "127.0.0.1", ["LocalHost:8080"], .allowed), ("127.0.0.1", "127.0.0.1", ["[::1]:8080"], .allowed),
        ("::1", "::1", ["[::1]:8080"], .allowed), ("127.0.0.1", "localhost", ["localhost:8080"], .allowed),
        ("127.0.0.1", "127.0.0.1", ["rebound.example:8080"], .misdirected), ("127.0.0.1", "127.0.0.1", ["127.0.0.1:8081"], .misdirected),
        ("127.0.0.1", "127.0.0.1", ["127.0.0.1"], .misdirected), ("127.0.0.1", "127.0.0.1", ["127.0.0.1.:8080"], .misdirected),
        ("127.0.0.1", "127.0.0.1", [], .invalid), ("127.0.0.1", "127.0.0.1", ["127.0.0.1:8080", "127.0.0.1:8080"], .invalid),
        ("127.0.0.1", "127.0.0.1", [""], .invalid), ("127.0.0.1", "127.0.0.1", ["127.0.0.1:80x"], .invalid),
        ("127.0.0.1", "127.0.0.1", ["127.0.0.1:"], .invalid), ("127.0.0.1", "127.0.0.1", ["[::1"], .invalid),
        ("192.168.1.5", "0.0.0.0", ["192.168.1.5:8080"], .allowed), ("192.168.1.5", "0.0.0.0", ["localhost:8080"], .misdirected),
        ("::ffff:127.0.0.1", "::", ["127.0.0.1:8080"], .allowed), ("10.0.0.2", "myhost", ["myhost:8080"], .allowed),
    ] as [(String, String, [String], HostHeader.Verdict)])
    func testHostHeader(local: String, listen: String, values: [String], expected: HostHeader.Verdict) {
        #expect(HostHeader.check(values, localAddress: local, localPort: 8080, listenHost: listen) == expected)
    }

    @Test func testProgressText() {
        #expect(ProgressText.line("x.whl", received: 5 << 20, total: 10 << 20) == "x.whl: 5.0 / 10.0 MB (50%)")
    }
}
