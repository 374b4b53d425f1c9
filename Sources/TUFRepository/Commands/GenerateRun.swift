import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// One `generate` under the lock: reads the index snapshot (the changes since the state
/// store, or every page) and publishes what it read, target files first, then the plan.
struct GenerateRun {
    let repository: Repository
    let index: String
    let signers: [Repository.SignerEntry]
    let linkFiles: Bool
    let scope: IndexSnapshot.ChangeScope
    let now: Expiry

    /// Reads the index and publishes, in one transaction of the state store; `trustState`
    /// false reads every page whatever the store says.
    func publish(trustState: Bool) throws(RepositoryError) -> PublishResult {
        let state = try StateStore.open(repository: repository.path)
        try state.begin()
        // Undone unless the publication's state step committed it (then this does nothing).
        defer { state.rollback() }
        let read = try readIndex(policy: try repository.policy(), state: state, trustState: trustState)
        return try publish(read, state: state)
    }

    /// An index snapshot as `generate` read it: in full, or the changes since the state store.
    struct IndexRead {
        var snapshot: IndexSnapshot
        var desired: DesiredTargets
        /// The changes (incremental reads only).
        var incremental: IndexSnapshot.Incremental?
        var header: StateStore.Header
    }

    /// Reads the index: only what changed when the store matches the published snapshot (a
    /// store made with --link-files also serves a run without, not the other way round), else
    /// every page, refilling the store's pages as it goes (in the run's transaction).
    func readIndex(policy: RepositoryPolicy, state: StateStore, trustState: Bool) throws(RepositoryError) -> IndexRead {
        let layout = policy.bins
        let snapshotVersion = try repository.load(Timestamp.self, RepositoryLayout.timestampFile)?.signed.snapshotMeta.version
        let header = StateStore.Header(snapshotVersion: snapshotVersion ?? 0, algorithms: StateStore.Header.algorithmNames(policy.hashAlgorithms),
                                       binCount: layout.count, linkFiles: linkFiles)
        let paths = repository.layout
        let keepBytes: @Sendable (String, String) -> Bool = { p, sha in
            !Repository.isTargetCurrent(p, sha256: sha, in: paths)
        }
        let reportRead = repository.progress.map { pr in { (n: Int, total: Int) in pr.update("pages read", done: n, total: total) } }
        defer { repository.progress?.finish() }
        if trustState, snapshotVersion != nil, !state.fresh, let stored = try state.header(), stored.snapshotVersion == header.snapshotVersion,
           stored.algorithms == header.algorithms, stored.binCount == header.binCount, stored.linkFiles || !linkFiles {
            // A rescan is the cron's full check: it also asks SQLite to check the file.
            if case .rescan = scope, !state.isIntact() { throw RepositoryError(.damagedState, "state store: quick_check failed") }
            if let changes = try IndexSnapshot.readChanges(index: index, hashAlgorithms: policy.hashAlgorithms, store: state, scope: scope,
                                                           layout: layout, keepBytes: keepBytes, progress: reportRead) {
                return IndexRead(snapshot: changes.snapshot, desired: .changes(changes.changes), incremental: changes, header: header)
            }
        }
        try state.clearPages()
        let writer = try state.pageWriter()
        let snapshot = try IndexSnapshot.read(index: index, hashAlgorithms: policy.hashAlgorithms, keepBytes: keepBytes, progress: reportRead,
                                              onPage: { (r) throws(RepositoryError) in try state.wrap { () throws(SQLiteError) in try writer.put(r, fresh: true) } })
        var all = [[String: TargetFile]](repeating: [:], count: layout.count)
        for (p, file) in snapshot.targets { all[layout.bin(for: p)][p] = file }
        return IndexRead(snapshot: snapshot, desired: .all(all), incremental: nil, header: header)
    }

    /// Publishes what `read` found: target files first (even when nothing will publish, so
    /// every file to link is checked on every run that reads it; new names only, removed again
    /// should the publication fail), then the metadata with the state (the pages read, the
    /// header) committed just before the timestamp, then the plain page names.
    func publish(_ read: IndexRead, state: StateStore) throws(RepositoryError) -> PublishResult {
        let snapshot = read.snapshot
        let created = try repository.writeTargetFiles(snapshot, index: index, linkFiles: linkFiles)
        var request = PublicationRequest(desired: read.desired, mode: .refresh, now: now, state: state)
        request.partialBins = read.incremental != nil
        request.plainNames = snapshot.pageBytes.map { PlainPage(path: $0.key, sha256: snapshot.pages[$0.key]!, bytes: $0.value) }
        request.pageChanges = read.incremental.map { StateUpdate.PageChanges(records: $0.records, removed: $0.removed) }
        request.header = read.header
        do throws(RepositoryError) {
            var result = try repository.publish(request, signers: signers)
            result.skipped = read.incremental?.skipped ?? []
            return result
        } catch {
            // Only while no timestamp names them: after it, they are published.
            let current = try? repository.load(Timestamp.self, RepositoryLayout.timestampFile)?.signed.snapshotMeta.version
            if current ?? 0 == read.header.snapshotVersion { for p in created { _ = try? FileIO.remove(repository.layout.absolute(p)) } }
            throw error
        }
    }
}
