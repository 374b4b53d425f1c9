/// How many queued names the next batch of `tuf-repo publish --follow` takes, chosen from how
/// long the last batch took. A name enqueued just after a batch started waits for that batch
/// and then for its own, so a batch aims at half the latency goal; a batch's cost grows with
/// the bins it re-signs, so the names a batch can take in that time follow from the last
/// batch's rate. A batch that took all there was, fewer than the limit, in time says nothing
/// about a full one (its fixed cost dominates): the limit then stays; only a slow one moves it.
public struct BatchSizer: Sendable, Equatable {
    /// Seconds from enqueue to published that a name should not exceed.
    public let latencyGoal: Double
    public let minimum: Int
    public let maximum: Int
    /// The next batch's size.
    public private(set) var limit: Int

    public init(latencyGoal: Double = 2, initial: Int = 1_000, minimum: Int = 16, maximum: Int = 100_000) {
        self.latencyGoal = latencyGoal; self.minimum = max(1, minimum); self.maximum = max(self.minimum, maximum)
        limit = Swift.min(Swift.max(initial, self.minimum), self.maximum)
    }

    /// Learns from a batch of `entries` names that took `seconds`.
    public mutating func record(entries: Int, seconds: Double) {
        guard entries > 0, seconds > 0, seconds.isFinite else { return }
        if entries < limit, seconds <= latencyGoal / 2 { return }
        let fitting = Double(entries) * (latencyGoal / 2) / seconds
        limit = Swift.min(Swift.max(Int(Swift.min(fitting, Double(maximum))), minimum), maximum)
    }
}
