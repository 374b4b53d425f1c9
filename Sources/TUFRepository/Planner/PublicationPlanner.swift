import TUFCanonicalJSON
import TUFMetadata

/// The repository's twin of the client's trusted set: published and staged metadata, the bin
/// contents wanted, the policy and the time in; the plan of what to sign out. Pure: it reads no
/// file and no clock, so each publication rule is a plain unit test (PublicationPlannerTests).
/// Used in three steps, because what it needs from disk depends on what it chose:
/// `init` chooses the roles, `contentNeeded` names the published bins whose targets it must
/// see, and `plan` decides the rest, before any key is used: it knows which keys the given
/// signers hold, so it foresees every signature (`SigningForecast`), and so whether each role
/// can be signed and where a new root can go, or that it must wait (`Decision.holdRoot`).
struct PublicationPlanner {
    let policy: RepositoryPolicy
    let published: PublishedChain
    let staged: StagedRoles
    let now: Expiry
    let mode: PublishMode
    /// The keys of the signers the plan will be signed with.
    let forecast: SigningForecast
    /// Set when planning again with the published root because the staged one must wait.
    let holding: HeldRoot?
    let roles: RoleChoice
    /// The keys of each bin, from the bins role the plan goes out under.
    let keysOfBin: [String: RoleKeys]
    /// `keysOfBin[name].fingerprint`, computed once per distinct key set (16384 bins share one:
    /// hashing it per bin was a fifth of an upload's time).
    let fingerprintOfBin: [String: String]
    /// A new bin starts above this version (a rebin back to names an older layout used, whose
    /// files a kept snapshot may still list: they are never overwritten).
    var versionFloor: [String: Int64] = [:]

    init(policy: RepositoryPolicy, published: PublishedChain, staged: StagedRoles, now: Expiry, mode: PublishMode,
         signers: Set<String>, holding: HeldRoot? = nil) throws(RepositoryError) {
        self.policy = policy; self.published = published; self.staged = staged; self.now = now; self.mode = mode
        self.forecast = SigningForecast(signerKeyIDs: signers)
        self.holding = holding
        roles = try RoleChoice.choose(published: published, staged: staged, holdStagedRoot: holding != nil)
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
        return mode == .refresh && Expiry(secondsSinceEpoch: entry.expires).isDue(now: now, window: policy.refreshWindow(of: .binN))
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
    func contentNeeded(bins entries: [String: BinStates.Entry], complete: Bool = true, desired: DesiredTargets) -> [String] {
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
    func binsToSign(bins entries: [String: BinStates.Entry], complete: Bool = true, desired: DesiredTargets,
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
}
