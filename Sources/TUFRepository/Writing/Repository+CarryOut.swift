import TUFMetadata

extension Repository {
    /// Carries out a plan's steps in order: files through `writer`, the journal, the state
    /// (on `state`, committing the caller's transaction) and the staged files here. Should a
    /// step fail before the timestamp is in place, the new metadata files nothing references
    /// yet are removed again, so a failed run leaves the metadata as it found it (a state
    /// saved ahead of a failed publication is checked against the published snapshot when
    /// read, and rebuilt). Returns the metadata files written, in order.
    func carryOut(_ steps: [PlanStep], state: StateStore?, writer: some PublicationWriter) throws(RepositoryError) -> [String] {
        var written: [String] = [], unreferenced: [String] = []
        do throws(RepositoryError) {
            for step in steps {
                switch step {
                case .write(let batch):
                    // New versioned names only: nothing references them until the timestamp.
                    if batch.step == .delegatedRoles || batch.step == .snapshot { unreferenced += batch.files.map(\.path) }
                    try writer.put(batch)
                    written += batch.files.map(\.path)
                    if batch.step == .timestamp { unreferenced = [] }
                case .journal(let journal):
                    try writePlainNameJournal(journal)
                case .saveState(let update):
                    try state?.save(update)
                case .removeStaged(let roles):
                    for role in roles { try FileIO.remove(layout.absolute(RepositoryLayout.staged(role))) }
                case .plainNames(let pages):
                    try writer.linkPlainNames(pages)
                    try clearPlainNameJournal()
                }
            }
        } catch {
            writer.remove(unreferenced)
            throw error
        }
        return written
    }
}

extension StateStore {
    /// Applies a plan's state step in the open transaction and commits it.
    func save(_ update: StateUpdate) throws(RepositoryError) {
        try setBins(update.bins)
        if let pages = update.pages {
            let writer = try pageWriter()
            try wrap { () throws(SQLiteError) in
                for r in pages.records { try writer.put(r) }
                for p in pages.removed { try writer.remove(p) }
            }
        }
        if let header = update.header { try setHeader(header) }
        try commit()
    }
}
