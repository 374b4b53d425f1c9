import TUFMetadata

extension PublicationPlan {
    /// The plan's steps over its signed files, in the order it decided (TUF's: what only a
    /// newer snapshot reaches first): the bins with the new bins and targets roles, the
    /// snapshot, the root when it goes first, the plain-name journal and the state, the
    /// timestamp, the root when it goes last, the staged files, the plain names. Without a
    /// timestamp the state is saved after the last metadata; a plan that publishes nothing
    /// only relinks the plain names and then saves the state. `plainNames` nil: no page was
    /// read (commands other than generate), so there is no plain-name step.
    func steps(_ signed: SignedPublication, state: StateUpdate?, plainNames: [PlainPage]?) -> [PlanStep] {
        let saveState = state.map(PlanStep.saveState)
        guard !isEmpty else { return [plainNames.map(PlanStep.plainNames), saveState].compactMap { $0 } }
        var first = signed.bins
        if let b = roles.newBins { first.append((RepositoryLayout.metadata(role: "bins", version: b.signed.version), b.bytes)) }
        if let t = roles.newTargets { first.append((RepositoryLayout.metadata(role: "targets", version: t.signed.version), t.bytes)) }
        var out: [PlanStep] = [.write(WriteBatch(step: .delegatedRoles, files: first))]
        if let s = signed.snapshot {
            out.append(.write(WriteBatch(step: .snapshot, files: [(RepositoryLayout.metadata(role: "snapshot", version: s.signed.version), s.bytes)])))
        }
        let root = roles.newRoot.map { r in
            PlanStep.write(WriteBatch(step: .root, files: [(RepositoryLayout.metadata(role: "root", version: r.signed.version), r.bytes),
                                                           (RepositoryLayout.rootFile, r.bytes)]))
        }
        if rootPlacement == .beforeTimestamp, let root { out.append(root) }
        if let t = signed.timestamp {
            if signed.snapshot != nil, let pages = plainNames, !pages.isEmpty {
                out.append(.journal(PlainNameJournal(snapshotVersion: snapshotVersion, pages: pages.map { ($0.path, $0.sha256) })))
            }
            if let saveState { out.append(saveState) }
            out.append(.write(WriteBatch(step: .timestamp, files: [(RepositoryLayout.timestampFile, t.bytes)])))
        }
        if rootPlacement == .afterTimestamp, let root { out.append(root) }
        if signed.timestamp == nil, let saveState { out.append(saveState) }
        if !stagedToRemove.isEmpty { out.append(.removeStaged(stagedToRemove)) }
        if let plainNames { out.append(.plainNames(plainNames)) }
        return out
    }
}
