import Glibc

/// Where a command gets the time: the one clock of the toolkit. The CLIs create `.system`
/// and hand it to the library (`Repository.clock`); tests hand in `.fixed`. Only the façade
/// reads it, once per step that needs a time; everything below takes `now: Expiry`, so no
/// default argument reads the wall clock (RetentionTests).
public struct WallClock: Sendable {
    private let read: @Sendable () -> Expiry

    /// A clock that answers `read()`.
    public init(_ read: @escaping @Sendable () -> Expiry) { self.read = read }

    /// The time now, in whole seconds.
    public func now() -> Expiry { read() }

    /// The system's real-time clock, `clock_gettime(CLOCK_REALTIME)`: what libfaketime moves
    /// in the tests that run the tools, and nothing in the environment moves otherwise, so a
    /// stray variable can never sign far-future expiries.
    public static let system = WallClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Expiry(secondsSinceEpoch: Int64(ts.tv_sec))
    }

    /// A clock stopped at `time`.
    public static func fixed(_ time: Expiry) -> WallClock { WallClock { time } }
}
