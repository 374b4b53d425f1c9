import TUFMetadata

/// The staged offline-role metadata (`staged/root.json`, `targets.json`, `bins.json`), each
/// collecting signatures until it reaches its threshold.
struct StagedRoles {
    var root: LoadedMetadata<Root>?
    var targets: LoadedMetadata<Targets>?
    var bins: LoadedMetadata<Targets>?
}
