import TUFMetadata

extension PublicationPlanner {
    /// What the planner decided.
    enum Decision {
        /// The plan to sign and write.
        case publish(PublicationPlan)
        /// The staged root cannot go out with the keys given without breaking clients for a
        /// moment: plan again under the published root (`holding:`), which keeps the reason.
        case holdRoot(HeldRoot)

        var plan: PublicationPlan? { if case .publish(let p) = self { p } else { nil } }
    }

    /// The whole plan. Snapshot is re-signed when any role it lists changes, when it does not
    /// verify under the root the plan goes out under, or (refresh) when it expires within its
    /// window; timestamp likewise, and whenever the snapshot is. Before deciding, every role
    /// to sign is checked to be signable by the given keys (`.missingKey` otherwise), and a
    /// new root is placed where every client keeps verifying, or held back.
    func plan(bins entries: [String: BinStates.Entry], complete: Bool = true, desired: DesiredTargets,
              contents: [String: [String: TargetFile]], checked: ((Int, Int) -> Void)? = nil) throws(RepositoryError) -> Decision {
        let bins = try binsToSign(bins: entries, complete: complete, desired: desired, contents: contents, checked: checked)
        let snapshot = plannedSnapshot(bins)
        let timestamp = try plannedTimestamp(snapshot)
        do { try requireSignable(bins, snapshot, timestamp) } catch {
            guard let holding else { throw error }
            throw RepositoryError(.missingKey, "\(holding.reason); and under the published root, \(error.message)")
        }
        var placement: RootPlacement?
        if let newRoot = roles.newRoot {
            switch try rootPlacement(newRoot.signed, snapshot, timestamp) {
            case .success(let p): placement = p
            case .failure(let held): return .holdRoot(held)
            }
        }
        var binEntries: [String: BinStates.Entry] = [:]
        for b in bins {
            binEntries[b.name] = .init(version: b.version, expires: b.expires.secondsSinceEpoch, digest: b.digest, fingerprint: fingerprintOfBin[b.name]!)
        }
        return .publish(PublicationPlan(roles: roles, bins: bins, snapshot: snapshot, timestamp: timestamp, stagedToRemove: stagedToRemove(),
                                        rootPlacement: placement, heldRoot: holding?.reason, binEntries: binEntries,
                                        snapshotVersion: snapshot?.payload.version ?? published.snapshot?.signed.version ?? 0))
    }

    private func online(_ type: RoleType) -> (RoleKeys, RoleKeys?) {
        (RoleKeys(root: roles.root.signed, type), roles.previousRoot.map { RoleKeys(root: $0, type) })
    }

    private func due<P: SignedPayload>(_ l: LoadedMetadata<P>?, _ keys: RoleKeys, _ role: RepositoryRole) -> Bool {
        guard let l else { return true }
        if !l.verification(under: keys).isVerified { return true }
        return mode == .refresh && l.signed.expires.isDue(now: now, window: policy.refreshWindow(of: role))
    }

    private func plannedSnapshot(_ bins: [PublicationPlan.Bin]) -> PublicationPlan.Online<Snapshot>? {
        let (keys, previousKeys) = online(.snapshot)
        guard !bins.isEmpty || roles.newTargets != nil || roles.newBins != nil || due(published.snapshot, keys, .snapshot) else { return nil }
        var meta = published.snapshot?.signed.meta ?? [:]
        meta["targets.json"] = MetaFile(version: roles.targets.signed.version)
        meta["bins.json"] = MetaFile(version: roles.bins.signed.version)
        for b in bins { meta[b.name + ".json"] = MetaFile(version: b.version) }
        // After a rebin the old layout's bins stay listed at their last versions, no longer
        // delegated: a client refuses a snapshot that drops a role its trusted one lists (5.5.5).
        let version = (published.snapshot?.signed.version ?? 0) + 1
        return .init(payload: Snapshot(common: SignedCommon(version: version, expires: now.adding(seconds: policy.expiry(of: .snapshot))), meta: meta),
                     keys: keys, previousKeys: previousKeys)
    }

    private func plannedTimestamp(_ snapshot: PublicationPlan.Online<Snapshot>?) throws(RepositoryError) -> PublicationPlan.Online<Timestamp>? {
        let (keys, previousKeys) = online(.timestamp)
        guard snapshot != nil || due(published.timestamp, keys, .timestamp) else { return nil }
        guard let snapshotVersion = snapshot?.payload.version ?? published.snapshot?.signed.version else {
            throw RepositoryError(.notInitialized, "nothing is published yet and no snapshot is planned")
        }
        let version = (published.timestamp?.signed.version ?? 0) + 1
        return .init(payload: Timestamp(common: SignedCommon(version: version, expires: now.adding(seconds: policy.expiry(of: .timestamp))),
                                        snapshotMeta: MetaFile(version: snapshotVersion)),
                     keys: keys, previousKeys: previousKeys)
    }

    /// A staged file goes once it is published, or once what is published is as new.
    private func stagedToRemove() -> [RepositoryRole] {
        var out: [RepositoryRole] = []
        if roles.newRoot != nil || (staged.root.map { $0.signed.version <= roles.root.signed.version } ?? false) { out.append(.root) }
        if roles.newTargets != nil || (staged.targets.map { $0.signed.version <= roles.targets.signed.version } ?? false) { out.append(.targets) }
        if roles.newBins != nil || (staged.bins.map { $0.signed.version <= roles.bins.signed.version } ?? false) { out.append(.bins) }
        return out
    }
}
