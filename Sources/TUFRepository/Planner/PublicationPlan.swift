import TUFMetadata

/// What one publication will sign and write, decided by `PublicationPlanner` before any key is
/// used or any file is touched.
struct PublicationPlan {
    /// A bin-n role to re-sign.
    struct Bin {
        var name: String
        var version: Int64
        var expires: Expiry
        var targets: [String: TargetFile]
        var digest: String
        var keys: RoleKeys
    }

    /// A top-level online role to sign: the keys of the root it goes out under and, during a
    /// root rotation, the keys of the root before it.
    struct Online<P: SignedPayload> {
        var payload: P
        var keys: RoleKeys
        var previousKeys: RoleKeys?
    }

    var roles: RoleChoice
    var bins: [Bin]
    var snapshot: Online<Snapshot>?
    /// The timestamp, whose `snapshotMeta` is filled in once the snapshot is signed.
    var timestamp: Online<Timestamp>?
    /// The staged roles whose files are published or stale after this plan.
    var stagedToRemove: [RepositoryRole]

    /// True when the plan publishes nothing.
    var isEmpty: Bool { roles.newRoot == nil && timestamp == nil }
}

/// The signed files of a plan, ready to be ordered and written.
struct SignedPublication {
    var bins: [(path: String, bytes: [UInt8])]
    var binEntries: [String: BinStates.Entry]
    var snapshot: Repository.Loaded<Snapshot>?
    var timestamp: Repository.Loaded<Timestamp>?
}
