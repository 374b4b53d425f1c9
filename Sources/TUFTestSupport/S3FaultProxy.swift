import Foundation

/// The committed fault proxy `Tests/Interop/s3_fault_proxy.py` on 127.0.0.1, between an S3
/// client and a test server: it answers chosen requests with an injected error, resets or
/// delays them, and logs every request, so a test counts the client's attempts. It exits
/// when its standard input closes (the pipe is held for its life); `stop()` closes it,
/// terminates it and waits. TEST ONLY.
public final class S3FaultProxy: @unchecked Sendable {
    /// One injected fault for request numbers `requests` (1-based, over all connections).
    public enum Fault: Sendable {
        /// Answer with `status` and an S3 error document of `code` (503 SlowDown, 500 InternalError…).
        case fail(ClosedRange<Int>, status: Int, code: String)
        /// Reset the connection after reading the request head.
        case drop(ClosedRange<Int>)
        /// Wait `seconds` before forwarding.
        case delay(ClosedRange<Int>, seconds: Double)

        var arguments: [String] {
            switch self {
            case .fail(let r, let status, let code): ["--fail", "\(r.lowerBound)-\(r.upperBound):\(status):\(code)"]
            case .drop(let r): ["--drop", "\(r.lowerBound)-\(r.upperBound)"]
            case .delay(let r, let seconds): ["--delay", "\(r.lowerBound)-\(r.upperBound):\(seconds)"]
            }
        }
    }

    /// One logged request: its number, method, path (with query) and what the proxy did
    /// (`forwarded`, `failed`, `dropped`, `delayed`).
    public struct Request: Equatable, Sendable {
        public let number: Int
        public let method: String
        public let path: String
        public let action: String
    }

    public let port: Int
    private let process: Process
    private let input: Pipe
    private let logPath: String
    private let stopping = OnceFlag()

    /// `http://127.0.0.1:<port>`: the endpoint to give the client.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// Starts the proxy in front of `upstream` (a server's `http://127.0.0.1:PORT`).
    public init(upstream: String, faults: [Fault]) throws {
        guard let python = Interop.python else { throw S3TestServer.Failure("TUF_INTEROP_PYTHON is not set to the venv's python (run Scripts/test)") }
        guard let upstreamPort = upstream.split(separator: ":").last.flatMap({ Int($0) }) else {
            throw S3TestServer.Failure("fault proxy: no port in \(upstream)")
        }
        logPath = NSTemporaryDirectory() + "s3-proxy-\(UUID().uuidString).tsv"
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Interop.script("s3_fault_proxy.py"), String(upstreamPort), "--log", logPath] + faults.flatMap(\.arguments)
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let line = PortLine.read(output)
        guard line.hasPrefix("PORT "), let port = Int(line.dropFirst(5)) else {
            port = 0
            stop()
            throw S3TestServer.Failure("s3_fault_proxy.py did not report its port (got \"\(line)\")")
        }
        self.port = port
    }

    /// The requests logged so far, in order.
    public func requests() -> [Request] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count == 4, let n = Int(f[0]) else { return nil }
            return Request(number: n, method: String(f[1]), path: String(f[2]), action: String(f[3]))
        }
    }

    /// Closes the proxy's standard input, ends it and waits. Safe to call twice.
    public func stop() {
        guard stopping.first() else { return }
        try? input.fileHandleForWriting.close()
        ProcessEnd.stop(process, grace: 3)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }
}
