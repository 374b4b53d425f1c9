import TUFMetadata

/// The published top-level chain, followed as a client would: `root.json`, `timestamp.json`,
/// the snapshot it names, and the targets and bins roles that snapshot lists. Parts are nil
/// before the first publication.
struct PublishedChain {
    var root: LoadedMetadata<Root>?
    var timestamp: LoadedMetadata<Timestamp>?
    var snapshot: LoadedMetadata<Snapshot>?
    var targets: LoadedMetadata<Targets>?
    var bins: LoadedMetadata<Targets>?
}
