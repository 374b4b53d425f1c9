import TUFFileSystem
import TUFMetadata

/// One prune of a repository, under its lock, at `now`: the retention planner's snapshot
/// split, the marks of what the kept snapshots reach, the removal in the folder (target
/// copies, role files, snapshots last) and the same in the bucket published to.
struct RepositoryPrune {
    let repository: Repository
    let now: Expiry

    private var layout: RepositoryLayout { repository.layout }

    /// The prune itself: everything is marked before the first removal, and what is removed
    /// is unreachable from every kept snapshot, so a crash part-way leaves a valid repository
    /// (and garbage that the next prune finds again). Target copies go first, snapshots last.
    func run(full: Bool, dryRun: Bool) throws(RepositoryError) -> PruneReport {
        let policy = try repository.policy()
        var report = PruneReport(dryRun: dryRun)
        guard let current = try repository.currentSnapshotVersion() else { return report }
        var log = try repository.loadPublicationLog()
        if log.published[current] == nil { log.published[current] = now }
        let planner = RetentionPlanner(currentSnapshot: current, log: log, now: now, window: policy.retention)
        let fullSweep = full || now.seconds(since: log.lastFullSweep) >= policy.retention
        // The quick answer: the oldest snapshot left is still kept, and no full sweep is due.
        if !fullSweep, let oldest = log.oldestOnDisk, planner.snapshots(onDisk: [oldest]).removed.isEmpty { return report }

        let names = FileSystem.list(layout.metadataDirectory)
        let (kept, removed) = planner.snapshots(onDisk: names.compactMap(Self.snapshotVersion))
        report.snapshotsKept = kept; report.snapshotsRemoved = removed
        let temporary = names.filter(FileTree.isTemporary)
        if removed.isEmpty, temporary.isEmpty, !fullSweep {
            if !dryRun, log.oldestOnDisk != kept.first { log.oldestOnDisk = kept.first; try repository.savePublicationLog(log) }
            return report
        }
        let sweep = try pruneSweep(kept: kept, metadataNames: names, temporary: temporary,
                                   targetCandidates: fullSweep ? try everyTargetCopy() : nil)
        try remove(sweep, dryRun: dryRun, into: &report)
        if let bucket = repository.bucket {
            try sweepBucket(bucket, after: sweep, kept: kept, onDisk: Set(kept + removed), planner: planner, fullSweep: fullSweep,
                            dryRun: dryRun, into: &report)
        }
        report.fullSweep = fullSweep
        if !dryRun {
            for v in removed { log.published[v] = nil }
            log.oldestOnDisk = kept.first
            if fullSweep { log.lastFullSweep = now }
            try repository.savePublicationLog(log)
        }
        return report
    }

    /// The version of a `N.snapshot.json` name, nil for any other name.
    private static func snapshotVersion(_ name: String) -> Int64? {
        RetentionPlanner.removableName(name).flatMap { $0.role == "snapshot" ? $0.version : nil }
    }

    /// Marks what the kept snapshots reach (the role files, and the target copies their roles
    /// list) and returns the rest of `metadataNames`, and of the target copies examined:
    /// `targetCandidates`, or when nil those the unmarked role files list.
    private func pruneSweep(kept: [Int64], metadataNames names: [String], temporary: [String],
                            targetCandidates: [String]?) throws(RepositoryError) -> PruneSweep {
        var marked: Set<String> = []
        var marks = TargetMarks()
        for v in kept {
            let s = try repository.require(Snapshot.self, RepositoryLayout.metadata(role: "snapshot", version: v)).signed
            marked.formUnion(RetentionPlanner.files(ofSnapshot: v, s))
            marks.add(s)
        }
        let metadata = names.filter { RetentionPlanner.removableName($0) != nil && !marked.contains($0) } + temporary
        let candidates = targetCandidates ?? targetCopies(listedBy: metadata)
        var targets: [String] = []
        for c in candidates {
            guard let t = RetentionPlanner.hashPrefixedTarget(c) else { targets.append(c); continue }
            if try !marks.lists(t.path, sha256: t.sha256, in: repository) { targets.append(c) }
        }
        return PruneSweep(metadata: metadata, targets: targets)
    }

    /// Every hash-prefixed copy and temporary file under `targets/` (the full sweep).
    private func everyTargetCopy() throws(RepositoryError) -> [String] {
        var candidates: [String] = []
        try FileTree.walk(layout.targetsDirectory) { (f) throws(RepositoryError) in
            let name = TargetPath.splitLast(f.relative).name
            if RetentionPlanner.hashPrefixedTarget(f.relative) != nil || FileTree.isTemporary(name) { candidates.append(f.relative) }
        }
        return candidates
    }

    /// The hash-prefixed copies of the targets that the role files in `metadata` list.
    private func targetCopies(listedBy metadata: [String]) -> [String] {
        var seen = Set<String>(), candidates: [String] = []
        for n in metadata {
            guard let r = RetentionPlanner.removableName(n), r.role != "snapshot",
                  let l = try? repository.load(Targets.self, RepositoryLayout.metadata(n)) else { continue }
            for (p, file) in l.signed.targets {
                guard let sha = file.hashes["sha256"], TargetPath.isSafe(p) else { continue }
                let copy = TargetPath.hashPrefixed(p, digest: sha)
                if seen.insert(copy).inserted { candidates.append(copy) }
            }
        }
        return candidates
    }

    /// Removes (or, dry, counts) what `sweep` lists: target copies first, then role files,
    /// snapshots last, so a crash part-way never leaves a kept snapshot without its files.
    private func remove(_ sweep: PruneSweep, dryRun: Bool, into report: inout PruneReport) throws(RepositoryError) {
        var freed = FreedBytes()
        for t in sweep.targets {
            if try freed.remove(t, below: layout.targetsDirectory, dryRun: dryRun) { report.targetFiles.append(t) }
        }
        for m in sweep.removalOrder {
            if try freed.remove(m, below: layout.metadataDirectory, dryRun: dryRun) { report.metadataFiles.append(m) }
        }
        report.bytesFreed = freed.bytes
    }

    /// The same in the bucket (level with the folder: `BucketSync` ran under the lock): what
    /// the folder's sweep removed and, on a full sweep, every other key of the bucket's
    /// listing that no kept snapshot reaches by the same marks (copies and versions a killed
    /// run left there). Plain names, roots and `timestamp.json` are never candidates. A
    /// snapshot the bucket holds and the folder never had (a folder that took over from the
    /// bucket) is judged by the same window; while one is kept, the bucket's extras wait for a
    /// later sweep: what it reaches cannot be marked from here.
    private func sweepBucket(_ bucket: BucketPublication, after local: PruneSweep, kept: [Int64], onDisk: Set<Int64>,
                             planner: RetentionPlanner, fullSweep: Bool, dryRun: Bool,
                             into report: inout PruneReport) throws(RepositoryError) {
        var sweep = PruneSweep(metadata: local.metadata.filter { !FileTree.isTemporary($0) },
                               targets: local.targets.filter { !FileTree.isTemporary(TargetPath.splitLast($0).name) })
        if fullSweep {
            let metadataFolder = RepositoryLayout.metadataFolder + "/", targetsFolder = RepositoryLayout.targetsFolder + "/"
            let names = try bucket.bucket.list(metadataFolder).keys.map { String($0.dropFirst(metadataFolder.count)) }.filter { !$0.contains("/") }
            report.bucketSnapshotsHeld = planner.snapshots(onDisk: names.compactMap(Self.snapshotVersion).filter { !onDisk.contains($0) }).kept
            if report.bucketSnapshotsHeld.isEmpty {
                let copies = try bucket.bucket.list(targetsFolder).keys.map { String($0.dropFirst(targetsFolder.count)) }
                    .filter { RetentionPlanner.hashPrefixedTarget($0) != nil }
                let remote = try pruneSweep(kept: kept, metadataNames: names, temporary: [], targetCandidates: copies)
                sweep.metadata = Array(Set(sweep.metadata).union(remote.metadata))
                sweep.targets = Array(Set(sweep.targets).union(remote.targets)).sorted()
            }
        }
        let keys = sweep.targets.map(RepositoryLayout.target) + sweep.removalOrder.map(RepositoryLayout.metadata)
        report.bucketKeys = keys
        if dryRun || keys.isEmpty { return }
        // In the order of the folder's removals, one step after the other.
        try bucket.bucket.delete(sweep.targets.map(RepositoryLayout.target))
        try bucket.bucket.delete(sweep.removalOrder.filter { !PruneSweep.isSnapshot($0) }.map(RepositoryLayout.metadata))
        try bucket.bucket.delete(sweep.removalOrder.filter(PruneSweep.isSnapshot).map(RepositoryLayout.metadata))
    }
}
