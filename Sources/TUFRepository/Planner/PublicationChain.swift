@_spi(Publication) import TUFClient
import TUFMetadata

/// The top of a repository as a client walks it (spec 5.3–5.6): a root it trusts, maybe the
/// next root, `timestamp.json`, the snapshot it names, and the targets and bins roles that
/// snapshot lists. `verify` runs it through the client's own rules (`TrustedMetadataSet`),
/// so the repository checks what it publishes exactly as clients will.
struct PublicationChain {
    var root: LoadedMetadata<Root>
    var newRoot: LoadedMetadata<Root>?
    var timestamp: LoadedMetadata<Timestamp>
    var snapshot: LoadedMetadata<Snapshot>
    var targets: LoadedMetadata<Targets>
    var bins: LoadedMetadata<Targets>

    /// Throws the client's error (with its code) for the first check this chain fails.
    /// Expiry is not checked: a publication may lawfully keep an old role. Signatures are
    /// checked through each role's memo, so the multi-megabyte bins role is verified once a run.
    func verify(at time: Expiry) throws(ClientError) {
        var set = try TrustedMetadataSet(rootBytes: root.bytes, referenceTime: time, checkExpiry: false)
        if let newRoot { try set.updateRoot(newRoot.bytes) }
        try set.updateTimestamp(Self.candidate(timestamp))
        try set.updateSnapshot(Self.candidate(snapshot))
        try set.updateDelegatedTargets(Self.candidate(targets), role: "targets", delegator: "root")
        try set.updateDelegatedTargets(Self.candidate(bins), role: "bins", delegator: "targets")
    }

    private static func candidate<P>(_ l: LoadedMetadata<P>) -> TrustedMetadataSet.Candidate<P, [UInt8]> {
        .init(bytes: l.bytes, metadata: l.metadata, signedBytes: l.signedBytes) { l.verification(under: $0) }
    }

    /// The published chain, when everything is published.
    init?(published p: PublishedChain) {
        guard let root = p.root, let t = p.timestamp, let s = p.snapshot, let targets = p.targets, let bins = p.bins else { return nil }
        self.init(root: root, newRoot: nil, timestamp: t, snapshot: s, targets: targets, bins: bins)
    }

    init(root: LoadedMetadata<Root>, newRoot: LoadedMetadata<Root>?, timestamp: LoadedMetadata<Timestamp>,
         snapshot: LoadedMetadata<Snapshot>, targets: LoadedMetadata<Targets>, bins: LoadedMetadata<Targets>) {
        self.root = root; self.newRoot = newRoot; self.timestamp = timestamp; self.snapshot = snapshot
        self.targets = targets; self.bins = bins
    }
}
