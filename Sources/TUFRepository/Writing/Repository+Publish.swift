import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// What a publication wrote.
public struct PublishResult: Sendable, Equatable {
    /// Metadata files written under `metadata/`, in the order they were written.
    public var written: [String] = []
    /// Number of bin-n roles signed.
    public var binsSigned = 0
    /// Why a fully signed staged root was held back (publishing it would break clients), if it was.
    public var heldRoot: String?
    /// Queued names dropped because they are neither listed nor published.
    public var skipped: [String] = []
    /// What the retention sweep at the end of the run removed, and why it failed if it did
    /// (the publication stands either way).
    public var pruned: PruneReport?
    public var pruneFailure: String?
    /// True when anything was published.
    public var published: Bool { !written.isEmpty }
}

extension Repository {
    /// Brings the published repository up to date, under the lock: reads what is published and
    /// staged, lets `PublicationPlanner` decide everything (which roles, where a new root
    /// goes or that it waits, what the state store gets) before any key is used, signs the
    /// plan once, checks the signed chain as clients will (`PublicationSelfCheck`), and
    /// carries out the plan's steps through the store.
    func publish(_ request: PublicationRequest, signers: [SignerEntry]) throws(RepositoryError) -> PublishResult {
        let policy = try policy(), published = try loadPublished(), staged = try loadStaged()
        let keyIDs = Set(signers.map(\.keyID))
        var (decision, bins) = try plan(request, policy: policy, published: published, staged: staged, signers: keyIDs, holding: nil)
        if case .holdRoot(let held) = decision {
            // The rest of the publication (cron's index changes) goes ahead under the published root.
            (decision, bins) = try plan(request, policy: policy, published: published, staged: staged, signers: keyIDs, holding: held)
        }
        // Under the published root no new root goes out, so nothing is held back twice.
        guard let plan = decision.plan else { throw RepositoryError(.verificationFailed, "the planner held back a root it did not publish") }
        var signed = SignedPublication.none
        if !plan.isEmpty {
            signed = try sign(plan, signers: signers, publishedSnapshot: published.snapshot)
            do { try PublicationSelfCheck.verify(plan, signed, published: published, at: request.now) } catch {
                throw RepositoryError(.verificationFailed, "the new metadata would not verify: \(error.message)")
            }
        }
        let state = request.state.map { _ in
            StateUpdate(bins: bins.rebuilt.merging(plan.binEntries) { $1 }, pages: request.pageChanges,
                        header: request.header.map { var h = $0; h.snapshotVersion = plan.snapshotVersion; return h })
        }
        let written = try carryOut(plan.steps(signed, state: state, plainNames: request.plainNames), state: request.state,
                                  writer: publicationWriter(publishedSnapshot: published.snapshot?.signed))
        return PublishResult(written: written, binsSigned: signed.bins.count, heldRoot: plan.heldRoot)
    }

    /// Reads what the planner needs (the bin states, the published, verified targets of the
    /// bins it asks for) and returns its decision. A bin read for its targets must match its
    /// stored digest: a store that disagrees with the signed bins is damaged (`.damagedState`:
    /// the caller rebuilds it).
    private func plan(_ request: PublicationRequest, policy: RepositoryPolicy, published: PublishedChain, staged: StagedRoles,
                      signers: Set<String>, holding: HeldRoot?) throws(RepositoryError) -> (PublicationPlanner.Decision, BinStates) {
        var planner = try PublicationPlanner(policy: policy, published: published, staged: staged, now: request.now, mode: request.mode,
                                             signers: signers, holding: holding)
        planner.versionFloor = request.versionFloor
        let desired = request.desired
        var only: [String]?
        if request.partialBins, let state = request.state, case .changes(let changes) = desired {
            only = try dueBins(state, planner: planner, now: request.now).map { $0 + changes.keys.map(policy.bins.name(ofBin:)) }
        }
        let bins = try loadBinStates(request.state, snapshot: published.snapshot?.signed, binNames: policy.bins.names, only: only,
                                     keysOf: { planner.keysOfBin[$0] })
        var contents: [String: [String: TargetFile]] = [:]
        let needed = planner.contentNeeded(bins: bins.entries, complete: bins.complete, desired: desired)
        // Planning under the published bins role, the planner's table of bin keys is that role's.
        let verified = try verifiedPublishedBins(needed, published: published, policy: policy, now: request.now,
                                                 publishedKeys: planner.roles.newBins == nil ? planner.keysOfBin : nil)
        for name in needed {
            let entry = bins.entries[name]!
            let targets = verified[name]!.signed.targets
            if bins.rebuilt[name] == nil, BinStates.digest(targets) != entry.digest {
                throw RepositoryError(.damagedState, "the state store's digest of \(name) version \(entry.version) does not match the published bin")
            }
            contents[name] = targets
        }
        let decision = try planner.plan(bins: bins.entries, complete: bins.complete, desired: desired, contents: contents,
                                        checked: progress.map { p in { p.update("bins checked", done: $0, total: $1) } })
        progress?.finish()
        return (decision, bins)
    }

    /// The bins an upload must re-sign whatever its content (expiring within the window, or
    /// signed for other keys), from the store's expiry index; nil when the bins do not share
    /// one key set (then every bin is looked at).
    private func dueBins(_ state: StateStore, planner: PublicationPlanner, now: Expiry) throws(RepositoryError) -> [String]? {
        let fingerprints = Set(planner.fingerprintOfBin.values)
        guard fingerprints.count == 1, let fingerprint = fingerprints.first, try state.binCount() == planner.policy.binCount else { return nil }
        let limit = now.secondsSinceEpoch + planner.policy.refreshWindow(of: .binN)
        return try state.binsDue(expiringBy: limit, unless: fingerprint)
    }
}
