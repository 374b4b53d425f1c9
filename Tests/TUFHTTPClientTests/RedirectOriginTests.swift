import Testing
import TUFClient
@testable import TUFHTTPClient

/// Which redirects the HTTP fetcher follows: within the origin (scheme, host and port) of the
/// URL it was asked for, nowhere else. The fetcher itself is in HTTPFetcherTests.
struct RedirectOriginTests {
    static let from = "http://127.0.0.1:8000/metadata/timestamp.json"

    @Test(arguments: [
        ("1.timestamp.json", "http://127.0.0.1:8000/metadata/1.timestamp.json"),
        ("/mirror/timestamp.json", "http://127.0.0.1:8000/mirror/timestamp.json"),
        ("http://127.0.0.1:8000/x.json", "http://127.0.0.1:8000/x.json"),
        ("HTTP://127.0.0.1:8000/x.json", "HTTP://127.0.0.1:8000/x.json"),
    ])
    func testSameOriginIsFollowed(location: String, expected: String) throws {
        #expect(try Origin(Self.from)!.redirect(from: Self.from, status: 302, to: location) == expected)
    }

    @Test(arguments: [
        "http://127.0.0.1:8001/x.json", "https://127.0.0.1:8000/x.json", "http://localhost:8000/x.json",
        "//127.0.0.1:9000/x.json", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1/x.json",
        "file:///etc/passwd", "http+unix://%2Frun%2Fdocker.sock/info",
    ])
    func testAnotherOriginIsRefused(location: String) {
        let error = Self.refusal(location)
        #expect(error?.code == .fetchFailed)
        #expect(error?.message.contains(Self.from) == true, "\(String(describing: error))")
    }

    @Test func testDefaultPortIsTheSameOrigin() throws {
        let from = "https://mirror.example/metadata/root.json"
        #expect(try Origin(from)!.redirect(from: from, status: 301, to: "https://MIRROR.example:443/m/root.json") == "https://MIRROR.example:443/m/root.json")
    }

    @Test(arguments: [nil, "", "http://evil.example:1/\u{1b}[2J"] as [String?])
    func testMissingOrHostileLocationIsRefusedAndEscaped(location: String?) {
        let error = Self.refusal(location)
        #expect(error?.code == .fetchFailed)
        #expect(error?.message.unicodeScalars.contains { $0.value < 0x20 } == false, "\(String(describing: error))")
    }

    /// The error a redirect from `from` to `location` is refused with (nil, recorded, if followed).
    static func refusal(_ location: String?) -> ClientError? {
        do {
            let target = try Origin(from)!.redirect(from: from, status: 302, to: location)
            Issue.record("followed \(String(describing: location)) to \(target)")
        } catch {
            return error
        }
        return nil
    }
}
