import TUFFileSystem
import TUFMetadata

extension Repository {
    func loadPublicationLog() throws(RepositoryError) -> PublicationLog {
        (try FileIO.readIfPresent(layout.absolute(RepositoryLayout.publicationLogFile))).flatMap(PublicationLog.init(bytes:))
            ?? PublicationLog()
    }

    func savePublicationLog(_ log: PublicationLog) throws(RepositoryError) {
        try store.write([(RepositoryLayout.publicationLogFile, log.encoded())])
    }

    /// The snapshot version the current timestamp names, nil before the first publication.
    func currentSnapshotVersion() throws(RepositoryError) -> Int64? {
        try load(Timestamp.self, RepositoryLayout.timestampFile)?.signed.snapshotMeta.version
    }

    /// Records the time of the current snapshot, reading `clock` now: called by every
    /// command before its work (completing a record a crash skipped) and after it, so the
    /// time read is at or after the timestamp's rename and the window is never cut short.
    func recordPublication() throws(RepositoryError) {
        try recordPublication(now: clock.now())
    }

    /// Records, under the lock, `now` as the time the current snapshot was first seen
    /// published, when it has none yet.
    func recordPublication(now: Expiry) throws(RepositoryError) {
        guard let current = try currentSnapshotVersion() else { return }
        var log = try loadPublicationLog()
        guard log.published[current] == nil else { return }
        log.published[current] = now
        try savePublicationLog(log)
    }

    /// Removes, under the lock, the snapshots superseded longer than the policy's retention
    /// window before `clock.now()` and the role files and target copies only they reach
    /// (`RetentionPlanner`). Every file under `targets/` is examined, so copies a killed run
    /// left are swept too.
    public func prune(dryRun: Bool = false) throws(RepositoryError) -> PruneReport {
        try locked { () throws(RepositoryError) -> PruneReport in
            try pruneLocked(full: true, dryRun: dryRun, now: clock.now())
        }
    }

    /// The prune that ends a publishing command, at the time read from `clock` once the
    /// publication is in place; its outcome goes into `result`. Nothing to do is found from
    /// the log alone; when something is, the target copies examined are those the removed
    /// bins list, and every file under `targets/` once per window.
    func pruneAfterPublication(_ result: inout PublishResult) {
        let now = clock.now()
        do {
            try recordPublication(now: now)
            result.pruned = try pruneLocked(full: false, dryRun: false, now: now)
        } catch {
            result.pruneFailure = error.message
        }
    }

    /// The prune itself, at `now` (`RepositoryPrune`).
    func pruneLocked(full: Bool, dryRun: Bool, now: Expiry) throws(RepositoryError) -> PruneReport {
        try RepositoryPrune(repository: self, now: now).run(full: full, dryRun: dryRun)
    }
}
