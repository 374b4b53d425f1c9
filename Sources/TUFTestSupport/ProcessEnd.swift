import Foundation

/// Ending a child process that a test started, by its own pid only. TEST ONLY.
enum ProcessEnd {
    /// SIGTERM, up to `grace` seconds for it to exit, then SIGKILL; returns once it has exited.
    static func stop(_ process: Process, grace: Double) {
        guard process.isRunning else { return }
        process.terminate()
        let end = Date().addingTimeInterval(grace)
        while process.isRunning, Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
