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
    /// What drives re-signing: `generate` refreshes whatever changed or expires soon; `sign`
    /// only publishes staged roles and re-signs what their new keys require.
    enum PublishMode { case refresh, stagedOnly }

    /// The targets the bins should hold.
    enum DesiredTargets {
        /// Keep what the bins hold (staged roles only).
        case published
        /// Every bin's targets, by bin number.
        case all([[String: TargetFile]])
        /// Changes to some bins, by bin number, on top of the published bins (which must be
        /// those the changes were computed against); the other bins keep what they hold.
        case changes([Int: BinChange])
    }

    /// Brings the published repository up to date, under the lock: reads what is published and
    /// staged, lets `PublicationPlanner` decide, signs the plan, and writes it in the order
    /// `PublicationOrder` gives. Every signature is made and checked before the first write.
    /// `plainNames` are the pages whose plain names the caller relinks after the timestamp,
    /// journaled before it (`PlainNameJournal`). The bin states go to `state` (in the
    /// caller's open transaction); `beforeTimestamp` then saves the caller's own state (and
    /// commits) just before the timestamp. `partialBins` (an upload) loads only the states of
    /// the bins `desired` changes and those due for re-signing, from `state`. A new bin starts
    /// above `versionFloor` (rebin).
    func publish(signers: [SignerEntry], desired: DesiredTargets, mode: PublishMode, now: Expiry, state: StateStore?,
                 partialBins: Bool = false, plainNames: [(path: String, sha256: String)] = [], holdStagedRoot: Bool = false,
                 versionFloor: [String: Int64] = [:],
                 beforeTimestamp: (_ snapshotVersion: Int64) throws(RepositoryError) -> Void = { _ in }) throws(RepositoryError) -> PublishResult {
        let (plan, published, bins) = try planPublication(desired: desired, mode: mode, now: now, state: state, partialBins: partialBins,
                                                          holdStagedRoot: holdStagedRoot, versionFloor: versionFloor)
        guard !plan.isEmpty else {
            // Bin states rebuilt from the bin files are kept, so the next idle run is cheap.
            try state?.setBins(bins.rebuilt)
            return PublishResult()
        }
        let signed = try sign(plan, signers: signers, publishedSnapshot: published.snapshot)
        switch PublicationOrder.batches(plan, signed, published: published) {
        case .success(let batches):
            return try apply(batches, plan, signed, published: published, bins: bins, state: state, plainNames: plainNames,
                             beforeTimestamp: beforeTimestamp)
        case .failure(let error):
            guard plan.roles.newRoot != nil, error.code == .missingKey else { throw error }
            // The rest of the publication (cron's index changes) goes ahead under the old root.
            do {
                var held = try publish(signers: signers, desired: desired, mode: mode, now: now, state: state, partialBins: partialBins,
                                       plainNames: plainNames, holdStagedRoot: true, versionFloor: versionFloor, beforeTimestamp: beforeTimestamp)
                held.heldRoot = error.message
                return held
            } catch let under where under.code == .missingKey {
                throw RepositoryError(.missingKey, "\(error.message); and under the published root, \(under.message)")
            }
        }
    }

    /// Reads what the planner needs (published and staged metadata, the bin states, the
    /// published, verified targets of the bins it asks for) and returns its plan. A bin read for its
    /// targets must match its stored digest: a store that disagrees with the signed bins is
    /// damaged (`.damagedState`: the caller rebuilds it).
    private func planPublication(desired: DesiredTargets, mode: PublishMode, now: Expiry, state: StateStore?, partialBins: Bool,
                                 holdStagedRoot: Bool, versionFloor: [String: Int64]) throws(RepositoryError) -> (PublicationPlan, Published, BinStates) {
        let policy = try policy()
        let published = try loadPublished()
        var planner = try PublicationPlanner(policy: policy, published: published, staged: try loadStaged(), now: now, mode: mode,
                                             holdStagedRoot: holdStagedRoot)
        planner.versionFloor = versionFloor
        var only: [String]?
        if partialBins, let state, case .changes(let changes) = desired {
            only = try dueBins(state, planner: planner, now: now).map { $0 + changes.keys.map(policy.bins.name(ofBin:)) }
        }
        let bins = try loadBinStates(state, snapshot: published.snapshot?.signed, binNames: policy.bins.names, only: only,
                                     keysOf: { planner.keysOfBin[$0] })
        var contents: [String: [String: TargetFile]] = [:]
        let needed = planner.contentNeeded(bins: bins.entries, complete: bins.complete, desired: desired)
        let verified = try verifiedPublishedBins(needed, published: published, policy: policy)
        for name in needed {
            let entry = bins.entries[name]!
            let targets = verified[name]!.signed.targets
            if bins.rebuilt[name] == nil, BinStates.digest(targets) != entry.digest {
                throw RepositoryError(.damagedState, "the state store's digest of \(name) version \(entry.version) does not match the published bin")
            }
            contents[name] = targets
        }
        let plan = try planner.plan(bins: bins.entries, complete: bins.complete, desired: desired, contents: contents,
                                    checked: progress.map { p in { p.update("bins checked", done: $0, total: $1) } })
        progress?.finish()
        return (plan, published, bins)
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

    /// Writes a signed plan, the journal and the state just before the timestamp (the state is
    /// checked against the published snapshot when read, so one that ran ahead of a failed
    /// publication is just rebuilt; a full disk fails there, before anything is published),
    /// then removes the staged files that are now published (or stale).
    private func apply(_ batches: [WriteBatch], _ plan: PublicationPlan, _ signed: SignedPublication, published: Published,
                       bins: BinStates, state: StateStore?, plainNames: [(path: String, sha256: String)],
                       beforeTimestamp: (Int64) throws(RepositoryError) -> Void) throws(RepositoryError) -> PublishResult {
        var entries = bins.rebuilt
        for (k, v) in signed.binEntries { entries[k] = v }
        var result = PublishResult(binsSigned: signed.bins.count)
        var saved = false
        try write(batches, result: &result) { () throws(RepositoryError) in
            let version = signed.snapshot?.signed.version ?? published.snapshot?.signed.version ?? 0
            if signed.snapshot != nil { try writePlainNameJournal(PlainNameJournal(snapshotVersion: version, pages: plainNames)) }
            try state?.setBins(entries)
            try beforeTimestamp(version)
            saved = true
        }
        if !saved {
            try state?.setBins(entries)
            try beforeTimestamp(published.snapshot?.signed.version ?? 0)
        }
        for role in plan.stagedToRemove { try FileIO.remove(path + "/" + Self.stagedPath(role)) }
        return result
    }

    /// Writes the batches in order, `beforeTimestamp` just before the timestamp. Should a write
    /// fail before the timestamp is in place, the new metadata files nothing references yet are
    /// removed again, so a failed run leaves the metadata as it found it.
    private func write(_ batches: [WriteBatch], result: inout PublishResult,
                       beforeTimestamp: () throws(RepositoryError) -> Void) throws(RepositoryError) {
        var unreferenced: [String] = []
        do throws(RepositoryError) {
            for batch in batches {
                if batch.step == .timestamp { try beforeTimestamp() }
                // New versioned names only: nothing references them until the timestamp.
                if batch.step == .delegatedRoles || batch.step == .snapshot { unreferenced += batch.files.map(\.path) }
                try store.reach(batch.step)
                try store.write(batch.files)
                result.written += batch.files.map(\.path)
                if batch.step == .timestamp { unreferenced = [] }
            }
        } catch {
            for p in unreferenced { _ = try? FileIO.remove(path + "/" + p) }
            throw error
        }
    }

    /// Signs a plan: the bins (with progress), then the snapshot, then the timestamp, which
    /// describes the new snapshot's bytes (or the published one's). Each role is checked as a
    /// client would check it as it is signed (`sign(_:role:keys:also:signers:)`).
    func sign(_ plan: PublicationPlan, signers: [SignerEntry], publishedSnapshot: Loaded<Snapshot>?) throws(RepositoryError) -> SignedPublication {
        var out = SignedPublication(bins: [], binEntries: [:], snapshot: nil, timestamp: nil)
        out.bins.reserveCapacity(plan.bins.count)
        var fingerprints: [String: String] = [:]   // one hash per distinct key set, not per bin
        for (i, bin) in plan.bins.enumerated() {
            var md = Metadata(signed: Targets(common: SignedCommon(version: bin.version, expires: bin.expires), targets: bin.targets))
            try Self.sign(&md, role: bin.name, keys: bin.keys, signers: signers)
            out.bins.append((Self.metadataPath("\(bin.version).\(bin.name).json"), md.encoded()))
            out.binEntries[bin.name] = .init(version: bin.version, expires: bin.expires.secondsSinceEpoch, digest: bin.digest,
                                             fingerprint: fingerprints[bin.keys.fingerprintText, default: bin.keys.fingerprint])
            if fingerprints[bin.keys.fingerprintText] == nil { fingerprints[bin.keys.fingerprintText] = out.binEntries[bin.name]!.fingerprint }
            progress?.update("bins signed", done: i + 1, total: plan.bins.count)
        }
        progress?.finish()
        if let s = plan.snapshot {
            var md = Metadata(signed: s.payload)
            try Self.sign(&md, role: "snapshot", keys: s.keys, also: s.previousKeys, signers: signers)
            out.snapshot = Loaded(metadata: md, bytes: md.encoded())
        }
        if var t = plan.timestamp {
            guard let snapshotBytes = out.snapshot?.bytes ?? publishedSnapshot?.bytes else {
                throw RepositoryError(.notInitialized, "nothing is published yet and no snapshot was signed")
            }
            t.payload.snapshotMeta = MetaFile(version: t.payload.snapshotMeta.version, describing: snapshotBytes, hashAlgorithms: [.sha256])
            var md = Metadata(signed: t.payload)
            try Self.sign(&md, role: "timestamp", keys: t.keys, also: t.previousKeys, signers: signers)
            out.timestamp = Loaded(metadata: md, bytes: md.encoded())
        }
        return out
    }
}
