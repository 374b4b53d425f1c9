import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

extension Repository {
    /// The keys that may sign the staged `role`: for root, the new root's root keys and the
    /// published root's (5.3.4 needs both); for targets, the root's targets role (and the published
    /// root's during a rotation); for bins,
    /// the targets role's delegation (staged versions first, as they will delegate).
    func signingKeys(for role: RepositoryRole, staged: StagedRoles, published: PublishedChain) throws(RepositoryError) -> [RoleKeys] {
        switch role {
        case .root:
            guard let s = staged.root else { throw RepositoryError(.nothingStaged, "nothing is staged for root") }
            return [RoleKeys(root: s.signed, .root)] + (published.root.map { [RoleKeys(root: $0.signed, .root)] } ?? [])
        case .targets:
            guard let root = staged.root?.signed ?? published.root?.signed else { throw RepositoryError(.notInitialized, "no root") }
            // During a root rotation the old targets keys sign too: clients that still hold the
            // old root read the new targets for a moment (see RootPlacement).
            let old = staged.root == nil ? nil : published.root.map { RoleKeys(root: $0.signed, .targets) }
            return [RoleKeys(root: root, .targets)] + (old.map { [$0] } ?? [])
        case .bins:
            guard let t = staged.targets?.signed ?? published.targets?.signed, let k = RoleKeys(delegator: t, "bins") else {
                throw RepositoryError(.notInitialized, "no targets role delegating to bins")
            }
            return [k]
        default:
            throw RepositoryError(.invalidArgument, "\(role.rawValue) is an online role: it is signed by generate and timestamp, not staged")
        }
    }

    /// Stages the delegator of `role` with changed keys: a new root for root, targets, snapshot
    /// and timestamp; new targets for bins; new bins for bin-n. Returns the staged role; sign it,
    /// and publication re-signs the online roles the new keys require.
    public func rotate(role: RepositoryRole, add: [Key], remove: [String], threshold: Int?, now: Expiry) throws(RepositoryError) -> RepositoryRole {
        try locked { () throws(RepositoryError) -> RepositoryRole in
            let policy = try policy()
            let staged = try loadStaged(), published = try loadPublished()
            func apply(_ ids: [String], _ keys: [String: Key], _ oldThreshold: Int, role name: String) throws(RepositoryError) -> [Key] {
                var list = ids.compactMap { keys[$0] }
                for r in remove {
                    guard let i = list.firstIndex(where: { $0.keyID == r }) else {
                        throw RepositoryError(.invalidArgument, "\(name) has no key \(r)")
                    }
                    list.remove(at: i)
                }
                for k in add where !list.contains(where: { $0.keyID == k.keyID }) { list.append(k) }
                try RoleEdits.checkKeys(list, threshold: threshold ?? min(oldThreshold, list.count), role: name)
                return list
            }
            switch role {
            case .root, .targets, .snapshot, .timestamp:
                let type = RoleType(rawValue: role.rawValue)!
                var root = try RoleEdits.nextToStage(staged.root, published.root, role: "root", expires: Self.expiry(now, policy.expiry(of: .root)))
                let old = root.roles[type]!
                let list = try apply(old.keyIDs, root.keys, old.threshold, role: role.rawValue)
                root.roles[type] = Role(keyIDs: list.map(\.keyID), threshold: threshold ?? min(old.threshold, list.count))
                for k in list { root.keys[k.keyID] = k }
                let used = Set(root.roles.values.flatMap(\.keyIDs))
                root.keys = root.keys.filter { used.contains($0.key) }
                try store.write([(RepositoryLayout.staged(.root), Metadata(signed: root).encoded())])
                // New targets keys must sign targets before the new root can be published.
                if role == .targets {
                    try restage(staged.targets, published.targets, as: .targets, expires: Self.expiry(now, policy.expiry(of: .targets)))
                }
                return .root
            case .bins:
                var targets = try RoleEdits.nextToStage(staged.targets, published.targets, role: "targets",
                                                   expires: Self.expiry(now, policy.expiry(of: .targets)))
                guard let d = RoleKeys(delegator: targets, "bins") else { throw RepositoryError(.invalidMetadata, "targets does not delegate to bins") }
                let list = try apply(d.keyIDs, d.keys, d.threshold, role: "bins")
                targets.delegations = RoleEdits.binsDelegation(keys: list, threshold: threshold ?? min(d.threshold, list.count))
                try store.write([(RepositoryLayout.staged(.targets), Metadata(signed: targets).encoded())])
                // New bins keys must sign bins before the new targets can be published.
                try restage(staged.bins, published.bins, as: .bins, expires: Self.expiry(now, policy.expiry(of: .bins)))
                return .targets
            case .binN:
                var bins = try RoleEdits.nextToStage(staged.bins, published.bins, role: "bins", expires: Self.expiry(now, policy.expiry(of: .bins)))
                guard let d = try PublicationPlanner.binKeys(bins, policy: policy)[policy.bins.name(ofBin: 0)] else {
                    throw RepositoryError(.invalidMetadata, "bins delegates no bins")
                }
                let list = try apply(d.keyIDs, d.keys, d.threshold, role: "bin-n")
                bins.delegations = policy.bins.delegations(keys: list, threshold: threshold ?? min(d.threshold, list.count), succinct: policy.succinct)
                try store.write([(RepositoryLayout.staged(.bins), Metadata(signed: bins).encoded())])
                return .bins
            }
        }
    }

    /// Stages the next version of a published role (unless one is staged already) so that its
    /// new keys sign it before the delegator that lists them is published.
    func restage(_ staged: LoadedMetadata<Targets>?, _ published: LoadedMetadata<Targets>?, as role: RepositoryRole,
                 expires: Expiry) throws(RepositoryError) {
        guard staged == nil, var payload = published?.signed else { return }
        payload.version += 1
        payload.expires = expires
        try store.write([(RepositoryLayout.staged(role), Metadata(signed: payload).encoded())])
    }

    /// Refreshes the timestamp (a new version pointing at the current snapshot), or does nothing
    /// when it is valid for more than `ifExpiringWithin` seconds. What cron runs.
    public func refreshTimestamp(signer: any Signer, ifExpiringWithin: Int64?, now: Expiry) throws(RepositoryError) -> PublishResult {
        try locked { () throws(RepositoryError) -> PublishResult in
            let policy = try policy()
            guard let root = try load(Root.self, RepositoryLayout.rootFile),
                  let old = try load(Timestamp.self, RepositoryLayout.timestampFile) else {
                throw RepositoryError(.notInitialized, "\(path): nothing is published yet")
            }
            if let window = ifExpiringWithin, !Self.expiresSoon(old.signed.expires, now: now, window: window) {
                var idle = PublishResult()
                pruneAfterPublication(&idle)
                return idle
            }
            let version = old.signed.snapshotMeta.version
            let snapshotBytes = try FileIO.read(layout.absolute(RepositoryLayout.metadata(role: "snapshot", version: version)))
            var md = Metadata(signed: Timestamp(common: SignedCommon(version: old.signed.version + 1,
                                                                     expires: Self.expiry(now, policy.expiry(of: .timestamp))),
                                                snapshotMeta: MetaFile(version: version, describing: snapshotBytes, hashAlgorithms: [.sha256])))
            try Self.sign(&md, role: "timestamp", keys: RoleKeys(root: root.signed, .timestamp), signers: [SignerEntry(signer)])
            try publicationWriter(publishedSnapshot: nil).put(WriteBatch(step: .timestamp, files: [(RepositoryLayout.timestampFile, md.encoded())]))
            var result = PublishResult(written: [RepositoryLayout.timestampFile], binsSigned: 0)
            pruneAfterPublication(&result)
            return result
        }
    }
}
