import Foundation

/// True the first time it is asked, false ever after, across threads: a `stop()` that runs
/// once however often a test and a deinit call it. TEST ONLY.
final class OnceFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func first() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}
