/// Limits and choices of an `Updater`, with python-tuf's defaults where it has them.
public struct UpdaterConfig: Sendable {
    /// Most root versions fetched in one refresh.
    public var maxRootRotations = 256
    /// Most roles consulted in one delegation search.
    public var maxDelegations = DelegationSearch.defaultMaxRolesVisited
    /// Byte limits of metadata downloads (the endless data attack); snapshot and targets
    /// limits apply when the trusted metadata does not list a length.
    public var rootMaxLength = 512_000
    public var timestampMaxLength = 16_384
    public var snapshotMaxLength = 8_000_000
    public var targetsMaxLength = 8_000_000
    /// Largest target accepted: a signed length above it is refused before any download, so
    /// no listed length (up to Int64.max) reaches a fetcher's arithmetic.
    public var targetMaxLength = 1 << 40
    /// With consistent snapshots, fetch targets as `dir/<sha256>.name` (5.7.3). Turn off for
    /// file hosts that serve files under their plain names (PyPI's).
    public var prefixTargetsWithHash = true

    public init() {}
}
