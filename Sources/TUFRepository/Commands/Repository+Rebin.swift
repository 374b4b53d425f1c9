import TUFCrypto
import TUFFileSystem
import TUFMetadata

extension Repository {
    /// Changes the number of hashed bins (or named ↔ succinct) in one publication: a new
    /// `bins` version delegating to the new bin set (signed with the bins keys, which must be
    /// among `signers`), every published target placed in its new bin (signed by the online
    /// bin-n key), and a snapshot that lists only the new bins, then the timestamp. Clients
    /// follow it as any other update. The policy's new layout is written just before the
    /// publication and put back should it fail; after a crash in between, the staged bins is
    /// complete and the next `generate` (a full read: the page cache's bin count differs) or
    /// `rebin` publishes it.
    public func rebin(count: Int, succinct: Bool?, signers: [any Signer], now: Expiry) throws(RepositoryError) -> PublishResult {
        try locked { () throws(RepositoryError) -> PublishResult in
            let old = try policy()
            var new = old
            new.binCount = count
            new.succinct = succinct ?? old.succinct
            _ = try RepositoryPolicy(binCount: new.binCount, succinct: new.succinct)  // checks the count
            let published = try loadPublished()
            guard let pb = published.bins, let pt = published.targets, let snapshot = published.snapshot else {
                throw RepositoryError(.notInitialized, "\(path): nothing is published yet")
            }
            let interrupted = try loadStaged().bins != nil && old.binCount == count && old.succinct == new.succinct
            if try loadStaged().bins != nil, !interrupted {
                throw RepositoryError(.invalidArgument, "\(self.layout.absolute(RepositoryLayout.staged(.bins))) is staged; sign or remove it before a rebin")
            }
            // The online bin-n keys stay those the published bins delegates to.
            guard let d = pb.signed.delegations else { throw RepositoryError(.invalidMetadata, "bins: has no delegations") }
            // The targets of every bin the published bins role delegates to (not the older
            // layouts' bins, which stay listed with stale targets), re-placed.
            let delegated = d.succinctRoles.map { HashedBins(count: 1 << $0.bitLength, namePrefix: $0.namePrefix).names }
                ?? (d.roles ?? []).map(\.name)
            var all = [[String: TargetFile]](repeating: [:], count: count)
            let layout = new.bins
            for name in delegated {
                guard let meta = snapshot.signed.meta(forRole: name) else {
                    throw RepositoryError(.invalidMetadata, "the published snapshot does not list \(name).json")
                }
                let bin = try require(Targets.self, RepositoryLayout.metadata(role: name, version: meta.version))
                for (p, file) in bin.signed.targets { all[layout.bin(for: p)][p] = file }
            }
            let ids: [String], threshold: Int
            if let s = d.succinctRoles { (ids, threshold) = (s.keyIDs, s.threshold) } else if let r = d.roles?.first {
                (ids, threshold) = (r.keyIDs, r.threshold)
            } else { throw RepositoryError(.invalidMetadata, "bins: delegates to no bin") }
            let keys = ids.compactMap { d.keys[$0] }
            var payload = pb.signed
            payload.version += 1
            payload.expires = Self.expiry(now, old.expiry(of: .bins))
            payload.delegations = layout.delegations(keys: keys, threshold: threshold, succinct: new.succinct)
            guard let binsKeys = RoleKeys(delegator: pt.signed, "bins") else { throw RepositoryError(.invalidMetadata, "targets does not delegate bins") }
            let entries = signers.map(SignerEntry.init)
            var md = Metadata(signed: payload)
            try Self.sign(&md, role: "bins (rebin to \(count) bins)", keys: binsKeys, signers: entries)
            try store.write([(RepositoryLayout.staged(.bins), md.encoded())])
            try store.write([(RepositoryLayout.policyFile, new.encoded())])
            do throws(RepositoryError) {
                // The state store describes the old layout: dropped, it is rebuilt by the next generate.
                StateStore.remove(repository: path)
                var request = PublicationRequest(desired: .all(all), mode: .refresh, now: now)
                request.versionFloor = versionFloor(layout)
                return try publish(request, signers: entries)
            } catch {
                try? store.write([(RepositoryLayout.policyFile, old.encoded())])
                try? FileIO.remove(self.layout.absolute(RepositoryLayout.staged(.bins)))
                throw error
            }
        }
    }

    /// The highest version on disk of each bin name of `layout`.
    private func versionFloor(_ layout: HashedBins) -> [String: Int64] {
        let names = Set(layout.names)
        var floor: [String: Int64] = [:]
        for file in FileSystem.list(self.layout.metadataDirectory) {
            guard let r = RetentionPlanner.removableName(file), names.contains(r.role) else { continue }
            floor[r.role] = max(floor[r.role] ?? 0, r.version)
        }
        return floor
    }
}
