import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

extension Repository {
    /// Reads the index snapshot at `index` and publishes the bins that changed or must be
    /// refreshed, then snapshot and timestamp, signed with the online `signers`; also writes the
    /// pages (and, with `linkFiles`, hard links of the distribution files) under `targets/`.
    /// Nothing is written when the index fails to read or a needed key is missing.
    ///
    /// With a state store that matches the published snapshot, only pages whose status (size,
    /// mtime, ctime, inode) changed are read, and only the bins they touch are rebuilt. With
    /// `projects` (an upload: names as given, normalized here), only those projects' pages are
    /// read (and the project list, when it changed); `skipUnknown` drops names that are neither
    /// listed nor published instead of failing (the queue). A missing, damaged or stale store
    /// is rebuilt from the published bins and a full read of the index.
    public func generate(index: String, signers: [any Signer], linkFiles: Bool = false, projects: [String]? = nil,
                         skipUnknown: Bool = false, now: Expiry) throws(RepositoryError) -> PublishResult {
        var scope = IndexSnapshot.ChangeScope.rescan
        if let projects {
            scope = .projects(try Self.normalizedProjectNames(projects), skipUnknown: skipUnknown)
        }
        // A journal whose page copies are gone is completed by reading every page again.
        return try locked(repairing: true) { (replay) throws(RepositoryError) -> PublishResult in
            var index = index
            while index.count > 1, index.hasSuffix("/") { index.removeLast() }
            let signers = signers.map(SignerEntry.init)
            var result: PublishResult
            do throws(RepositoryError) {
                result = try generate(index, signers: signers, linkFiles: linkFiles, scope: scope, trustState: replay.missing.isEmpty, now: now)
            } catch where error.code == .damagedState || error.code == .unverifiedPublished {
                // Nothing was published from the damaged store (its transaction is rolled back);
                // a full read needs no published targets to build on.
                StateStore.remove(repository: path)
                result = try generate(index, signers: signers, linkFiles: linkFiles, scope: scope, trustState: false, now: now)
            }
            pruneAfterPublication(&result)
            return result
        }
    }

    private func generate(_ index: String, signers: [SignerEntry], linkFiles: Bool, scope: IndexSnapshot.ChangeScope,
                          trustState: Bool, now: Expiry) throws(RepositoryError) -> PublishResult {
        let state = try StateStore.open(repository: path)
        try state.begin()
        // Undone unless the publication's state step committed it (then this does nothing).
        defer { state.rollback() }
        let read = try readIndex(index, policy: try policy(), state: state, scope: scope, linkFiles: linkFiles, trustState: trustState)
        return try publish(read, index: index, signers: signers, linkFiles: linkFiles, now: now, state: state)
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
    func readIndex(_ index: String, policy: RepositoryPolicy, state: StateStore, scope: IndexSnapshot.ChangeScope,
                   linkFiles: Bool, trustState: Bool) throws(RepositoryError) -> IndexRead {
        let layout = policy.bins
        let snapshotVersion = try load(Timestamp.self, RepositoryLayout.timestampFile)?.signed.snapshotMeta.version
        let header = StateStore.Header(snapshotVersion: snapshotVersion ?? 0, algorithms: StateStore.Header.algorithmNames(policy.hashAlgorithms),
                                       binCount: layout.count, linkFiles: linkFiles)
        let paths = self.layout
        let keepBytes: @Sendable (String, String) -> Bool = { p, sha in
            !Repository.isTargetCurrent(p, sha256: sha, in: paths)
        }
        let reportRead = progress.map { pr in { (n: Int, total: Int) in pr.update("pages read", done: n, total: total) } }
        defer { progress?.finish() }
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
    func publish(_ read: IndexRead, index: String, signers: [SignerEntry], linkFiles: Bool, now: Expiry,
                 state: StateStore) throws(RepositoryError) -> PublishResult {
        let snapshot = read.snapshot
        let created = try writeTargetFiles(snapshot, index: index, linkFiles: linkFiles)
        var request = PublicationRequest(desired: read.desired, mode: .refresh, now: now, state: state)
        request.partialBins = read.incremental != nil
        request.plainNames = snapshot.pageBytes.map { PlainPage(path: $0.key, sha256: snapshot.pages[$0.key]!, bytes: $0.value) }
        request.pageChanges = read.incremental.map { StateUpdate.PageChanges(records: $0.records, removed: $0.removed) }
        request.header = read.header
        do throws(RepositoryError) {
            var result = try publish(request, signers: signers)
            result.skipped = read.incremental?.skipped ?? []
            return result
        } catch {
            // Only while no timestamp names them: after it, they are published.
            let current = try? load(Timestamp.self, RepositoryLayout.timestampFile)?.signed.snapshotMeta.version
            if current ?? 0 == read.header.snapshotVersion { for p in created { _ = try? FileIO.remove(layout.absolute(p)) } }
            throw error
        }
    }

    /// `publish` for commands that change no page (`sign`): the bin states it re-signs or
    /// rebuilds go to the store, whose header follows the new snapshot only when it described
    /// the published one. A damaged store is dropped (the next `generate` rebuilds it).
    func publishKeepingState(signers: [SignerEntry], desired: DesiredTargets, mode: PublishMode, now: Expiry) throws(RepositoryError) -> PublishResult {
        let stateless = PublicationRequest(desired: desired, mode: mode, now: now)
        guard let state = try? StateStore.open(repository: path) else { return try publish(stateless, signers: signers) }
        do throws(RepositoryError) {
            let published = try load(Timestamp.self, RepositoryLayout.timestampFile)?.signed.snapshotMeta.version
            var request = PublicationRequest(desired: desired, mode: mode, now: now, state: state)
            request.header = try state.header().flatMap { $0.snapshotVersion == published ? $0 : nil }
            try state.begin()
            // Undone unless the publication's state step committed it (then this does nothing).
            defer { state.rollback() }
            return try publish(request, signers: signers)
        } catch where error.code == .damagedState {
            StateStore.remove(repository: path)
            return try publish(stateless, signers: signers)
        }
    }
}

extension Repository {
    /// Project names as given by an operator or an upload hook, normalized (PEP 503); a name
    /// that cannot be a project's (PEP 508) is an invalid argument, shown escaped.
    static func normalizedProjectNames(_ names: [String]) throws(RepositoryError) -> [String] {
        var out: [String] = []
        out.reserveCapacity(names.count)
        for name in names {
            let n = PackageIndex.normalize(name)
            guard PackageIndex.isUsableProjectName(n) else {
                throw RepositoryError(.invalidArgument, "\(DisplayText.escaped(name)): not a usable project name")
            }
            out.append(n)
        }
        return out
    }
}
