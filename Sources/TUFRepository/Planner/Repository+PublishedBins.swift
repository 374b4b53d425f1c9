import TUFMetadata

extension Repository {
    /// The published bins `names` (at the versions the published snapshot lists), each read
    /// as a client would accept it: the published chain verifies (`PublicationChain`, 5.4–5.6),
    /// the snapshot lists the bin with these bytes (5.6.2–5.6.3) and a threshold of the keys the
    /// published bins role delegates to it signed it (5.6.3). A changed bin is built on these
    /// targets and the pages re-read, never on the state store: a store can only say what to
    /// re-read. Throws `.unverifiedPublished` naming the file otherwise (generate then
    /// re-signs from a full read of the index, which needs no published targets).
    func verifiedPublishedBins(_ names: [String], published: Published, policy: RepositoryPolicy) throws(RepositoryError) -> [String: Loaded<Targets>] {
        guard !names.isEmpty else { return [:] }
        guard let root = published.root, let t = published.timestamp, let s = published.snapshot, let targets = published.targets,
              let bins = published.bins else {
            throw RepositoryError(.unverifiedPublished, "\(path)/metadata: nothing is published, so no bin can be updated")
        }
        if let fault = PublicationChain(root: root.signed, timestamp: t, snapshot: s, targets: targets, bins: bins).fault() {
            throw RepositoryError(.unverifiedPublished, "\(path)/metadata: the published metadata does not verify (\(fault)); its bins are not built on")
        }
        // One table of keys (a scan of 16384 named roles per bin would be quadratic).
        let keysOf = try? PublicationPlanner.binKeys(bins.signed, policy: policy)
        var out: [String: Loaded<Targets>] = [:]
        for name in names {
            guard let meta = s.signed.meta(forRole: name) else {
                throw RepositoryError(.unverifiedPublished, "\(path)/metadata/\(s.signed.version).snapshot.json does not list \(name).json")
            }
            let file = Self.metadataPath("\(meta.version).\(name).json")
            let bin = try require(Targets.self, file)
            guard let keys = keysOf?[name] ?? RoleKeys(delegator: bins.signed, name) else {
                throw RepositoryError(.unverifiedPublished, "\(path)/\(file): \(name) is not delegated by the published bins role")
            }
            let result = bin.verification(under: keys)
            let fault = bin.signed.version != meta.version ? "version \(bin.signed.version), but the snapshot lists version \(meta.version)"
                : PublicationChain.metaFileFault(meta, bytes: bin.bytes, name: name)
                ?? (result.isVerified ? nil : "signed by \(result.signedBy.count) of the \(result.threshold) keys required")
            if let fault { throw RepositoryError(.unverifiedPublished, "\(path)/\(file): \(fault); its targets are not built on") }
            out[name] = bin
        }
        return out
    }
}
