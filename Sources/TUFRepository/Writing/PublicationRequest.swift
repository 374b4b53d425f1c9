import TUFMetadata

/// What a command asks of a publication (`Repository.publish`): the bin contents it wants,
/// the time, and what it needs saved with the publication.
struct PublicationRequest {
    var desired: DesiredTargets
    var mode: PublishMode
    var now: Expiry
    /// The state store, in a transaction the caller opened: the plan's state step saves the
    /// bins (and `pageChanges`, `header`) there and commits, just before the timestamp.
    var state: StateStore?
    /// An upload: only the states of the bins `desired` changes and of those due are loaded.
    var partialBins = false
    /// The pages read (generate): journaled before the timestamp and relinked after it; nil
    /// when no page was read.
    var plainNames: [PlainPage]?
    /// Page records to store and forget along with the bins (an incremental read).
    var pageChanges: StateUpdate.PageChanges?
    /// The header saved with the publication's snapshot version; nil keeps the stored one.
    var header: StateStore.Header?
    /// A new bin starts above these versions (rebin).
    var versionFloor: [String: Int64] = [:]

    init(desired: DesiredTargets, mode: PublishMode, now: Expiry, state: StateStore? = nil) {
        self.desired = desired; self.mode = mode; self.now = now; self.state = state
    }
}
