import TUFMetadata

/// A role of a chain as the planner sees it before signing: metadata on disk whose
/// signatures are known, or one the plan will sign with the given keys.
enum ForecastRole<P: SignedPayload> {
    case loaded(LoadedMetadata<P>)
    case planned(version: Int64, signedBy: Set<String>)

    /// The role's version and how many distinct keys of `keys` sign it.
    func signers(under keys: RoleKeys) -> (version: Int64, count: Int, verb: String) {
        switch self {
        case .loaded(let l): (l.signed.version, l.verification(under: keys).signedBy.count, "is")
        case .planned(let version, let ids): (version, SigningForecast.provided(keys, by: ids), "would be")
        }
    }
}

/// The top of a repository as a client would see it at one point of a publication (spec
/// 5.4–5.6): timestamp, snapshot, targets and bins under some root. Only the signatures are
/// forecast: how each role lists the next (versions, lengths, hashes) does not depend on the
/// root, and the self-check (`PublicationSelfCheck`) verifies all of it once signed.
struct ChainForecast {
    var timestamp: ForecastRole<Timestamp>
    var snapshot: ForecastRole<Snapshot>
    var targets: LoadedMetadata<Targets>
    var bins: LoadedMetadata<Targets>

    /// The first role whose signatures would not meet its threshold under `root`, or nil.
    func fault(under root: Root) -> String? {
        func check(_ name: String, _ role: ForecastRole<some SignedPayload>, _ keys: RoleKeys?) -> String? {
            guard let keys else { return "\(name) is not delegated" }
            let s = role.signers(under: keys)
            return s.count >= keys.threshold ? nil : "\(name) version \(s.version) \(s.verb) signed by \(s.count) of the \(keys.threshold) keys required"
        }
        // 5.4.2, 5.5.3, 5.6.3: each role signed by a threshold of its delegator's keys.
        return check("timestamp", timestamp, RoleKeys(root: root, .timestamp))
            ?? check("snapshot", snapshot, RoleKeys(root: root, .snapshot))
            ?? check("targets", .loaded(targets), RoleKeys(root: root, .targets))
            ?? check("bins", .loaded(bins), RoleKeys(delegator: targets.signed, "bins"))
    }
}

/// Where a new root goes among a publication's writes.
enum RootPlacement: Equatable {
    /// After the timestamp: clients holding the old root accept the new timestamp first.
    case afterTimestamp
    /// Before the timestamp: the new root already accepts the published timestamp.
    case beforeTimestamp

    /// The placement that keeps every state between two renames verifiable by a client (one
    /// that holds the old root, and a fresh one that walks to the newest root present), or
    /// why none does (then the root is held back). `before` is what is published; `after`
    /// what will be, which the caller has checked under the new root.
    static func choose(oldRoot: Root?, newRoot: Root, before: ChainForecast?, after: ChainForecast) -> Result<RootPlacement, HeldRoot> {
        guard let oldRoot, let before else { return .success(.beforeTimestamp) }
        guard let earlyFault = after.fault(under: oldRoot) else { return .success(.afterTimestamp) }
        guard let lateFault = before.fault(under: newRoot) else { return .success(.beforeTimestamp) }
        return .failure(HeldRoot(reason: """
            root version \(newRoot.version) cannot be published without breaking clients for a moment: \
            published before the timestamp, \(lateFault) under the new root; after it, \(earlyFault) under \
            root version \(oldRoot.version). Sign the new roles with the old keys too (pass them with --key; \
            for targets, tuf-repo sign targets with an old targets key)
            """))
    }
}

/// Why a fully signed staged root waits: no order of writes keeps every client working.
struct HeldRoot: Error, Equatable {
    var reason: String
}
