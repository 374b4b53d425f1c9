import TUFMetadata

/// The expiry of a bin-n role signed at a given time, spread over the day so that each cron
/// cycle re-signs an even share of the bins instead of all of them at once. Pure: a function
/// of the bin number, the signing time and the policy (PublicationPlannerTests).
///
/// Bin n of N owns the slot `n * P / N` in a cycle of period P = expiry - refresh window; it
/// expires at the latest time on its slot (mod P) not after `signed + expiry`. That time is
/// more than a refresh window away, so a bin is never due the moment it is signed; it falls
/// due (within the refresh window of its expiry) at the first cron cycle after
/// `expiry - window`, and re-signed then it lands on the same slot one period later. So every
/// bin is re-signed once per period, the slots are evenly spread, and each cycle of C minutes
/// re-signs about N * C / P of the bins. A bin never lapses while cron runs more often than
/// the refresh window, and its expiry is never more than the policy's expiry after signing
/// (PEP 458: a day). A repository signed before staggering converges in one refresh: every
/// bin re-signed, for a change or because it is due, goes to its slot.
enum BinStagger {
    static func expiry(bin n: Int, of count: Int, signedAt signed: Expiry, policy: RepositoryPolicy) -> Expiry {
        let e = policy.expiry(of: .binN), w = policy.refreshWindow(of: .binN)
        let period = e - w
        let latest = signed.adding(seconds: e)
        guard policy.staggerBins, period > 0, count > 0, n >= 0, n < count else { return latest }
        let slot = Int64(n) * period / Int64(count)
        let top = latest.secondsSinceEpoch
        let past = ((top - slot) % period + period) % period
        return Expiry(secondsSinceEpoch: top - past)
    }
}
