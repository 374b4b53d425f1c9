import TUFMetadata

extension Repository {
    /// The published bins `names` (at the versions the published snapshot lists), each read
    /// as a client would accept it: the published chain verifies (`PublicationChain`, 5.3–5.6),
    /// the snapshot lists the bin with these bytes (5.6.2, 5.6.4) and a threshold of the keys
    /// the published bins role delegates to it signed it (5.6.3). A changed bin is built on
    /// these targets and the pages re-read, never on the state store: a store can only say what
    /// to re-read. Throws `.unverifiedPublished` naming the file otherwise (generate then
    /// re-signs from a full read of the index, which needs no published targets).
    /// `publishedKeys`: the keys of each bin under the published bins role, when the caller
    /// already has them (the planner's, when it plans under that role).
    func verifiedPublishedBins(_ names: [String], published: PublishedChain, policy: RepositoryPolicy, now: Expiry,
                               publishedKeys: [String: RoleKeys]? = nil) throws(RepositoryError) -> [String: LoadedMetadata<Targets>] {
        guard !names.isEmpty else { return [:] }
        let metadata = layout.absolute(RepositoryLayout.metadataFolder)
        guard let chain = PublicationChain(published: published) else {
            throw RepositoryError(.unverifiedPublished, "\(metadata): nothing is published, so no bin can be updated")
        }
        do { try chain.verify(at: now) } catch {
            throw RepositoryError(.unverifiedPublished, "\(metadata): the published metadata does not verify (\(error.message)); its bins are not built on")
        }
        let (s, bins) = (chain.snapshot, chain.bins)
        // One table of keys (a scan of 16384 named roles per bin would be quadratic).
        let keysOf = publishedKeys ?? (try? PublicationPlanner.binKeys(bins.signed, policy: policy))
        var out: [String: LoadedMetadata<Targets>] = [:]
        out.reserveCapacity(names.count)
        let snapshot = s.signed, snapshotFile = layout.absolute(RepositoryLayout.metadata(role: "snapshot", version: s.signed.version))
        let delegator = bins.signed, layout = self.layout
        // Each bin is read and verified on its own (a burst re-signs thousands): on every core,
        // the first failure in `names` order reported, as a loop would.
        try IndexSnapshot.inParallelChunks(names, { (name) throws(RepositoryError) -> LoadedMetadata<Targets> in
            guard let meta = snapshot.meta(forRole: name) else {
                throw RepositoryError(.unverifiedPublished, "\(snapshotFile) does not list \(name).json")
            }
            let file = RepositoryLayout.metadata(role: name, version: meta.version)
            let bin = try layout.require(Targets.self, file)
            guard let keys = keysOf?[name] ?? RoleKeys(delegator: delegator, name) else {
                throw RepositoryError(.unverifiedPublished, "\(layout.absolute(file)): \(name) is not delegated by the published bins role")
            }
            if let fault = Self.binFault(bin, listed: meta, keys: keys, name: name) {
                throw RepositoryError(.unverifiedPublished, "\(layout.absolute(file)): \(fault); its targets are not built on")
            }
            return bin
        }, consume: { (name, bin) in out[name] = bin })
        return out
    }

    /// Why a client would refuse `bin` as `meta` lists it and `keys` delegate it, or nil.
    private static func binFault(_ bin: LoadedMetadata<Targets>, listed meta: MetaFile, keys: RoleKeys, name: String) -> String? {
        if bin.signed.version != meta.version { return "version \(bin.signed.version), but the snapshot lists version \(meta.version)" }
        do { try LengthAndHashes.check(bin.bytes, length: meta.length, hashes: meta.hashes, name: name) } catch { return error.message }
        let result = bin.verification(under: keys)
        return result.isVerified ? nil : "signed by \(result.signedBy.count) of the \(result.threshold) keys required"
    }
}
