import Synchronization
import TUFClient

/// The simulator with downloads whose URL contains a held pattern stopped until released (TEST ONLY).
public final class GatedFetcher: Fetcher {
    public let inner: RepositorySimulator
    private let holds = Mutex<[(pattern: String, gate: FetchGate)]>([])

    public init(inner: RepositorySimulator) { self.inner = inner }

    /// Holds the next downloads of URLs containing `pattern`.
    public func hold(_ pattern: String) -> FetchGate {
        let gate = FetchGate()
        holds.withLock { $0.append((pattern, gate)) }
        return gate
    }

    public func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8] {
        if let gate = holds.withLock({ $0.first { url.contains($0.pattern) }?.gate }) { await gate.pass() }
        return try await inner.fetch(url, maxLength: maxLength)
    }
}

/// A held download: `entered` fires when it starts, and it goes on once `release` is called.
public final class FetchGate: Sendable {
    public let entered = Signal()
    let released = Signal()
    func pass() async {
        entered.fire()
        await released.wait()
    }
    public func release() { released.fire() }
}

/// A one-shot event that tasks can wait for.
public final class Signal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    public func fire() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.fired = true
            defer { s.waiters = [] }
            return s.waiters
        }
        waiters.forEach { $0.resume() }
    }

    public func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.fired { return true }
                s.waiters.append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
