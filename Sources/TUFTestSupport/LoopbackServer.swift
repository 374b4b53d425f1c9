import Foundation

/// The committed test server `Tests/Interop/serve.py` serving a folder on 127.0.0.1, with
/// its tampering options (`--replace`, `--forge-yank`, `--endless`, `--status`, …).
/// The server exits when its standard input closes, so the pipe stays open for the
/// server's life; call `stop()` (in a `defer`) to close it, terminate and wait.
/// What the server did is in `events()` (its `--log`), so a test can tell a refused
/// connection from a served one and count the bytes sent. TEST ONLY.
public final class LoopbackServer: @unchecked Sendable {
    /// One line of the server's log: `accepted`/`tampered` (detail: the User-Agent),
    /// `sent`/`done` (detail: body bytes sent so far), for the request's URL path.
    public struct Event: Equatable, Sendable {
        public let kind: String
        public let path: String
        public let detail: String
        /// `detail` as a byte count (`sent`, `done`).
        public var bytes: Int? { Int(detail) }
    }

    /// The port the server listens on.
    public let port: Int
    /// The file serve.py logs its events to (removed with the value).
    public let logPath: String
    private let process: Process
    private let input: Pipe
    private let lock = NSLock()
    private var stopped = false

    /// `http://127.0.0.1:<port>`, without a final slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `serve.py root arguments…` and waits for its `PORT n` line.
    public init(root: String, arguments: [String] = []) throws {
        guard let python = Interop.python else { throw Failure("TUF_INTEROP_PYTHON is not set to the venv's python (run Scripts/test)") }
        logPath = NSTemporaryDirectory() + "serve-log-\(UUID().uuidString).tsv"
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Interop.script("serve.py"), root] + arguments + ["--log", logPath]
        input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        // The first line is "PORT <n>"; read it byte by byte so nothing after it is consumed.
        var line: [UInt8] = []
        while true {
            guard let byte = try output.fileHandleForReading.read(upToCount: 1)?.first else { break }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            port = 0
            stop()
            throw Failure("serve.py did not report its port (got \"\(text)\")")
        }
        self.port = port
    }

    /// Closes the server's standard input, terminates it and waits for it to exit. Safe to
    /// call more than once.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: logPath)
    }

    /// The events logged so far, in order.
    public func events() -> [Event] {
        guard let data = FileManager.default.contents(atPath: logPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let f = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            return f.count == 3 ? Event(kind: String(f[0]), path: String(f[1]), detail: String(f[2])) : nil
        }
    }

    /// The first event that matches, waiting up to `limit` seconds for the server to log it
    /// (a response ends on the server some time after the client hangs up); nil if none came.
    public func awaitEvent(limit: Double = 20, _ matches: (Event) -> Bool) -> Event? {
        let end = Date().addingTimeInterval(limit)
        while true {
            if let e = events().first(where: matches) { return e }
            if Date() >= end { return nil }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// A server that could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
