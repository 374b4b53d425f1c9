import Testing
@testable import TUFRepository

/// `publish --follow` sizes its batches from the last one's duration (issue 19: each name
/// published within 2 s of its enqueue).
struct BatchSizerTests {
    @Test(arguments: [
        // (last batch entries, seconds, limit before, expected limit after)
        (1_000, 2.0, 1_000, 500),     // too slow for the 1 s half-goal: halve
        (1_000, 0.5, 1_000, 2_000),   // fast: twice as many fit
        (1_000, 1.0, 1_000, 1_000),   // on target
        (10, 0.001, 1_000, 1_000),    // a small fast batch: no evidence either way
        (10, 5.0, 1_000, 16),         // a small slow batch: down, to the minimum
        (100_000, 0.01, 100_000, 100_000), // never above the maximum
    ])
    func theNextBatchFitsHalfTheLatencyGoal(entries: Int, seconds: Double, before: Int, expected: Int) {
        var s = BatchSizer(initial: before)
        s.record(entries: entries, seconds: seconds)
        #expect(s.limit == expected)
    }

    @Test func meaninglessDurationsChangeNothing() {
        var s = BatchSizer(initial: 300)
        for (n, t) in [(0, 1.0), (10, 0.0), (10, -1.0), (10, Double.nan), (10, Double.infinity)] { s.record(entries: n, seconds: t) }
        #expect(s.limit == 300)
    }

    @Test func aSteadyRateSettlesOnItsBatch() {
        // A batch costs 0.2 s + 1 ms per name: the sizer settles where a batch takes about 1 s.
        var s = BatchSizer(initial: 50)
        for _ in 0..<20 { s.record(entries: s.limit, seconds: 0.2 + 0.001 * Double(s.limit)) }
        let t = 0.2 + 0.001 * Double(s.limit)
        #expect(t > 0.8 && t < 1.2, "settled at \(s.limit) names, \(t) s a batch")
    }
}
