import TUFCanonicalJSON

extension RepositoryStatus {
    /// The disk part of `status --json`.
    var diskJSON: JSON {
        .object(JSONObject([
            .init(key: "metadata_bytes", value: .int(disk.metadataBytes)),
            .init(key: "metadata_files", value: .int(Int64(disk.metadataFiles))),
            .init(key: "prunable_bytes", value: .int(prunable.bytesFreed)),
            .init(key: "prunable_files", value: .int(Int64(prunable.metadataFiles.count + prunable.targetFiles.count))),
            .init(key: "prunable_snapshots", value: .array(prunable.snapshotsRemoved.map { .int($0) })),
            .init(key: "retention", value: .string(DurationText.format(retention))),
            .init(key: "snapshots_kept", value: .int(Int64(prunable.snapshotsKept.count))),
            .init(key: "targets_bytes", value: .int(disk.targetsBytes)),
            .init(key: "targets_files", value: .int(Int64(disk.targetsFiles))),
        ]))
    }

    /// The disk part of `status`.
    var diskText: String {
        let files = prunable.metadataFiles.count + prunable.targetFiles.count
        return "disk:\n"
            + "  metadata: \(disk.metadataFiles) files, \(disk.metadataBytes) bytes; targets: \(disk.targetsFiles) files, \(disk.targetsBytes) bytes\n"
            + "  retention \(DurationText.format(retention)): \(prunable.snapshotsKept.count) snapshots kept; "
            + (files == 0 ? "nothing to prune\n" : "prune would remove \(prunable.snapshotsRemoved.count) snapshots, \(files) files, \(prunable.bytesFreed) bytes\n")
    }
}
