import Glibc
import TUFCanonicalJSON
import TUFFileSystem
import TUFMetadata

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

    public var isEmpty: Bool { metadataFiles.isEmpty && targetFiles.isEmpty }

    public var json: JSON {
        .object(JSONObject([
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

/// Disk used by the published repository.
public struct DiskUsage: Sendable, Equatable {
    public var metadataFiles = 0
    public var metadataBytes: Int64 = 0
    /// Hard links to one file (a page copy and its plain name) count once.
    public var targetsFiles = 0
    public var targetsBytes: Int64 = 0
}

extension Repository {
    /// The time now, in seconds: the clock the publication log is written with.
    public static func wallClock() -> Int64 { Int64(time(nil)) }

    func loadPublicationLog() throws(RepositoryError) -> PublicationLog {
        (try FileIO.readIfPresent(path + "/" + PublicationLog.file)).flatMap(PublicationLog.init(bytes:)) ?? PublicationLog()
    }

    /// The snapshot version the current timestamp names, nil before the first publication.
    func currentSnapshotVersion() throws(RepositoryError) -> Int64? {
        try load(Timestamp.self, Self.metadataPath("timestamp.json"))?.signed.snapshotMeta.version
    }

    /// Records, under the lock, the time the current snapshot was first seen published, when
    /// it has none yet. Called by every command after its work (so the time is at or after
    /// the timestamp's rename) and before it (completing a record a crash skipped).
    func recordPublication(now: Int64 = Repository.wallClock()) throws(RepositoryError) {
        guard let current = try currentSnapshotVersion() else { return }
        var log = try loadPublicationLog()
        guard log.published[current] == nil else { return }
        log.published[current] = now
        try store.write([(PublicationLog.file, log.encoded())])
    }

    /// Removes, under the lock, the snapshots superseded longer than the policy's retention
    /// window ago and the role files and target copies only they reach (`RetentionPlanner`).
    /// Every file under `targets/` is examined, so copies a killed run left are swept too.
    public func prune(dryRun: Bool = false, now: Int64 = Repository.wallClock()) throws(RepositoryError) -> PruneReport {
        try locked { () throws(RepositoryError) -> PruneReport in
            try pruneLocked(full: true, dryRun: dryRun, now: now)
        }
    }

    /// The prune that ends `generate` and `timestamp`: nothing to do is found from the log
    /// alone; when something is, the target copies examined are those the removed bins list,
    /// and every file under `targets/` once per window.
    func autoPrune(now: Int64 = Repository.wallClock()) throws(RepositoryError) -> PruneReport {
        try recordPublication(now: now)
        return try pruneLocked(full: false, dryRun: false, now: now)
    }

    /// `autoPrune` for the end of a publishing command: its outcome goes into `result`.
    func pruneAfterPublication(_ result: inout PublishResult) {
        do { result.pruned = try autoPrune() } catch { result.pruneFailure = error.message }
    }

    /// The prune itself: everything is marked before the first removal, and what is removed
    /// is unreachable from every kept snapshot, so a crash part-way leaves a valid repository
    /// (and garbage that the next prune finds again). Target copies go first, snapshots last.
    func pruneLocked(full: Bool, dryRun: Bool, now: Int64) throws(RepositoryError) -> PruneReport {
        let policy = try policy()
        var report = PruneReport(dryRun: dryRun)
        guard let current = try currentSnapshotVersion() else { return report }
        var log = try loadPublicationLog()
        if log.published[current] == nil { log.published[current] = now }
        let planner = RetentionPlanner(currentSnapshot: current, log: log, now: now, window: policy.retention)
        let fullSweep = full || now - log.lastFullSweep >= policy.retention
        // The quick answer: the oldest snapshot left is still kept, and no full sweep is due.
        if !fullSweep, let oldest = log.oldestOnDisk, planner.snapshots(onDisk: [oldest]).removed.isEmpty { return report }

        let metadataDirectory = path + "/metadata"
        let names = FileSystem.list(metadataDirectory)
        var onDisk: [Int64] = []
        for n in names { if let r = RetentionPlanner.removableName(n), r.role == "snapshot" { onDisk.append(r.version) } }
        let (kept, removed) = planner.snapshots(onDisk: onDisk)
        report.snapshotsKept = kept; report.snapshotsRemoved = removed
        let temporary = names.filter(FileTree.isTemporary)
        if removed.isEmpty, temporary.isEmpty, !fullSweep {
            if !dryRun, log.oldestOnDisk != kept.first { log.oldestOnDisk = kept.first; try store.write([(PublicationLog.file, log.encoded())]) }
            return report
        }

        // Mark: the files each kept snapshot reaches, and the role versions it lists.
        var marked: Set<String> = []
        var marks = TargetMarks()
        for v in kept {
            let s = try require(Snapshot.self, Self.metadataPath("\(v).snapshot.json")).signed
            marked.formUnion(RetentionPlanner.files(ofSnapshot: v, s))
            marks.add(s)
        }
        let metadataToRemove = names.filter { RetentionPlanner.removableName($0) != nil && !marked.contains($0) } + temporary

        // The target copies to examine, and which of them no kept role lists.
        var candidates: [String] = []
        if fullSweep {
            try FileTree.walk(path + "/targets") { (f) throws(RepositoryError) in
                let name = TargetPath.splitLast(f.relative).name
                if RetentionPlanner.hashPrefixedTarget(f.relative) != nil || FileTree.isTemporary(name) { candidates.append(f.relative) }
            }
        } else {
            var seen = Set<String>()
            for n in metadataToRemove {
                guard let r = RetentionPlanner.removableName(n), r.role != "snapshot",
                      let l = try? load(Targets.self, Self.metadataPath(n)) else { continue }
                for (p, file) in l.signed.targets {
                    guard let sha = file.hashes["sha256"], TargetPath.isSafe(p) else { continue }
                    let copy = TargetPath.hashPrefixed(p, digest: sha)
                    if seen.insert(copy).inserted { candidates.append(copy) }
                }
            }
        }
        var targetsToRemove: [String] = []
        for c in candidates {
            guard let t = RetentionPlanner.hashPrefixedTarget(c) else { targetsToRemove.append(c); continue }
            if try !marks.lists(t.path, sha256: t.sha256, in: self) { targetsToRemove.append(c) }
        }

        // Sweep.
        var freed = FreedBytes()
        for t in targetsToRemove {
            if try freed.remove(t, below: path + "/targets", dryRun: dryRun) { report.targetFiles.append(t) }
        }
        let snapshotsLast = metadataToRemove.filter { RetentionPlanner.removableName($0)?.role != "snapshot" }
            + metadataToRemove.filter { RetentionPlanner.removableName($0)?.role == "snapshot" }
        for m in snapshotsLast {
            if try freed.remove(m, below: metadataDirectory, dryRun: dryRun) { report.metadataFiles.append(m) }
        }
        report.bytesFreed = freed.bytes
        report.fullSweep = fullSweep
        if !dryRun {
            for v in removed { log.published[v] = nil }
            log.oldestOnDisk = kept.first
            if fullSweep { log.lastFullSweep = now }
            try store.write([(PublicationLog.file, log.encoded())])
        }
        return report
    }

    /// Files and bytes under `metadata/` and `targets/`.
    public func diskUsage() throws(RepositoryError) -> DiskUsage {
        var u = DiskUsage()
        var seen = Set<[UInt64]>()
        try FileTree.walk(path + "/metadata") { (f) throws(RepositoryError) in
            if seen.insert([f.device, f.inode]).inserted { u.metadataFiles += 1; u.metadataBytes += f.size }
        }
        try FileTree.walk(path + "/targets") { (f) throws(RepositoryError) in
            if seen.insert([f.device, f.inode]).inserted { u.targetsFiles += 1; u.targetsBytes += f.size }
        }
        return u
    }
}

/// The targets the kept snapshots reach, looked up the way a client finds them: by the bin
/// each kept layout puts a path in, at every version a kept snapshot lists for that bin (and
/// the top-level targets). A snapshot whose roles are not one hashed-bin layout makes every
/// listed role a place to look. Role files are read once, when first needed.
private struct TargetMarks {
    var layouts: [HashedBins] = []
    /// Role name (without `.json`) → the versions kept snapshots list.
    var versions: [String: Set<Int64>] = [:]
    var unknownLayout = false
    var loaded: [String: [String: TargetFile]] = [:]

    mutating func add(_ snapshot: Snapshot) {
        for (name, meta) in snapshot.meta { versions[String(name.dropLast(5)), default: []].insert(meta.version) }
        if let l = RetentionPlanner.layout(of: snapshot) {
            if !layouts.contains(l) { layouts.append(l) }
        } else {
            unknownLayout = true
        }
    }

    /// True when a kept role lists `path` with this sha256.
    mutating func lists(_ path: String, sha256: String, in repo: Repository) throws(RepositoryError) -> Bool {
        var roles = ["targets"]
        if unknownLayout { roles = Array(versions.keys) } else { roles += layouts.map { $0.name(ofBin: $0.bin(for: path)) } }
        for role in roles {
            for v in versions[role] ?? [] {
                let file = "\(v).\(role).json"
                if loaded[file] == nil {
                    loaded[file] = try repo.require(Targets.self, Repository.metadataPath(file)).signed.targets
                }
                if loaded[file]![path]?.hashes["sha256"] == sha256 { return true }
            }
        }
        return false
    }
}

/// Counts the bytes a removal frees: a file's size once its last link is gone.
private struct FreedBytes {
    var bytes: Int64 = 0
    var linksLeft: [[UInt64]: UInt64] = [:]

    mutating func remove(_ relative: String, below root: String, dryRun: Bool) throws(RepositoryError) -> Bool {
        var st = stat()
        guard lstat(root + "/" + relative, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return false }
        let id = [UInt64(st.st_dev), UInt64(st.st_ino)]
        if !dryRun { guard try FileTree.remove(relative, below: root) else { return false } }
        let left = (linksLeft[id] ?? UInt64(st.st_nlink)) - 1
        linksLeft[id] = left
        if left == 0 { bytes += Int64(st.st_size) }
        return true
    }
}

extension Repository {
    /// Changes the policy's retention window, under the lock.
    public func setRetention(_ seconds: Int64) throws(RepositoryError) {
        try locked { () throws(RepositoryError) in
            var p = try policy()
            guard seconds >= 0 else { throw RepositoryError(.invalidArgument, "the retention window must not be negative") }
            p.retention = seconds
            try store.write([(Self.policyFile, p.encoded())])
        }
    }
}
