import Foundation
import Testing

/// Runs the built tools at a chosen wall-clock time through libfaketime (Debian's `faketime`,
/// installed by Scripts/bootstrap): the tools themselves have no way to move their clock.
public enum FakeTime {
    /// The `faketime` wrapper, or nil when it is not installed.
    public static let wrapper: String? = ["/usr/bin/faketime", "/usr/local/bin/faketime"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs `executable` with its wall clock frozen at `iso8601` (`YYYY-MM-DDThh:mm:ssZ`, UTC);
    /// monotonic clocks stay real, so timeouts still run. Records an issue when faketime is
    /// missing, so a test can never pass on the real clock instead.
    public static func run(_ executable: String, _ arguments: [String], at iso8601: String,
                           environment base: [String: String] = ProcessInfo.processInfo.environment) throws -> (status: Int32, output: String) {
        guard let wrapper else {
            Issue.record("faketime is not installed (Scripts/bootstrap installs Debian's faketime)")
            return (127, "")
        }
        var environment = base
        environment["TZ"] = "UTC"
        // A sanitized build must accept the preload ahead of its runtime, and its allocator must
        // not read the clock (libfaketime's first clock call allocates: a deadlock).
        environment["ASAN_OPTIONS"] = [base["ASAN_OPTIONS"], "verify_asan_link_order=0", "allocator_release_to_os_interval_ms=-1"]
            .compactMap { $0 }.joined(separator: ":")
        // "2026-01-01T00:00:00Z" → "2026-01-01 00:00:00": -f takes it as a frozen absolute time.
        let time = iso8601.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        return try Interop.run(wrapper, ["--exclude-monotonic", "-f", time, executable] + arguments, environment: environment)
    }

    /// ISO 8601 (UTC, whole seconds) of a date, for `run(_:_:at:)`.
    public static func iso8601(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }
}
