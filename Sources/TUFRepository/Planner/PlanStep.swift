import TUFMetadata

/// One step of a publication, carried out in order: each is finished (its files durable, its
/// transaction committed) before the next begins. A crash between two steps leaves the
/// previous repository valid: every file before the timestamp has a new versioned name that
/// nothing references until the timestamp (or root) that names it is renamed in.
enum PlanStep {
    /// Files put together at one point of the publication (`PublicationWriter.put`).
    case write(WriteBatch)
    /// The plain page names to relink after the timestamp, made durable before it.
    case journal(PlainNameJournal)
    /// The state store's update, committed in the transaction the caller opened.
    case saveState(StateUpdate)
    /// Staged files now published or stale, removed.
    case removeStaged([RepositoryRole])
    /// The plain page names pointed at their new copies (then the journal is cleared).
    case plainNames([PlainPage])
}

/// Files written together at one point of a publication; paths are relative to the repository
/// (`RepositoryLayout`).
struct WriteBatch {
    var step: PublicationStep
    var files: [(path: String, bytes: [UInt8])]
}

/// A page whose plain name (`targets/simple/<p>/index.json`) gets these bytes after the
/// timestamp; its hash-prefixed copy was written before the metadata that names it.
struct PlainPage {
    var path: String
    var sha256: String
    var bytes: [UInt8]
}

/// What a publication saves to the state store, just before its timestamp: the bins it
/// signed or rebuilt, the pages it read or dropped, and the header naming the snapshot the
/// store now describes.
struct StateUpdate {
    var bins: [String: BinStates.Entry]
    var pages: PageChanges?
    /// Saved with the plan's snapshot version; nil leaves the stored header as it is.
    var header: StateStore.Header?

    /// Page records to store and paths to forget.
    struct PageChanges {
        var records: [PageRecord]
        var removed: [String]
    }
}
