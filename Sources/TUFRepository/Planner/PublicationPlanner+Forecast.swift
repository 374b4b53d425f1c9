import TUFMetadata

extension PublicationPlanner {
    /// Throws `.missingKey`, before any key is used, when the given keys cannot sign a role of
    /// the plan to its threshold: the bins in order (each key set looked at once), then
    /// snapshot, then timestamp, as signing would find it.
    func requireSignable(_ bins: [PublicationPlan.Bin], _ snapshot: PublicationPlan.Online<Snapshot>?,
                         _ timestamp: PublicationPlan.Online<Timestamp>?) throws(RepositoryError) {
        var signable: [RoleKeys] = []
        for bin in bins where !signable.contains(bin.keys) {
            try forecast.requireSignable(bin.name, bin.keys)
            signable.append(bin.keys)
        }
        if let snapshot { try forecast.requireSignable("snapshot", snapshot.keys) }
        if let timestamp { try forecast.requireSignable("timestamp", timestamp.keys) }
    }

    /// Where the new root goes (`RootPlacement.choose`), from the signatures the published
    /// roles have and those the plan will make: the chain once written must verify under the
    /// new root (`.verificationFailed` otherwise), and one of the states between the root and
    /// the timestamp writes must verify for every client, or the root is held back.
    func rootPlacement(_ newRoot: Root, _ snapshot: PublicationPlan.Online<Snapshot>?,
                       _ timestamp: PublicationPlan.Online<Timestamp>?) throws(RepositoryError) -> Result<RootPlacement, HeldRoot> {
        func role<P>(_ planned: PublicationPlan.Online<P>?, _ published: LoadedMetadata<P>?) -> ForecastRole<P>? {
            if let planned {
                return .planned(version: planned.payload.version, signedBy: forecast.signatures(planned.keys, also: planned.previousKeys))
            }
            return published.map { .loaded($0) }
        }
        guard let t = role(timestamp, published.timestamp), let s = role(snapshot, published.snapshot) else {
            throw RepositoryError(.notInitialized, "nothing is published yet and no timestamp was signed")
        }
        let after = ChainForecast(timestamp: t, snapshot: s, targets: roles.targets, bins: roles.bins)
        if let fault = after.fault(under: newRoot) {
            throw RepositoryError(.verificationFailed, "the new metadata would not verify: \(fault)")
        }
        var before: ChainForecast?
        if let pt = published.timestamp, let ps = published.snapshot, let targets = published.targets, let bins = published.bins {
            before = ChainForecast(timestamp: .loaded(pt), snapshot: .loaded(ps), targets: targets, bins: bins)
        }
        return RootPlacement.choose(oldRoot: published.root?.signed, newRoot: newRoot, before: before, after: after)
    }
}
