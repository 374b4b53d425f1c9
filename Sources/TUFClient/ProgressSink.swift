import Foundation

/// A download sink that passes chunks on and reports the bytes received so far, at most
/// every quarter second and once at the end, for progress on a terminal.
public final class ProgressSink: DownloadSink, @unchecked Sendable {
    // Unchecked: chunks arrive one at a time from one fetcher; the lock makes that explicit.
    private let inner: any DownloadSink
    private let total: Int64
    private let report: @Sendable (Int64) -> Void
    private let lock = NSLock()
    private var received: Int64 = 0
    private var lastReport = 0.0

    public init(_ inner: any DownloadSink, total: Int64, report: @escaping @Sendable (Int64) -> Void) {
        self.inner = inner; self.total = total; self.report = report
    }

    public func write(_ chunk: UnsafeRawBufferPointer) throws(ClientError) {
        try inner.write(chunk)
        let (due, count) = lock.withLock { () -> (Bool, Int64) in
            received += Int64(chunk.count)
            let now = Date().timeIntervalSince1970
            let due = now - lastReport >= 0.25 || received >= total
            if due { lastReport = now }
            return (due, received)
        }
        if due { report(count) }
    }
}

/// Receives a download's progress: its target path, bytes received, total bytes.
public typealias ProgressHandler = @Sendable (_ target: String, _ received: Int64, _ total: Int64) -> Void

/// Progress lines for a terminal: `\r`-rewritten, megabytes and percent.
public enum ProgressText {
    /// Downloads at least this large show progress.
    public static let threshold: Int64 = 4 << 20

    public static func line(_ name: String, received: Int64, total: Int64) -> String {
        let mb = { (n: Int64) in String(format: "%.1f", Double(n) / 1_048_576) }
        let percent = total > 0 ? Int(received * 100 / total) : 100
        return "\(name): \(mb(received)) / \(mb(total)) MB (\(percent)%)"
    }
}
