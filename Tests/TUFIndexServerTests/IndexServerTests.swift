import Foundation
import Testing
import TUFClient
import TUFIndexServer
import TUFTestSupport

/// The NIO server of `tuf-verify serve`, in this process (so AddressSanitizer sees it): the
/// socket-level rules that `VerifyingIndex` cannot check by itself. The index trusts a
/// simulated repository, so pages verify without a network.
@Suite(.serialized) struct IndexServerTests {
    /// A file larger than one chunk of the writer, so that it is sent in several (ASCII, so
    /// that the text of an answer holds it as it is).
    static let largeFile: [UInt8] = (0..<((1 << 20) + 3)).map { (i: Int) -> UInt8 in UInt8(97 + (i &* 7 &+ i >> 10) % 26) }
    static let largePath = "packages/alpha/alpha-1.0.tar.gz"

    /// A server running for the length of `body`.
    struct Running: Sendable {
        let server: IndexServer
        let fetcher: GatedFetcher
        var port: Int { server.port }
        var host: String { "Host: 127.0.0.1:\(server.port)" }

        /// One request on a new connection, the whole answer.
        func ask(_ path: String, _ headers: [String]) async throws -> String {
            let port = self.port
            return try await offThePool {
                let connection = try RawConnection(port: port)
                connection.get(path, headers + ["Connection: close"])
                return connection.readToEnd().text
            }
        }
    }

    static func withServer<T>(_ limits: IndexServer.Limits = .init(), _ body: (Running) async throws -> T) async throws -> T {
        let dir = TempDir(prefix: "tuf-index-server")
        let sim = RepositorySimulator()
        sim.addTarget("targets", Array(#"{"meta": {"api-version": "1.1"}, "projects": [{"name": "alpha"}]}"#.utf8), "simple/index.json")
        sim.addTarget("targets", largeFile, largePath)
        sim.updateSnapshot()
        try FileManager.default.createDirectory(atPath: dir.sub("metadata"), withIntermediateDirectories: true)
        try Data(sim.signedRoots[0]).write(to: URL(fileURLWithPath: dir.sub("metadata/root.json")))
        let fetcher = GatedFetcher(inner: sim)
        let configuration = VerifyingIndex.Configuration(metadataDir: dir.sub("metadata"), metadataBaseURL: RepositorySimulator.metadataURL,
                                                         targetBaseURL: RepositorySimulator.targetsURL, cacheDir: dir.sub("cache"), fetcher: fetcher)
        let result = try await IndexServer.run(index: VerifyingIndex(configuration), host: "127.0.0.1", port: 0, limits: limits, threads: 1) { server in
            try await body(Running(server: server, fetcher: fetcher))
        }
        withExtendedLifetime(dir) {}
        return result
    }

    @Test func answersTheSimpleIndexFromVerifiedMetadata() async throws {
        let answer = try await Self.withServer { s in try await s.ask("/simple/", [s.host, "Accept: application/vnd.pypi.simple.v1+json"]) }
        #expect(answer.hasPrefix("HTTP/1.1 200 "), "\(answer)")
        #expect(answer.contains("application/vnd.pypi.simple.v1+json"), "\(answer)")
        #expect(answer.contains("\"alpha\""), "\(answer)")
    }

    @Test(arguments: [("127.0.0.1", "200"), ("localhost", "200"), ("[::1]", "200"), ("rebound.example", "421"), ("", "400")])
    func hostMustNameTheServer(_ name: String, _ status: String) async throws {
        let answer = try await Self.withServer { s in try await s.ask("/", name.isEmpty ? [] : ["Host: \(name):\(s.port)"]) }
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "Host \(name): \(answer)")
    }

    /// A request path with ESC, CR and LF (percent-encoded) comes back escaped, never raw.
    @Test func notFoundBodiesEscapeTheRequestPath() async throws {
        let answer = try await Self.withServer { s in try await s.ask("/simple/x%1B%5B2J%0D%0Ay/", [s.host]) }
        #expect(answer.hasPrefix("HTTP/1.1 404 "), "\(answer)")
        let body = answer.components(separatedBy: "\r\n\r\n").dropFirst().joined()
        #expect(!body.unicodeScalars.contains { $0.value == 0x1B || $0 == "\r" } && !body.dropLast().contains("\n"), "\(body.debugDescription)")
        #expect(body.contains("\\u{1B}"), "\(body.debugDescription)")
    }

    /// A file of several chunks arrives whole, and a range of it exactly, from the cache file
    /// the index checked.
    @Test func filesAreSentWholeAndByRange() async throws {
        let (whole, tail) = try await Self.withServer { s in
            (try await s.ask("/files/\(Self.largePath)", [s.host]), try await s.ask("/files/\(Self.largePath)", [s.host, "Range: bytes=-5"]))
        }
        let (head, body) = Self.split(whole)
        #expect(head.hasPrefix("HTTP/1.1 200 ") && head.contains("Content-Length: \(Self.largeFile.count)"), "\(head)")
        #expect(body == Self.largeFile, "\(body.count) bytes")
        let (rangeHead, rangeBody) = Self.split(tail)
        #expect(rangeHead.hasPrefix("HTTP/1.1 206 ") && rangeBody == Array(Self.largeFile.suffix(5)), "\(rangeHead)")
    }

    static func split(_ answer: String) -> (head: String, body: [UInt8]) {
        guard let end = answer.range(of: "\r\n\r\n") else { return (answer, []) }
        return (String(answer[..<end.lowerBound]), Array(answer[end.upperBound...].utf8))
    }

    @Test func silentAndKeptAliveConnectionsAreClosedWhenIdle() async throws {
        let (answer, ends) = try await Self.withServer(.init(idleTimeout: 0.5, maxConnections: 8)) { s in
            let (port, host) = (s.port, s.host)
            return try await offThePool {
                let silent = try RawConnection(port: port)
                let partial = try RawConnection(port: port)
                partial.send("GET / HTTP/1.1\r\n\(host)\r\n")
                let kept = try RawConnection(port: port)
                kept.get("/", [host])
                let answer = kept.readResponse()
                return (answer, [silent.readToEnd(), partial.readToEnd(), kept.readToEnd()])
            }
        }
        #expect(answer?.hasPrefix("HTTP/1.1 200 ") == true)
        for end in ends { #expect(end.closed && end.text.isEmpty, "\(end)") }
    }

    /// Past the cap a connection is closed unanswered; once one closes, new ones are answered.
    @Test func aConnectionPastTheCapIsClosedUnanswered() async throws {
        let (answer, end, later) = try await Self.withServer(.init(idleTimeout: 30, maxConnections: 1)) { s in
            let (port, host) = (s.port, s.host)
            return try await offThePool {
                var first: RawConnection? = try RawConnection(port: port)
                first!.get("/", [host])
                let answer = first!.readResponse()
                let second = try RawConnection(port: port)
                second.get("/", [host, "Connection: close"])
                let end = second.readToEnd()
                first = nil
                // The count drops when the server has seen the close: a bounded number of tries.
                var later = ""
                for _ in 0..<100 where !later.hasPrefix("HTTP/1.1 200 ") {
                    let next = try RawConnection(port: port)
                    next.get("/", [host, "Connection: close"])
                    later = next.readToEnd().text
                    if !later.hasPrefix("HTTP/1.1 200 ") { usleep(20_000) }
                }
                return (answer, end, later)
            }
        }
        #expect(answer?.hasPrefix("HTTP/1.1 200 ") == true)
        #expect(end.closed && end.text.isEmpty, "\(end)")
        #expect(later.hasPrefix("HTTP/1.1 200 "), "\(later)")
    }

    /// Stopping closes an idle kept-alive connection at once and lets an answer under way
    /// finish (its upstream fetch is held until after the stop); then nothing is answered.
    @Test func stopClosesIdleConnectionsAndFinishesAnswersUnderWay() async throws {
        let (idleEnd, busyEnd, refused) = try await Self.withServer(.init(idleTimeout: 30, maxConnections: 8)) { s in
            let (port, host, server) = (s.port, s.host, s.server)
            let held = s.fetcher.hold("targets/simple/")
            let stopped = DispatchSemaphore(value: 0)
            let stopper = Task {
                await held.entered.wait()
                await server.stop()
                stopped.signal()
            }
            defer { stopper.cancel() }
            return try await offThePool {
                let idle = try RawConnection(port: port)
                idle.get("/", [host])
                _ = idle.readResponse()
                let busy = try RawConnection(port: port)
                busy.get("/simple/", [host, "Accept: application/vnd.pypi.simple.v1+json"])
                _ = stopped.wait(timeout: .now() + .seconds(RawConnection.guardSeconds))
                let idleEnd = idle.readToEnd()
                held.release()
                return (idleEnd, busy.readToEnd(), (try? RawConnection(port: port)) == nil)
            }
        }
        #expect(idleEnd.closed && idleEnd.text.isEmpty, "\(idleEnd)")
        #expect(busyEnd.closed && busyEnd.text.hasPrefix("HTTP/1.1 200 ") && busyEnd.text.contains("\"alpha\""), "\(busyEnd)")
        #expect(refused)
    }

    @Test func stoppingTwiceReturns() async throws {
        try await Self.withServer { s in
            await s.server.stop()
            await s.server.stop()
            await #expect(throws: (any Error).self) { _ = try await s.ask("/", [s.host]) }
        }
    }
}

/// Runs blocking socket calls on a thread of their own: on the concurrency pool (one thread
/// a core) they could hold every thread the server's answers need, until the read guard.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
