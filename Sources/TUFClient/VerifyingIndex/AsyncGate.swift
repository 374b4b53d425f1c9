import Foundation

/// A lock for async code: one holder at a time, waiters resumed in arrival order. An actor
/// would not do: it lets other calls in at every `await`, and a refresh of the chain must
/// have the trusted metadata to itself across its awaits.
final class AsyncGate: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if busy {
                waiters.append(continuation)
                lock.unlock()
            } else {
                busy = true
                lock.unlock()
                continuation.resume()
            }
        }
    }

    /// Hands the gate to the next waiter, or opens it.
    func release() {
        lock.lock()
        guard !waiters.isEmpty else {
            busy = false
            lock.unlock()
            return
        }
        let next = waiters.removeFirst()
        lock.unlock()
        next.resume()
    }
}
