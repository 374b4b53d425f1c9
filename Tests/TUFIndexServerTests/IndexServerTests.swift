import Foundation
import Testing
import TUFClient
import TUFIndexServer
import TUFTestSupport

/// The NIO server of `tuf-verify serve`, in this process (so AddressSanitizer sees it): the
/// socket-level rules that `VerifyingIndex` cannot check by itself. The index trusts a
/// simulated repository, so pages verify without a network.
@Suite(.serialized) struct IndexServerTests {
    final class Running {
        let dir = TempDir(prefix: "tuf-index-server")
        let server: IndexServer
        var port: Int { server.port }
        var host: String { "Host: 127.0.0.1:\(server.port)" }

        init(_ limits: IndexServer.Limits = .init()) async throws {
            let sim = RepositorySimulator()
            sim.addTarget("targets", Array(#"{"meta": {"api-version": "1.1"}, "projects": [{"name": "alpha"}]}"#.utf8), "simple/index.json")
            sim.updateSnapshot()
            try FileManager.default.createDirectory(atPath: dir.sub("metadata"), withIntermediateDirectories: true)
            try Data(sim.signedRoots[0]).write(to: URL(fileURLWithPath: dir.sub("metadata/root.json")))
            let configuration = VerifyingIndex.Configuration(metadataDir: dir.sub("metadata"), metadataBaseURL: RepositorySimulator.metadataURL,
                                                             targetBaseURL: RepositorySimulator.targetsURL, cacheDir: dir.sub("cache"), fetcher: sim)
            server = try await IndexServer.start(index: VerifyingIndex(configuration), host: "127.0.0.1", port: 0, limits: limits, threads: 1)
        }

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

    /// Runs blocking socket calls on a thread of their own: on the concurrency pool (one thread
    /// a core) they could hold every thread the server's answers need, until the read guard.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    @Test func answersTheSimpleIndexFromVerifiedMetadata() async throws {
        let s = try await Running()
        let answer = try await s.ask("/simple/", [s.host, "Accept: application/vnd.pypi.simple.v1+json"])
        #expect(answer.hasPrefix("HTTP/1.1 200 "), "\(answer)")
        #expect(answer.contains("application/vnd.pypi.simple.v1+json"), "\(answer)")
        #expect(answer.contains("\"alpha\""), "\(answer)")
        await s.server.stop()
    }

    @Test(arguments: [("127.0.0.1", "200"), ("localhost", "200"), ("[::1]", "200"), ("rebound.example", "421"), ("", "400")])
    func hostMustNameTheServer(_ name: String, _ status: String) async throws {
        let s = try await Running()
        let answer = try await s.ask("/", name.isEmpty ? [] : ["Host: \(name):\(s.port)"])
        #expect(answer.hasPrefix("HTTP/1.1 \(status) "), "Host \(name): \(answer)")
        await s.server.stop()
    }

    /// A request path with ESC, CR and LF (percent-encoded) comes back escaped, never raw.
    @Test func notFoundBodiesEscapeTheRequestPath() async throws {
        let s = try await Running()
        let answer = try await s.ask("/simple/x%1B%5B2J%0D%0Ay/", [s.host])
        #expect(answer.hasPrefix("HTTP/1.1 404 "), "\(answer)")
        let body = answer.components(separatedBy: "\r\n\r\n").dropFirst().joined()
        #expect(!body.unicodeScalars.contains { $0.value == 0x1B || $0 == "\r" } && !body.dropLast().contains("\n"), "\(body.debugDescription)")
        #expect(body.contains("\\u{1B}"), "\(body.debugDescription)")
        await s.server.stop()
    }

    @Test func silentAndKeptAliveConnectionsAreClosedWhenIdle() async throws {
        let s = try await Running(.init(idleTimeout: 0.5, maxConnections: 8))
        let (port, host) = (s.port, s.host)
        let (answer, ends) = try await Self.offThePool {
            let silent = try RawConnection(port: port)
            let kept = try RawConnection(port: port)
            kept.get("/", [host])
            let answer = kept.readResponse()
            return (answer, [silent.readToEnd(), kept.readToEnd()])
        }
        #expect(answer?.hasPrefix("HTTP/1.1 200 ") == true)
        for end in ends { #expect(end.closed && end.text.isEmpty, "\(end)") }
        await s.server.stop()
    }

    @Test func aConnectionPastTheCapIsClosedUnanswered() async throws {
        let s = try await Running(.init(idleTimeout: 30, maxConnections: 1))
        let (port, host) = (s.port, s.host)
        let (answer, end) = try await Self.offThePool {
            let first = try RawConnection(port: port)
            first.get("/", [host])
            let answer = first.readResponse()
            let second = try RawConnection(port: port)
            second.get("/", [host, "Connection: close"])
            return (answer, withExtendedLifetime(first) { second.readToEnd() })
        }
        #expect(answer?.hasPrefix("HTTP/1.1 200 ") == true)
        #expect(end.closed && end.text.isEmpty, "\(end)")
        await s.server.stop()
    }

    @Test func stoppingTwiceReturns() async throws {
        let s = try await Running()
        await s.server.stop()
        await s.server.stop()
        await #expect(throws: (any Error).self) { _ = try await s.ask("/", [s.host]) }
    }
}
