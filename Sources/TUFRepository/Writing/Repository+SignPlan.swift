import TUFMetadata

extension Repository {
    /// Signs a plan: the bins (with progress), then the snapshot, then the timestamp, which
    /// describes the new snapshot's bytes (or the published one's). Each role is checked as a
    /// client would check it as it is signed (`sign(_:role:keys:also:signers:)`); the planner
    /// foresaw these signatures, so a shortfall here is a signer that did not sign as expected.
    func sign(_ plan: PublicationPlan, signers: [SignerEntry], publishedSnapshot: LoadedMetadata<Snapshot>?) throws(RepositoryError) -> SignedPublication {
        var out = SignedPublication.none
        out.bins.reserveCapacity(plan.bins.count)
        for (i, bin) in plan.bins.enumerated() {
            var md = Metadata(signed: Targets(common: SignedCommon(version: bin.version, expires: bin.expires), targets: bin.targets))
            try Self.sign(&md, role: bin.name, keys: bin.keys, signers: signers)
            out.bins.append((RepositoryLayout.metadata(role: bin.name, version: bin.version), md.encoded()))
            progress?.update("bins signed", done: i + 1, total: plan.bins.count)
        }
        progress?.finish()
        if let s = plan.snapshot {
            var md = Metadata(signed: s.payload)
            let signedBytes = try Self.sign(&md, role: "snapshot", keys: s.keys, also: s.previousKeys, signers: signers)
            out.snapshot = LoadedMetadata(signed: md, signedBytes: signedBytes)
        }
        if var t = plan.timestamp {
            guard let snapshotBytes = out.snapshot?.bytes ?? publishedSnapshot?.bytes else {
                throw RepositoryError(.notInitialized, "nothing is published yet and no snapshot was signed")
            }
            t.payload.snapshotMeta = MetaFile(version: t.payload.snapshotMeta.version, describing: snapshotBytes, hashAlgorithms: [.sha256])
            var md = Metadata(signed: t.payload)
            let signedBytes = try Self.sign(&md, role: "timestamp", keys: t.keys, also: t.previousKeys, signers: signers)
            out.timestamp = LoadedMetadata(signed: md, signedBytes: signedBytes)
        }
        return out
    }
}
