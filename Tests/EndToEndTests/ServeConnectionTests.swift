import Foundation
import Testing
import TUFTestSupport

/// `tuf-verify serve` at the socket: which `Host` it answers, how long a connection may sit
/// silent, and how many may be open at once. Only `/` is asked for, which needs no upstream,
/// so the proxy trusts a simulated root and points at a port where nothing listens.
@Suite(.serialized) struct ServeConnectionTests {
    static func proxy(_ extra: [String] = []) throws -> VerifyingProxy {
        let dir = TempDir(prefix: "tuf-e2e-root")
        let root = dir.sub("root.json")
        try Data(RepositorySimulator().signedRoots[0]).write(to: URL(fileURLWithPath: root))
        let proxy = try VerifyingProxy(trustedRoot: root)
        try proxy.start(upstream: "http://127.0.0.1:9/repo", extra: extra)
        return proxy
    }

    /// DNS rebinding: a page of another site that has its name resolve to 127.0.0.1 sends its
    /// own name as Host. Only the address listened on (and localhost forms of it) is answered.
    @Test func testHostMustNameTheServer() throws {
        let proxy = try Self.proxy()
        let port = proxy.port
        let cases: [(host: String?, status: String)] = [
            ("127.0.0.1:\(port)", "200"), ("localhost:\(port)", "200"), ("[::1]:\(port)", "200"), ("LOCALHOST:\(port)", "200"),
            ("rebound.example:\(port)", "421"), ("127.0.0.1:\(port == 1 ? 2 : 1)", "421"), ("127.0.0.1", "421"), (nil, "400"),
        ]
        for (host, status) in cases {
            let connection = try RawConnection(port: port)
            connection.get("/", (host.map { ["Host: \($0)"] } ?? []) + ["Connection: close"])
            let answer = connection.readToEnd().text
            #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "Host \(host ?? "(none)"): \(answer)")
        }
        #expect(proxy.stop() == 0)
    }

    /// A connection with no request under way for --idle-timeout is closed: one that never
    /// sends, one whose request never ends (slowloris), and a kept-alive one after its answer.
    @Test func testIdleConnectionsAreClosed() throws {
        let proxy = try Self.proxy(["--idle-timeout", "1"])
        let host = "Host: 127.0.0.1:\(proxy.port)"
        let silent = try RawConnection(port: proxy.port)
        let partial = try RawConnection(port: proxy.port)
        partial.send("GET / HTTP/1.1\r\n\(host)\r\nAccept: */*\r\n")
        let kept = try RawConnection(port: proxy.port)
        kept.get("/", [host])
        #expect(kept.readResponse()?.hasPrefix("HTTP/1.1 200 ") == true)
        for (name, connection) in [("silent", silent), ("partial", partial), ("kept alive", kept)] {
            let end = connection.readToEnd()
            #expect(end.closed && end.text.isEmpty, "\(name): closed \(end.closed), \(end.text)")
        }
        #expect(proxy.stop() == 0)
    }

    /// Past --max-connections a new connection is closed unanswered; once one closes, new ones
    /// are answered again.
    @Test func testConnectionsPastTheCapAreClosed() throws {
        let proxy = try Self.proxy(["--max-connections", "2"])
        let host = "Host: 127.0.0.1:\(proxy.port)"
        var first: RawConnection? = try RawConnection(port: proxy.port)
        let second = try RawConnection(port: proxy.port)
        for connection in [first!, second] {
            connection.get("/", [host])
            #expect(connection.readResponse()?.hasPrefix("HTTP/1.1 200 ") == true)
        }
        let third = try RawConnection(port: proxy.port)
        third.get("/", [host])
        let refused = third.readToEnd()
        #expect(refused.closed && refused.text.isEmpty, "\(refused.text)")
        first = nil
        // The count drops when the server has seen the close: try a bounded number of times.
        var answered = false
        for _ in 0..<100 where !answered {
            let next = try RawConnection(port: proxy.port)
            next.get("/", [host, "Connection: close"])
            answered = next.readToEnd().text.hasPrefix("HTTP/1.1 200 ")
            if !answered { usleep(50_000) }
        }
        #expect(answered)
        #expect(proxy.stop() == 0)
    }
}
