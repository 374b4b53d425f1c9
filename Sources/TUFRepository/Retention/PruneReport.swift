import TUFCanonicalJSON

/// What a prune removed (or, dry, would remove).
public struct PruneReport: Sendable, Equatable {
    public var dryRun = false
    /// Snapshot versions kept: the current one and those superseded within the window.
    public var snapshotsKept: [Int64] = []
    public var snapshotsRemoved: [Int64] = []
    /// Files below `metadata/` and `targets/` removed, relative to those folders.
    public var metadataFiles: [String] = []
    public var targetFiles: [String] = []
    /// Bytes freed: files whose last link was removed.
    public var bytesFreed: Int64 = 0
    /// True when every file under `targets/` was examined (else only the copies the removed
    /// bins listed).
    public var fullSweep = false
    /// Keys removed from the bucket published to (or, dry, that would be), relative to its prefix.
    public var bucketKeys: [String] = []
    /// Snapshot versions the bucket holds and the folder does not, kept by the window: the
    /// bucket's own extras were left for a later sweep.
    public var bucketSnapshotsHeld: [Int64] = []

    public var isEmpty: Bool { metadataFiles.isEmpty && targetFiles.isEmpty }

    public var json: JSON {
        .object(JSONObject([
            .init(key: "bucket_keys", value: .array(bucketKeys.map { .string($0) })),
            .init(key: "bucket_snapshots_held", value: .array(bucketSnapshotsHeld.map { .int($0) })),
            .init(key: "bytes_freed", value: .int(bytesFreed)),
            .init(key: "dry_run", value: .bool(dryRun)),
            .init(key: "full_sweep", value: .bool(fullSweep)),
            .init(key: "metadata_files", value: .array(metadataFiles.map { .string($0) })),
            .init(key: "snapshots_kept", value: .array(snapshotsKept.map { .int($0) })),
            .init(key: "snapshots_removed", value: .array(snapshotsRemoved.map { .int($0) })),
            .init(key: "target_files", value: .array(targetFiles.map { .string($0) })),
        ]))
    }
}
