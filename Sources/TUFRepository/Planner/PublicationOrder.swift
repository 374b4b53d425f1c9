import TUFMetadata

/// One batch of files written together at one step of a publication.
struct WriteBatch {
    var step: PublicationStep
    var files: [(path: String, bytes: [UInt8])]
}

/// The order in which a signed plan reaches the disk. Pure. Everything a client can reach
/// only through a newer snapshot goes first (bins, targets, bins role), then the snapshot,
/// then the timestamp and a new root in the order `RootPlacement` finds safe.
enum PublicationOrder {
    static func batches(_ plan: PublicationPlan, _ signed: SignedPublication,
                        published: Repository.Published) -> Result<[WriteBatch], RepositoryError> {
        let roles = plan.roles
        guard let timestamp = signed.timestamp ?? published.timestamp, let snapshot = signed.snapshot ?? published.snapshot else {
            return .failure(RepositoryError(.notInitialized, "nothing is published yet and no timestamp was signed"))
        }
        // Before the first write: the new chain verifies as a client would check it (each bin
        // was checked against its delegation as it was signed).
        let after = PublicationChain(root: roles.root.signed, timestamp: timestamp, snapshot: snapshot, targets: roles.targets, bins: roles.bins)
        var before: PublicationChain?
        if let t = published.timestamp, let s = published.snapshot, let pt = published.targets, let pb = published.bins, let r = published.root {
            before = PublicationChain(root: r.signed, timestamp: t, snapshot: s, targets: pt, bins: pb)
        }
        let placement: RootPlacement
        switch RootPlacement.choose(oldRoot: roles.previousRoot, newRoot: roles.root.signed, before: before, after: after) {
        case .success(let p): placement = p
        case .failure(let e): return .failure(e)
        }

        var first = signed.bins
        if let b = roles.newBins { first.append((Repository.metadataPath("\(b.signed.version).bins.json"), b.bytes)) }
        if let t = roles.newTargets { first.append((Repository.metadataPath("\(t.signed.version).targets.json"), t.bytes)) }
        var out = [WriteBatch(step: .delegatedRoles, files: first)]
        if let s = signed.snapshot {
            out.append(WriteBatch(step: .snapshot, files: [(Repository.metadataPath("\(s.signed.version).snapshot.json"), s.bytes)]))
        }
        var rootBatch: WriteBatch?
        if let r = roles.newRoot {
            rootBatch = WriteBatch(step: .root, files: [(Repository.metadataPath("\(r.signed.version).root.json"), r.bytes),
                                                        (Repository.metadataPath("root.json"), r.bytes)])
        }
        if placement == .beforeTimestamp, let rootBatch { out.append(rootBatch) }
        if let t = signed.timestamp { out.append(WriteBatch(step: .timestamp, files: [(Repository.metadataPath("timestamp.json"), t.bytes)])) }
        if placement == .afterTimestamp, let rootBatch { out.append(rootBatch) }
        return .success(out)
    }
}
