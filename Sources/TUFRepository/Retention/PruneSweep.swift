/// What a prune takes away, decided before the first removal.
struct PruneSweep {
    /// Names below `metadata/`: role files no kept snapshot reaches, and temporary files.
    var metadata: [String]
    /// Paths below `targets/`: hash-prefixed copies no kept role lists, and temporary files.
    var targets: [String]

    static func isSnapshot(_ name: String) -> Bool { RetentionPlanner.removableName(name)?.role == "snapshot" }

    /// The metadata names in the order they go: role files, then snapshots (a crash part-way
    /// never leaves a kept snapshot without its files).
    var removalOrder: [String] { metadata.filter { !Self.isSnapshot($0) }.sorted() + metadata.filter(Self.isSnapshot).sorted() }
}
