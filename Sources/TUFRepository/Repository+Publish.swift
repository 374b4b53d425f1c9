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

    /// The keys of each bin, read from the `bins` role's delegations.
    func binKeys(_ bins: Targets, policy: RepositoryPolicy) throws(RepositoryError) -> [String: RoleKeys] {
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

    /// Brings the published repository up to date, under the lock: publishes complete staged
    /// roles, re-signs the bins whose targets differ from `desired` or that must be
    /// refreshed, then snapshot and timestamp. Every signature is made and every needed key
    /// checked before the first write; writes go bins → snapshot → root → timestamp.
    /// `writeTargets` runs just before the metadata is written (and only when something is).
    /// `plainNames` are the pages whose plain names the caller relinks after the timestamp;
    /// they are journaled before it (`PlainNameJournal`).
    func publish(signers: [SignerEntry], desired: DesiredTargets, mode: PublishMode, now: Expiry,
                 plainNames: [(path: String, sha256: String)] = [], holdStagedRoot: Bool = false,
                 writeTargets: () throws(RepositoryError) -> Void = {}) throws(RepositoryError) -> PublishResult {
        let policy = try policy()
        let published = try loadPublished()
        let staged = try loadStaged()

        // Staged offline roles that reached their thresholds, checked against the roles that
        // will delegate to them once published.
        var candidateRoot: Loaded<Root>?
        if !holdStagedRoot, let s = staged.root, s.signed.version > published.root?.signed.version ?? 0 {
            if let old = published.root, s.signed.version != old.signed.version + 1 {
                throw RepositoryError(.invalidMetadata, "staged root has version \(s.signed.version); the next version is \(old.signed.version + 1)")
            }
            let bytes = s.metadata.signedBytes()
            // 5.3.4: a new root must be signed by a threshold of the old root keys and of its own.
            let selfCheck = RoleKeys(root: s.signed, .root).verifies(signedBytes: bytes, signatures: s.metadata.signatures)
            let oldCheck = published.root.map { RoleKeys(root: $0.signed, .root).verifies(signedBytes: bytes, signatures: s.metadata.signatures) }
            if selfCheck.isVerified, oldCheck?.isVerified ?? true { candidateRoot = s }
        }
        func complete(_ l: Loaded<Targets>?, newerThan p: Loaded<Targets>?, under keys: RoleKeys?) -> Loaded<Targets>? {
            guard let l, let keys, l.signed.version > p?.signed.version ?? 0,
                  keys.verifies(signedBytes: l.metadata.signedBytes(), signatures: l.metadata.signatures).isVerified else { return nil }
            return l
        }
        func verifies(_ l: Loaded<Targets>, _ keys: RoleKeys?) -> Bool {
            keys?.verifies(signedBytes: l.metadata.signedBytes(), signatures: l.metadata.signatures).isVerified ?? false
        }
        // A complete staged role waits while what it delegates to is not yet signed by the new
        // keys (a key rotation in progress), so the published chain always verifies.
        var useStagedRoot = candidateRoot != nil, useStagedTargets = true
        var chosen: (root: Loaded<Root>, targets: Loaded<Targets>, bins: Loaded<Targets>, newTargets: Loaded<Targets>?, newBins: Loaded<Targets>?)?
        while chosen == nil {
            guard let root = useStagedRoot ? candidateRoot : published.root else {
                throw RepositoryError(.notInitialized, "nothing is published yet and the staged root is not fully signed (see tuf-repo status)")
            }
            let newTargets = useStagedTargets ? complete(staged.targets, newerThan: published.targets, under: RoleKeys(root: root.signed, .targets)) : nil
            guard let targets = newTargets ?? published.targets else {
                throw RepositoryError(.notInitialized, "targets is not fully signed yet (see tuf-repo status)")
            }
            let binsKeys = RoleKeys(delegator: targets.signed, "bins")
            let newBins = complete(staged.bins, newerThan: published.bins, under: binsKeys)
            guard let bins = newBins ?? published.bins else {
                throw RepositoryError(.notInitialized, "bins is not fully signed yet (see tuf-repo status)")
            }
            // Each check once: bins.json delegates to every bin, so canonicalizing it is not free.
            let binsVerify = verifies(bins, binsKeys)
            if !binsVerify, newTargets != nil { useStagedTargets = false; continue }
            let targetsVerify = verifies(targets, RoleKeys(root: root.signed, .targets))
            if !targetsVerify, useStagedRoot { useStagedRoot = false; continue }
            guard binsVerify, targetsVerify else {
                throw RepositoryError(.notInitialized, "the staged roles are not signed by the new keys yet (see tuf-repo status)")
            }
            chosen = (root, targets, bins, newTargets, newBins)
        }
        let (root, targets, bins, newTargets, newBins) = chosen!
        let newRoot = useStagedRoot ? candidateRoot : nil
        // During a root rotation the online roles are signed by the old root's keys as well,
        // so that a client still holding the old root accepts them (see RootPlacement).
        let oldRoot = newRoot == nil ? nil : published.root?.signed

        // The bins to re-sign.
        let layout = policy.bins
        let names = layout.names
        let keysOfBin = try binKeys(bins.signed, policy: policy)
        var cache = try loadBinCache(snapshot: published.snapshot?.signed, binNames: names, keysOf: { keysOfBin[$0] })
        let binWindow = policy.refreshWindow(of: .binN)
        var binFiles: [(path: String, bytes: [UInt8])] = []
        var newEntries: [String: BinCache.Entry] = [:]
        for (i, name) in names.enumerated() {
            let keys = keysOfBin[name]!
            let old = cache.entries[name]
            var wanted: [String: TargetFile]?
            switch desired {
            case .published: wanted = nil
            case .all(let all): wanted = all[i]
            case .changes(let changes):
                guard let change = changes[i] else { break }
                guard let old else { throw RepositoryError(.invalidMetadata, "\(name) is not published; its targets cannot be updated") }
                var content = try require(Targets.self, Self.metadataPath("\(old.version).\(name).json")).signed.targets
                for p in change.removed { content[p] = nil }
                for (p, file) in change.set { content[p] = file }
                wanted = content
            }
            let digest = wanted.map(BinCache.digest)
            var dirty = old == nil || old!.fingerprint != keys.fingerprint
            if let old, let digest, digest != old.digest { dirty = true }
            if mode == .refresh, let old, Self.expiresSoon(Expiry(secondsSinceEpoch: old.expires), now: now, window: binWindow) { dirty = true }
            guard dirty else { continue }
            var content = wanted ?? [:]
            if wanted == nil, let old {
                content = try require(Targets.self, Self.metadataPath("\(old.version).\(name).json")).signed.targets
            }
            let version = (old?.version ?? 0) + 1
            var md = Metadata(signed: Targets(common: SignedCommon(version: version, expires: Self.expiry(now, policy.expiry(of: .binN))),
                                              targets: content))
            try Self.sign(&md, role: name, keys: keys, signers: signers)
            binFiles.append((Self.metadataPath("\(version).\(name).json"), md.encoded()))
            newEntries[name] = .init(version: version, expires: md.signed.expires.secondsSinceEpoch,
                                     digest: digest ?? BinCache.digest(content), fingerprint: keys.fingerprint)
            // Counted over every bin looked at, so the rate and time left hold for a full run.
            progress?.update("bins checked", done: i + 1, total: names.count)
        }
        progress?.finish()

        // Snapshot.
        let snapshotKeys = RoleKeys(root: root.signed, .snapshot)
        var snapshotDirty = !binFiles.isEmpty || newTargets != nil || newBins != nil || published.snapshot == nil
        if let s = published.snapshot {
            if !snapshotKeys.verifies(signedBytes: s.metadata.signedBytes(), signatures: s.metadata.signatures).isVerified { snapshotDirty = true }
            if mode == .refresh, Self.expiresSoon(s.signed.expires, now: now, window: policy.refreshWindow(of: .snapshot)) { snapshotDirty = true }
        }
        var snapshotFile: (path: String, bytes: [UInt8])?
        var snapshotMeta: MetaFile?
        var newSnapshot: Loaded<Snapshot>?
        if snapshotDirty {
            var meta = published.snapshot?.signed.meta ?? [:]
            meta["targets.json"] = MetaFile(version: targets.signed.version)
            meta["bins.json"] = MetaFile(version: bins.signed.version)
            for (name, e) in newEntries { meta[name + ".json"] = MetaFile(version: e.version) }
            let version = (published.snapshot?.signed.version ?? 0) + 1
            var md = Metadata(signed: Snapshot(common: SignedCommon(version: version, expires: Self.expiry(now, policy.expiry(of: .snapshot))),
                                               meta: meta))
            try Self.sign(&md, role: "snapshot", keys: snapshotKeys, also: oldRoot.map { RoleKeys(root: $0, .snapshot) }, signers: signers)
            let bytes = md.encoded()
            snapshotFile = (Self.metadataPath("\(version).snapshot.json"), bytes)
            snapshotMeta = MetaFile(version: version, describing: bytes, hashAlgorithms: [.sha256])
            newSnapshot = Loaded(metadata: md, bytes: bytes)
        }

        // Timestamp.
        let timestampKeys = RoleKeys(root: root.signed, .timestamp)
        var timestampDirty = snapshotDirty || published.timestamp == nil
        if let t = published.timestamp {
            if !timestampKeys.verifies(signedBytes: t.metadata.signedBytes(), signatures: t.metadata.signatures).isVerified { timestampDirty = true }
            if mode == .refresh, Self.expiresSoon(t.signed.expires, now: now, window: policy.refreshWindow(of: .timestamp)) { timestampDirty = true }
        }
        var timestampFile: (path: String, bytes: [UInt8])?
        var newTimestamp: Loaded<Timestamp>?
        if timestampDirty {
            if snapshotMeta == nil, let s = published.snapshot {
                snapshotMeta = MetaFile(version: s.signed.version, describing: s.bytes, hashAlgorithms: [.sha256])
            }
            let version = (published.timestamp?.signed.version ?? 0) + 1
            var md = Metadata(signed: Timestamp(common: SignedCommon(version: version, expires: Self.expiry(now, policy.expiry(of: .timestamp))),
                                                snapshotMeta: snapshotMeta!))
            try Self.sign(&md, role: "timestamp", keys: timestampKeys, also: oldRoot.map { RoleKeys(root: $0, .timestamp) }, signers: signers)
            let bytes = md.encoded()
            timestampFile = (Self.metadataPath("timestamp.json"), bytes)
            newTimestamp = Loaded(metadata: md, bytes: bytes)
        }

        var result = PublishResult()
        guard newRoot != nil || timestampFile != nil else { return result }

        // Before the first write: the new chain verifies as a client would check it (each bin
        // was checked against its delegation as it was signed), and a new root is placed so
        // that every state between two renames verifies too.
        guard let timestamp = newTimestamp ?? published.timestamp, let snapshot = newSnapshot ?? published.snapshot else {
            throw RepositoryError(.notInitialized, "nothing is published yet and no timestamp was signed")
        }
        let after = PublicationChain(root: root.signed, timestamp: timestamp, snapshot: snapshot, targets: targets, bins: bins)
        var before: PublicationChain?
        if let t = published.timestamp, let s = published.snapshot, let pt = published.targets, let pb = published.bins, let r = published.root {
            before = PublicationChain(root: r.signed, timestamp: t, snapshot: s, targets: pt, bins: pb)
        }
        let placement: RootPlacement
        switch RootPlacement.choose(oldRoot: oldRoot, newRoot: root.signed, before: before, after: after) {
        case .success(let p): placement = p
        case .failure(let error):
            guard newRoot != nil, error.code == .missingKey else { throw error }
            // The rest of the publication (cron's index changes) goes ahead under the old root.
            let reason = error.message
            var held: PublishResult
            do {
                held = try publish(signers: signers, desired: desired, mode: mode, now: now, plainNames: plainNames,
                                   holdStagedRoot: true, writeTargets: writeTargets)
            } catch where error.code == .missingKey {
                throw RepositoryError(.missingKey, "\(reason); and under the published root, \(error.message)")
            }
            held.heldRoot = reason
            return held
        }

        // Every signature is made; write in the order that keeps the old repository valid.
        try store.reach(.targetFiles)
        try writeTargets()
        var first = binFiles
        if let b = newBins { first.append((Self.metadataPath("\(b.signed.version).bins.json"), b.bytes)) }
        if let t = newTargets { first.append((Self.metadataPath("\(t.signed.version).targets.json"), t.bytes)) }
        try store.reach(.delegatedRoles)
        try store.write(first)
        result.written += first.map(\.path)
        result.binsSigned = binFiles.count
        if let snapshotFile {
            try store.reach(.snapshot)
            try store.write([snapshotFile])
            result.written.append(snapshotFile.path)
        }
        func writeRoot() throws(RepositoryError) {
            guard let r = newRoot else { return }
            try store.reach(.root)
            let files = [(Self.metadataPath("\(r.signed.version).root.json"), r.bytes), (Self.metadataPath("root.json"), r.bytes)]
            try store.write(files)
            result.written += files.map(\.0)
        }
        if placement == .beforeTimestamp { try writeRoot() }
        if let v = newSnapshot?.signed.version { try writePlainNameJournal(PlainNameJournal(snapshotVersion: v, pages: plainNames)) }
        if let timestampFile {
            try store.reach(.timestamp)
            try store.write([timestampFile])
            result.written.append(timestampFile.path)
        }
        if placement == .afterTimestamp { try writeRoot() }

        // Bookkeeping: the cache, and staged files that are now published (or stale).
        for (k, v) in newEntries { cache.entries[k] = v }
        try store.write([(Self.cacheFile, cache.encoded())])
        if newRoot != nil || (staged.root.map { $0.signed.version <= root.signed.version } ?? false) { try FileIO.remove(path + "/" + Self.stagedPath(.root)) }
        if newTargets != nil || (staged.targets.map { $0.signed.version <= targets.signed.version } ?? false) { try FileIO.remove(path + "/" + Self.stagedPath(.targets)) }
        if newBins != nil || (staged.bins.map { $0.signed.version <= bins.signed.version } ?? false) { try FileIO.remove(path + "/" + Self.stagedPath(.bins)) }
        return result
    }
}
