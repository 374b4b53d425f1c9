import Foundation

/// Kills a test's server if the test process dies without stopping it: a `sh` that waits on
/// a pipe from this process and, when the pipe closes with no `disarm()` first (the test
/// process crashed or was killed), sends SIGKILL to the server's pid. TEST ONLY.
final class Watchdog {
    private let process = Process()
    private let input = Pipe()

    /// Watches `pid`.
    init(pid: Int32) throws {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "read -r _; kill -KILL \"$0\" 2>/dev/null", String(pid)]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Ends the watchdog without killing anything (before the server is stopped and reaped,
    /// so that its pid can never be another process's by the time the watchdog could fire).
    func disarm() {
        ProcessEnd.stop(process, grace: 1)
        try? input.fileHandleForWriting.close()
    }
}
