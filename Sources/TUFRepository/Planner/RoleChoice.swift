import TUFMetadata

/// The offline roles a publication goes out under: the published ones, or staged ones that
/// reached their thresholds and whose delegates are already signed by the new keys.
struct RoleChoice {
    var root: LoadedMetadata<Root>
    var targets: LoadedMetadata<Targets>
    var bins: LoadedMetadata<Targets>
    /// The staged roles that publish with this plan.
    var newRoot: LoadedMetadata<Root>?
    var newTargets: LoadedMetadata<Targets>?
    var newBins: LoadedMetadata<Targets>?
    /// The published root while a new one goes out: the online roles are signed by its keys
    /// too, so that a client that has not yet seen the new root accepts them.
    var previousRoot: Root?

    /// Chooses the roles. A complete staged role waits while what it delegates to is not yet
    /// signed by the new keys (a key rotation in progress), so the published chain always
    /// verifies; `holdStagedRoot` keeps the published root whatever is staged.
    static func choose(published: PublishedChain, staged: StagedRoles,
                       holdStagedRoot: Bool) throws(RepositoryError) -> RoleChoice {
        let candidateRoot = holdStagedRoot ? nil : try completeRoot(staged.root, published: published.root)
        var useStagedRoot = candidateRoot != nil, useStagedTargets = true
        while true {
            guard let root = useStagedRoot ? candidateRoot : published.root else {
                throw RepositoryError(.awaitingSignatures, "nothing is published yet and the staged root is not fully signed (see tuf-repo status)")
            }
            let targetsKeys = RoleKeys(root: root.signed, .targets)
            let newTargets = useStagedTargets ? complete(staged.targets, newerThan: published.targets, under: targetsKeys) : nil
            guard let targets = newTargets ?? published.targets else {
                throw RepositoryError(.awaitingSignatures, "targets is not fully signed yet (see tuf-repo status)")
            }
            let binsKeys = RoleKeys(delegator: targets.signed, "bins")
            let newBins = complete(staged.bins, newerThan: published.bins, under: binsKeys)
            guard let bins = newBins ?? published.bins else {
                throw RepositoryError(.awaitingSignatures, "bins is not fully signed yet (see tuf-repo status)")
            }
            // Each check once: bins.json delegates to every bin, so canonicalizing it is not free.
            let binsVerify = verifies(bins, binsKeys)
            if !binsVerify, newTargets != nil { useStagedTargets = false; continue }
            let targetsVerify = verifies(targets, targetsKeys)
            if !targetsVerify, useStagedRoot { useStagedRoot = false; continue }
            guard binsVerify, targetsVerify else {
                throw RepositoryError(.awaitingSignatures, "the staged roles are not signed by the new keys yet (see tuf-repo status)")
            }
            let newRoot = useStagedRoot ? candidateRoot : nil
            return RoleChoice(root: root, targets: targets, bins: bins, newRoot: newRoot, newTargets: newTargets, newBins: newBins,
                              previousRoot: newRoot == nil ? nil : published.root?.signed)
        }
    }

    /// The staged root when it is the next version and signed by a threshold of the published
    /// root's keys and of its own (5.3.4); nil when it is not complete yet.
    static func completeRoot(_ staged: LoadedMetadata<Root>?, published: LoadedMetadata<Root>?) throws(RepositoryError) -> LoadedMetadata<Root>? {
        guard let s = staged, s.signed.version > published?.signed.version ?? 0 else { return nil }
        if let old = published, s.signed.version != old.signed.version + 1 {
            throw RepositoryError(.invalidMetadata, "staged root has version \(s.signed.version); the next version is \(old.signed.version + 1)")
        }
        let bytes = s.signedBytes
        let selfCheck = RoleKeys(root: s.signed, .root).verifies(signedBytes: bytes, signatures: s.metadata.signatures)
        let oldCheck = published.map { RoleKeys(root: $0.signed, .root).verifies(signedBytes: bytes, signatures: s.metadata.signatures) }
        return selfCheck.isVerified && oldCheck?.isVerified ?? true ? s : nil
    }

    private static func complete(_ l: LoadedMetadata<Targets>?, newerThan p: LoadedMetadata<Targets>?, under keys: RoleKeys?) -> LoadedMetadata<Targets>? {
        guard let l, l.signed.version > p?.signed.version ?? 0, verifies(l, keys) else { return nil }
        return l
    }

    private static func verifies(_ l: LoadedMetadata<Targets>, _ keys: RoleKeys?) -> Bool {
        keys.map { l.verification(under: $0).isVerified } ?? false
    }
}
