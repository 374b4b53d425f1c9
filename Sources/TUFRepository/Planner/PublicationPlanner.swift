import TUFCanonicalJSON
import TUFMetadata

/// The repository's twin of the client's trusted set: published and staged metadata, the bin
/// contents wanted, the policy and the time in; the plan of what to sign out. Pure: it reads no
/// file and no clock, so each publication rule is a plain unit test (PublicationPlannerTests).
/// Used in three steps, because what it needs from disk depends on what it chose:
/// `init` chooses the roles, `contentNeeded` names the published bins whose targets it must
/// see, and `plan` decides the rest.
struct PublicationPlanner {
    let policy: RepositoryPolicy
    let published: Repository.Published
    let staged: Repository.Staged
    let now: Expiry
    let mode: Repository.PublishMode
    let roles: RoleChoice
    /// The keys of each bin, from the bins role the plan goes out under.
    let keysOfBin: [String: RoleKeys]
    /// `keysOfBin[name].fingerprint`, computed once per distinct key set (16384 bins share one:
    /// hashing it per bin was a fifth of an upload's time).
    let fingerprintOfBin: [String: String]
    /// A new bin starts above this version (a rebin back to names an older layout used, whose
    /// files a kept snapshot may still list: they are never overwritten).
    var versionFloor: [String: Int64] = [:]

    init(policy: RepositoryPolicy, published: Repository.Published, staged: Repository.Staged, now: Expiry,
         mode: Repository.PublishMode, holdStagedRoot: Bool = false) throws(RepositoryError) {
        self.policy = policy; self.published = published; self.staged = staged; self.now = now; self.mode = mode
        roles = try RoleChoice.choose(published: published, staged: staged, holdStagedRoot: holdStagedRoot)
        keysOfBin = try Self.binKeys(roles.bins.signed, policy: policy)
        var seen: [String: String] = [:]
        fingerprintOfBin = keysOfBin.mapValues { keys in
            let text = keys.fingerprintText
            if let f = seen[text] { return f }
            let f = keys.fingerprint
            seen[text] = f
            return f
        }
    }

    /// The keys of each bin, read from the `bins` role's delegations.
    static func binKeys(_ bins: Targets, policy: RepositoryPolicy) throws(RepositoryError) -> [String: RoleKeys] {
        guard let d = bins.delegations else { throw RepositoryError(.invalidMetadata, "bins: has no delegations") }
        var out: [String: RoleKeys] = [:]
        let names = policy.bins.names
        if let s = d.succinctRoles {
            guard s.bitLength == policy.bins.bitLength, s.namePrefix == policy.binNamePrefix else {
                throw RepositoryError(.invalidMetadata, "bins: succinct roles (\(s.namePrefix), \(s.bitLength) bits) do not match the policy's \(policy.binCount) bins")
            }
            let keys = RoleKeys(keyIDs: s.keyIDs, threshold: s.threshold, keys: d.keys)
            for n in names { out[n] = keys }
        } else {
            for r in d.roles ?? [] { out[r.name] = RoleKeys(keyIDs: r.keyIDs, threshold: r.threshold, keys: d.keys) }
            for n in names where out[n] == nil {
                throw RepositoryError(.invalidMetadata, "bins: does not delegate \(n), one of the policy's \(policy.binCount) bins")
            }
        }
        return out
    }

    // MARK: bins

    /// True when a published bin must be re-signed whatever its content: new keys, or an
    /// expiry within the refresh window (`generate` only; `sign` publishes staged roles alone).
    func mustResign(_ name: String, _ entry: BinStates.Entry) -> Bool {
        if entry.fingerprint != fingerprintOfBin[name]! { return true }
        return mode == .refresh && Repository.expiresSoon(Expiry(secondsSinceEpoch: entry.expires), now: now,
                                                         window: policy.refreshWindow(of: .binN))
    }

    /// The bins a plan looks at, with their numbers, in bin order: every bin of the policy
    /// when `complete`, else only those in `entries` (an upload's: the others are published,
    /// unchanged and not due, so looking at them could only conclude "leave it").
    func binsConsidered(_ entries: [String: BinStates.Entry], complete: Bool) -> [(Int, String)] {
        if complete { return Array(policy.bins.names.enumerated()) }
        let layout = policy.bins
        return entries.keys.compactMap { name in layout.number(ofBin: name).map { ($0, name) } }.sorted { $0.0 < $1.0 }
    }

    /// The published bins whose targets `plan` needs: those with changes, and those re-signed
    /// with their content as it is.
    func contentNeeded(bins entries: [String: BinStates.Entry], complete: Bool = true, desired: Repository.DesiredTargets) -> [String] {
        binsConsidered(entries, complete: complete).compactMap { i, name in
            guard let entry = entries[name] else { return nil }
            switch desired {
            case .all: return nil
            case .changes(let changes) where changes[i] != nil: return name
            case .changes, .published: return mustResign(name, entry) ? name : nil
            }
        }
    }

    /// The bins to re-sign, in bin order: a bin is re-signed when it is new, its keys changed,
    /// its targets differ from what is wanted, or (refresh) it expires within the window; its
    /// version steps by one.
    /// `checked` hears of each bin looked at (progress for a long run; it may not change the plan).
    /// With `complete` false, `entries` holds only the bins that may change (see
    /// `binsConsidered`); a change to a bin not among them is an error.
    func binsToSign(bins entries: [String: BinStates.Entry], complete: Bool = true, desired: Repository.DesiredTargets,
                    contents: [String: [String: TargetFile]], checked: ((Int, Int) -> Void)? = nil) throws(RepositoryError) -> [PublicationPlan.Bin] {
        var out: [PublicationPlan.Bin] = []
        let considered = binsConsidered(entries, complete: complete)
        if !complete, case .changes(let changes) = desired {
            for i in changes.keys where entries[policy.bins.name(ofBin: i)] == nil {
                throw RepositoryError(.invalidMetadata, "\(policy.bins.name(ofBin: i)) is not published; its targets cannot be updated")
            }
        }
        for (n, (i, name)) in considered.enumerated() {
            defer { checked?(n + 1, considered.count) }
            let old = entries[name]
            var wanted: [String: TargetFile]?
            switch desired {
            case .published: wanted = nil
            case .all(let all): wanted = all[i]
            case .changes(let changes):
                guard let change = changes[i] else { break }
                guard old != nil, var content = contents[name] else {
                    throw RepositoryError(.invalidMetadata, "\(name) is not published; its targets cannot be updated")
                }
                for p in change.removed { content[p] = nil }
                for (p, file) in change.set { content[p] = file }
                try Self.checkKept(change.kept, in: content, bin: name)
                wanted = content
            }
            let digest = wanted.map(BinStates.digest)
            guard let old else {
                out.append(bin(i, name, version: (versionFloor[name] ?? 0) + 1, wanted ?? [:], digest: digest))
                continue
            }
            guard mustResign(name, old) || (digest != nil && digest != old.digest) else { continue }
            guard let content = wanted ?? contents[name] else {
                throw RepositoryError(.invalidMetadata, "\(name): its published targets were not read")
            }
            out.append(bin(i, name, version: old.version + 1, content, digest: digest))
        }
        return out
    }

    /// Targets a page not re-read lists keep their signed entry: a state store that claims
    /// one the bin does not hold, or pages that now list it otherwise, leave the decision to a
    /// full read of the index (`.damagedState`: the store is rebuilt).
    static func checkKept(_ kept: [String: TargetFile?], in content: [String: TargetFile], bin: String) throws(RepositoryError) {
        for (p, reread) in kept {
            guard let signed = content[p] else {
                throw RepositoryError(.damagedState, "the state store says a page not re-read lists \(p), which \(bin) does not hold")
            }
            if let reread, reread != signed {
                throw RepositoryError(.damagedState, "\(p) is listed by a page re-read and, by the state store, by another page, differently")
            }
        }
    }

    private func bin(_ number: Int, _ name: String, version: Int64, _ targets: [String: TargetFile], digest: String?) -> PublicationPlan.Bin {
        .init(name: name, version: version, expires: BinStagger.expiry(bin: number, of: policy.binCount, signedAt: now, policy: policy), targets: targets,
              digest: digest ?? BinStates.digest(targets), keys: keysOfBin[name]!)
    }

    // MARK: the plan

    /// The whole plan. Snapshot is re-signed when any role it lists changes, when it does not
    /// verify under the root the plan goes out under, or (refresh) when it expires within its
    /// window; timestamp likewise, and whenever the snapshot is.
    func plan(bins entries: [String: BinStates.Entry], complete: Bool = true, desired: Repository.DesiredTargets,
              contents: [String: [String: TargetFile]], checked: ((Int, Int) -> Void)? = nil) throws(RepositoryError) -> PublicationPlan {
        let bins = try binsToSign(bins: entries, complete: complete, desired: desired, contents: contents, checked: checked)
        let root = roles.root.signed
        func online(_ type: RoleType) -> (RoleKeys, RoleKeys?) {
            (RoleKeys(root: root, type), roles.previousRoot.map { RoleKeys(root: $0, type) })
        }
        func due<P: SignedPayload>(_ l: Repository.Loaded<P>?, _ keys: RoleKeys, _ role: RepositoryRole) -> Bool {
            guard let l else { return true }
            if !l.verification(under: keys).isVerified { return true }
            return mode == .refresh && Repository.expiresSoon(l.signed.expires, now: now, window: policy.refreshWindow(of: role))
        }

        let (snapshotKeys, previousSnapshotKeys) = online(.snapshot)
        var snapshot: PublicationPlan.Online<Snapshot>?
        if !bins.isEmpty || roles.newTargets != nil || roles.newBins != nil || due(published.snapshot, snapshotKeys, .snapshot) {
            var meta = published.snapshot?.signed.meta ?? [:]
            meta["targets.json"] = MetaFile(version: roles.targets.signed.version)
            meta["bins.json"] = MetaFile(version: roles.bins.signed.version)
            for b in bins { meta[b.name + ".json"] = MetaFile(version: b.version) }
            // After a rebin the old layout's bins stay listed at their last versions, no longer
            // delegated: a client refuses a snapshot that drops a role its trusted one lists (5.5.5).
            let version = (published.snapshot?.signed.version ?? 0) + 1
            snapshot = .init(payload: Snapshot(common: SignedCommon(version: version, expires: now.adding(seconds: policy.expiry(of: .snapshot))), meta: meta),
                             keys: snapshotKeys, previousKeys: previousSnapshotKeys)
        }

        let (timestampKeys, previousTimestampKeys) = online(.timestamp)
        var timestamp: PublicationPlan.Online<Timestamp>?
        if snapshot != nil || due(published.timestamp, timestampKeys, .timestamp) {
            guard let snapshotVersion = snapshot?.payload.version ?? published.snapshot?.signed.version else {
                throw RepositoryError(.notInitialized, "nothing is published yet and no snapshot is planned")
            }
            let version = (published.timestamp?.signed.version ?? 0) + 1
            timestamp = .init(payload: Timestamp(common: SignedCommon(version: version, expires: now.adding(seconds: policy.expiry(of: .timestamp))),
                                                 snapshotMeta: MetaFile(version: snapshotVersion)),
                              keys: timestampKeys, previousKeys: previousTimestampKeys)
        }

        // A staged file goes once it is published, or once what is published is as new.
        var stagedToRemove: [RepositoryRole] = []
        if roles.newRoot != nil || (staged.root.map { $0.signed.version <= root.version } ?? false) { stagedToRemove.append(.root) }
        if roles.newTargets != nil || (staged.targets.map { $0.signed.version <= roles.targets.signed.version } ?? false) { stagedToRemove.append(.targets) }
        if roles.newBins != nil || (staged.bins.map { $0.signed.version <= roles.bins.signed.version } ?? false) { stagedToRemove.append(.bins) }
        return PublicationPlan(roles: roles, bins: bins, snapshot: snapshot, timestamp: timestamp, stagedToRemove: stagedToRemove)
    }
}
