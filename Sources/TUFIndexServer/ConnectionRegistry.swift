import NIOCore
import Synchronization

/// The connections open at once: at most `limit`, and none admitted once the server is
/// stopping. A connection leaves when it closes.
final class ConnectionRegistry: Sendable {
    private let limit: Int
    private let state = Mutex<(open: [ObjectIdentifier: any Channel], stopping: Bool)>(([:], false))

    init(limit: Int) { self.limit = limit }

    /// True when `channel` may be served, counted until it closes.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let admitted = state.withLock { s -> Bool in
            guard !s.stopping, s.open.count < limit else { return false }
            s.open[id] = channel
            return true
        }
        if admitted { channel.closeFuture.whenComplete { _ in self.state.withLock { _ = $0.open.removeValue(forKey: id) } } }
        return admitted
    }

    /// Admits no more; the connections open now, on the first call only (each is told to
    /// quiesce once: HTTP's pipeline handler takes that event once).
    func stop() -> [any Channel] {
        state.withLock { s in
            guard !s.stopping else { return [] }
            s.stopping = true
            return Array(s.open.values)
        }
    }
}
