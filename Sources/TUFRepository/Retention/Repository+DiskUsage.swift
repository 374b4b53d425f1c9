/// Disk used by the published repository.
public struct DiskUsage: Sendable, Equatable {
    public var metadataFiles = 0
    public var metadataBytes: Int64 = 0
    /// Hard links to one file (a page copy and its plain name) count once.
    public var targetsFiles = 0
    public var targetsBytes: Int64 = 0
}

extension Repository {
    /// Files and bytes under `metadata/` and `targets/`.
    public func diskUsage() throws(RepositoryError) -> DiskUsage {
        var u = DiskUsage()
        var seen = Set<[UInt64]>()
        try FileTree.walk(layout.metadataDirectory) { (f) throws(RepositoryError) in
            if seen.insert([f.device, f.inode]).inserted { u.metadataFiles += 1; u.metadataBytes += f.size }
        }
        try FileTree.walk(layout.targetsDirectory) { (f) throws(RepositoryError) in
            if seen.insert([f.device, f.inode]).inserted { u.targetsFiles += 1; u.targetsBytes += f.size }
        }
        return u
    }
}
