import Testing
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// Staggered bin-n expiry (`BinStagger`), on the pure function and through the planner: every
/// expiry is at most the policy's bin-n expiry after signing and more than a refresh window
/// away; a day of cron cycles re-signs an even share each cycle, no bin ever lapses, and a
/// repository whose bins all expire together converges onto the slots in one refresh.
@Suite struct BinStaggerTests {
    static let day: Int64 = 86_400

    /// A policy of `bins` bins (1d bin-n expiry, 6h refresh window by default).
    func policy(bins: Int, window: Int64? = nil, stagger: Bool = true) throws -> RepositoryPolicy {
        try RepositoryPolicy(binCount: bins, refreshWindow: window.map { [.binN: $0] } ?? [:], staggerBins: stagger)
    }

    @Test(arguments: [16, 256, 16_384])
    func everyExpiryIsWithinTheLimitAndBeyondTheRefreshWindow(bins: Int) throws {
        let p = try policy(bins: bins)
        let w = p.refreshWindow(of: .binN)
        for t in stride(from: Fixture.now.secondsSinceEpoch, to: Fixture.now.secondsSinceEpoch + 2 * Self.day, by: 4_567) {
            for n in stride(from: 0, to: bins, by: max(1, bins / 64)) {
                let e = BinStagger.expiry(bin: n, of: bins, signedAt: Expiry(secondsSinceEpoch: t), policy: p).secondsSinceEpoch
                #expect(e <= t + Self.day && e - t > w, "bin \(n) signed at \(t) expires at \(e)")
                #expect(e == BinStagger.expiry(bin: n, of: bins, signedAt: Expiry(secondsSinceEpoch: t), policy: p).secondsSinceEpoch)
            }
        }
    }

    @Test func withoutStaggeringABinExpiresAFullDayAfterSigning() throws {
        let p = try policy(bins: 16, stagger: false)
        #expect(BinStagger.expiry(bin: 5, of: 16, signedAt: Fixture.now, policy: p) == Fixture.now.adding(seconds: Self.day))
    }

    /// Cron every `cycle` seconds for two days from `expiries` (bin → expiry): re-signs the
    /// due bins each cycle as the planner does; returns the count per cycle, failing on a lapse.
    func simulate(_ p: RepositoryPolicy, expiries start: [Int64], from t0: Int64, cycle: Int64, days: Int64 = 2) -> [Int] {
        var expiries = start
        var counts: [Int] = []
        let w = p.refreshWindow(of: .binN)
        var now = t0
        while now < t0 + days * Self.day {
            defer { now += cycle }
            var n = 0
            for b in expiries.indices {
                #expect(expiries[b] > now, "bin \(b) lapsed at \(now)")
                if expiries[b] - now <= w {
                    expiries[b] = BinStagger.expiry(bin: b, of: expiries.count, signedAt: Expiry(secondsSinceEpoch: now), policy: p).secondsSinceEpoch
                    n += 1
                }
            }
            counts.append(n)
        }
        return counts
    }

    @Test(arguments: [(16_384, Int64(300)), (1024, Int64(600)), (16_384, Int64(3600))])
    func aDayOfCronCyclesReSignsAnEvenShareEachCycle(bins: Int, cycle: Int64) throws {
        let p = try policy(bins: bins)
        let t0 = Fixture.now.secondsSinceEpoch
        // A full generate: every bin signed at t0.
        let start = (0..<bins).map { BinStagger.expiry(bin: $0, of: bins, signedAt: Fixture.now, policy: p).secondsSinceEpoch }
        let counts = simulate(p, expiries: start, from: t0 + cycle, cycle: cycle)
        let period = Self.day - p.refreshWindow(of: .binN)
        let share = Double(bins) * Double(cycle) / Double(period)
        for (i, c) in counts.enumerated() {
            #expect(abs(Double(c) - share) <= 2, "cycle \(i): \(c) bins re-signed, an even share is \(share)")
        }
        // Every bin once per period.
        #expect(counts.reduce(0, +) >= bins * 2)
    }

    @Test func binsThatAllExpireTogetherConvergeInOneRefresh() throws {
        let bins = 4096, cycle: Int64 = 300
        let p = try policy(bins: bins)
        let t0 = Fixture.now.secondsSinceEpoch
        // Signed before staggering: every bin expires a day after t0.
        let counts = simulate(p, expiries: Array(repeating: t0 + Self.day, count: bins), from: t0 + cycle, cycle: cycle)
        let first = counts.firstIndex { $0 > 0 }!
        #expect(counts[first] == bins)
        let share = Double(bins) * Double(cycle) / Double(Self.day - p.refreshWindow(of: .binN))
        for c in counts[(first + 1)...] { #expect(abs(Double(c) - share) <= 2, "\(counts)") }
    }

    @Test func thePlannerSignsBinsOnTheirSlots() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir, bins: 16, stagger: true)
        let p = try repo.policy()
        let published = try repo.loadPublished()
        let snapshot = published.snapshot!.signed
        for n in 0..<16 {
            let name = p.bins.name(ofBin: n)
            let bin = try repo.require(Targets.self, RepositoryLayout.metadata(role: name, version: snapshot.meta(forRole: name)!.version))
            #expect(bin.signed.expires == BinStagger.expiry(bin: n, of: 16, signedAt: Fixture.now, policy: p))
        }
    }
}
