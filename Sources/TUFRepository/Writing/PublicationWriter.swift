import TUFMetadata

/// Where the files a publication serves go: the repository folder (`RepositoryStore`), or a
/// bucket and then the folder (`BucketWriter`). `Repository.carryOut` drives it through a plan's steps, one call per step,
/// and starts a step only once the call before returned: a writer returns once its files are
/// durable and in place (acknowledged), so a crash between two steps leaves what clients can
/// reach verifiable. The journal, the state store and the staged files stay on this machine.
protocol PublicationWriter {
    /// Puts `batch.files` (paths relative to the repository, `RepositoryLayout`) in place together.
    func put(_ batch: WriteBatch) throws(RepositoryError)
    /// Removes files nothing references (the new names of a publication that failed before
    /// its timestamp); best effort, on the way out of a failure.
    func remove(_ paths: [String])
    /// Points each page's plain name at the bytes of its hash-prefixed copy (after the timestamp).
    func linkPlainNames(_ pages: [PlainPage]) throws(RepositoryError)
    /// Points each plain name at its hash-prefixed copy of `sha256`, which exists in the
    /// folder (a journal replay completing an interrupted publication).
    func relinkPlainNames(_ pages: [(path: String, sha256: String)]) throws(RepositoryError)
}

extension Repository {
    /// The writer of this command's publications: the bucket's when publishing to one.
    /// `publishedSnapshot` is the snapshot served before the publication (what the bucket holds).
    func publicationWriter(publishedSnapshot: Snapshot?) -> any PublicationWriter {
        guard let bucket else { return store }
        return BucketWriter(local: store, session: bucket, publishedSnapshot: publishedSnapshot)
    }
}
