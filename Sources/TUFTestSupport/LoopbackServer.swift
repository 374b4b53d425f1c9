import Foundation

/// The committed test server `Tests/Interop/serve.py` serving a folder on 127.0.0.1, with
/// its tampering options (`--replace`, `--forge-yank`, `--endless`, `--status`, …).
/// The server exits when its standard input closes, so the pipe stays open for the
/// server's life; call `stop()` (in a `defer`) to close it, terminate and wait.
/// TEST ONLY.
public final class LoopbackServer: @unchecked Sendable {
    /// The port the server listens on.
    public let port: Int
    private let process: Process
    private let input: Pipe
    private let lock = NSLock()
    private var stopped = false

    /// `http://127.0.0.1:<port>`, without a final slash.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Starts `serve.py root arguments…` and waits for its `PORT n` line.
    public init(root: String, arguments: [String] = []) throws {
        guard let python = Interop.python else { throw Failure("TUF_INTEROP_PYTHON is not set to the venv's python (run Scripts/test)") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [Interop.script("serve.py"), root] + arguments
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

    deinit { stop() }

    /// A server that could not be started.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
