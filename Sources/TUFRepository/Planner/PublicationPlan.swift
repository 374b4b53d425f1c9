import TUFMetadata

/// What one publication will sign and write, decided by `PublicationPlanner` before any key is
/// used or any file is touched: the roles to sign, where a new root goes, what the state store
/// gets. `steps(_:)` then lays the signed files out in that order; nothing is decided later.
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
    /// Where the new root goes; nil when the plan publishes none.
    var rootPlacement: RootPlacement?
    /// Why a fully signed staged root is held back (publishing it would break clients), if it is.
    var heldRoot: String?
    /// The state of every bin this plan signs, for the state store.
    var binEntries: [String: BinStates.Entry] = [:]
    /// The snapshot version published once the plan is carried out.
    var snapshotVersion: Int64

    /// True when the plan publishes nothing.
    var isEmpty: Bool { roles.newRoot == nil && timestamp == nil }
}

/// The signed files of a plan, ready to be laid out in its steps and written.
struct SignedPublication {
    var bins: [(path: String, bytes: [UInt8])]
    var snapshot: LoadedMetadata<Snapshot>?
    var timestamp: LoadedMetadata<Timestamp>?

    /// Nothing signed (a plan that publishes nothing).
    static let none = SignedPublication(bins: [], snapshot: nil, timestamp: nil)
}
