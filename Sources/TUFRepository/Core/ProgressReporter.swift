import Glibc

/// Progress of a long run on stderr: one line per phase, rewritten at most five times a
/// second, with the count, the rate and (when the total is known) the time left.
public final class ProgressReporter {
    private var phase = ""
    private var started = 0.0
    private var lastPrint = 0.0
    private var lastLine = ""

    public init() {}

    /// True when stderr is a terminal (progress is on by default there).
    public static var stderrIsTerminal: Bool { isatty(2) != 0 }

    private static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Reports `done` items (of `total`, when known) of `phase`, e.g. "files read".
    public func update(_ phase: String, done: Int, total: Int? = nil) {
        let now = Self.seconds()
        if phase != self.phase { finish(); self.phase = phase; started = now; lastPrint = 0 }
        guard now - lastPrint >= 0.2 || done == total else { return }
        lastPrint = now
        let elapsed = max(now - started, 1e-3)
        let rate = Double(done) / elapsed
        var line = "\(phase): \(done)"
        if let total { line += "/\(total)" }
        line += " (\(Int(rate.rounded()))/s"
        if let total, rate > 0, done < total { line += ", \(Int((Double(total - done) / rate).rounded(.up)))s left" }
        line += ", \(Int(elapsed * 10) / 10).\(Int(elapsed * 10) % 10)s)"
        lastLine = line
        Self.writeStderr("\r\(line)\u{1B}[K")
    }

    static func writeStderr(_ text: String) {
        var t = text
        t.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    /// Ends the current phase's line.
    public func finish() {
        guard !phase.isEmpty else { return }
        Self.writeStderr("\r\(lastLine)\u{1B}[K\n")
        phase = ""
    }
}
