import Foundation
import TUFMetadata

/// One refresh of the chain: an updater that refreshed, shared by every request until it is
/// stale. Lookups on it run in parallel (bins are loaded under the trusted set's own lock).
struct Generation: Sendable {
    let updater: Updater
    /// Monotonic seconds when the refresh started.
    let refreshedAt: Double
    /// Which refresh this is, so a request that found it stale does not take it again.
    let number: Int
}

/// What a lookup in the trusted metadata came to.
enum Trusted<T> {
    case found(T)
    /// The signed metadata does not list it (after a refresh, when the first look was stale).
    case missing
    case refused(IndexResponse)
}

extension VerifyingIndex {
    /// Runs `body` with an updater whose refresh is usable now: younger than `refreshInterval`
    /// and no trusted role expired by the clock. When `body` finds nothing (nil) on metadata
    /// older than a second, or meets a role that has expired by now, the chain is refreshed at
    /// once and `body` asked again: a project uploaded a moment ago is found, a renewed bin is
    /// picked up, and no expired role is ever used. A failure becomes a refusal, logged with
    /// `what` it was for.
    func trusted<T>(what: String, _ body: (Updater) async throws(ClientError) -> T?) async -> Trusted<T> {
        do throws(ClientError) {
            let now = configuration.clock()
            let first = try await usableGeneration(at: now, replacing: nil)
            if let answer = try await attempt(body, on: first, at: now, last: false) { return answer }
            let second = try await usableGeneration(at: now, replacing: first)
            return try await attempt(body, on: second, at: now, last: true) ?? .missing
        } catch {
            configuration.log("refused \(what): \(Refusal.line(error))")
            return .refused(Refusal.response(error))
        }
    }

    /// `body` on `generation`, or nil when it is to be asked again after a refresh (never when
    /// `last`).
    private func attempt<T>(_ body: (Updater) async throws(ClientError) -> T?, on generation: Generation, at now: Expiry,
                            last: Bool) async throws(ClientError) -> Trusted<T>? {
        let found: T?
        do throws(ClientError) { found = try await body(generation.updater) } catch where error.code == .expired && !last { return nil }
        // 5.4.4, 5.5.6, 5.6.5 against the time of this request, not of the refresh: a bin
        // loaded just now was checked against the refresh's time.
        if let role = generation.updater.trusted.firstExpired(at: now) {
            guard last else { return nil }
            throw ClientError(.expired, "\(role) has expired by \(now.iso8601)")
        }
        if found == nil && !last && Self.monotonicSeconds() - generation.refreshedAt >= 1 { return nil }
        return found.map { .found($0) } ?? .missing
    }

    /// The last refresh if it is usable at `now` (and is not `stale`), else a new one. Only
    /// refreshes wait for each other; a task that waited takes the refresh another one made
    /// meanwhile. A refresh that fails drops the old state: what the repository serves now did
    /// not verify, and every request is refused with the reason until a refresh succeeds.
    private func usableGeneration(at now: Expiry, replacing stale: Generation?) async throws(ClientError) -> Generation {
        if let usable = lastGeneration(usableAt: now, unless: stale) { return usable }
        await refreshGate.acquire()
        defer { refreshGate.release() }
        if let usable = lastGeneration(usableAt: now, unless: stale) { return usable }
        let started = Self.monotonicSeconds()
        do throws(ClientError) {
            let fresh = try Updater(metadataDir: configuration.metadataDir, metadataBaseURL: configuration.metadataBaseURL,
                                    targetBaseURL: configuration.targetBaseURL, targetDir: configuration.cacheDir,
                                    config: configuration.updaterConfig, fetcher: configuration.fetcher, referenceTime: configuration.clock())
            try await fresh.refresh()
            return state.withLock { s in
                s.refreshes += 1
                s.generation = Generation(updater: fresh, refreshedAt: started, number: s.refreshes)
                return s.generation!
            }
        } catch {
            state.withLock { $0.generation = nil }
            throw error
        }
    }

    private func lastGeneration(usableAt now: Expiry, unless stale: Generation?) -> Generation? {
        guard let last = state.withLock({ $0.generation }), last.number != stale?.number,
              Self.monotonicSeconds() - last.refreshedAt < configuration.refreshInterval else { return nil }
        // The freeze window is the metadata's own expiry, never the refresh interval.
        guard last.updater.trusted.firstExpired(at: now) == nil else { return nil }
        return last
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
