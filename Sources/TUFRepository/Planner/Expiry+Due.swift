import TUFMetadata

extension Expiry {
    /// True when this expiry falls within `window` seconds of `now` (or has passed): the
    /// role is due for re-signing.
    func isDue(now: Expiry, window: Int64) -> Bool {
        secondsSinceEpoch - now.secondsSinceEpoch <= window
    }
}
