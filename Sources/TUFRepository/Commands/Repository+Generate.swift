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
            let run = GenerateRun(repository: self, index: index, signers: signers.map(SignerEntry.init), linkFiles: linkFiles,
                                  scope: scope, now: now)
            var result: PublishResult
            do throws(RepositoryError) {
                result = try run.publish(trustState: replay.missing.isEmpty)
            } catch where error.code == .damagedState || error.code == .unverifiedPublished {
                // Nothing was published from the damaged store (its transaction is rolled back);
                // a full read needs no published targets to build on.
                StateStore.remove(repository: path)
                result = try run.publish(trustState: false)
            }
            pruneAfterPublication(&result)
            return result
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
