import TUFMetadata

/// When each snapshot version became the published one, kept in `REPO/journal/publications.tsv`
/// (`RepositoryLayout.publicationLogFile`)
/// for retention: a superseded snapshot is kept until the window has passed since the next
/// one was published, because a client that read the old timestamp just before may still
/// fetch what the old snapshot lists.
///
/// A time is recorded after the timestamp naming the snapshot is in place (or, after a crash
/// in between, by the next command, with its own time): every recorded time is at or after
/// the real publication, so the window is never cut short. Written whole and atomically; a
/// damaged or missing log is read as empty, which keeps every older snapshot one more window.
struct PublicationLog: Equatable, Sendable {
    private static let magic = "# tuf-repo publications 1"

    /// Snapshot version → when it was first seen published (stored as seconds since the epoch).
    var published: [Int64: Expiry] = [:]
    /// When the last sweep of every file under `targets/` ran; the epoch for never.
    var lastFullSweep = Expiry(secondsSinceEpoch: 0)
    /// The oldest snapshot version left on disk by the last prune (nil: unknown, list the
    /// folder): lets a run that has nothing to remove find that out without a listing.
    var oldestOnDisk: Int64?

    init() {}

    /// Nil when the bytes are not a whole log.
    init?(bytes: [UInt8]) {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard lines.count >= 2, lines.first == Self.magic, lines.last == "" else { return nil }
        for line in lines.dropFirst().dropLast() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            if f.count == 2, f[0] == "full-sweep", let t = Int64(f[1]) { lastFullSweep = Expiry(secondsSinceEpoch: t); continue }
            if f.count == 2, f[0] == "oldest", let v = Int64(f[1]) { oldestOnDisk = v; continue }
            guard f.count == 2, let v = Int64(f[0]), v >= 1, let t = Int64(f[1]) else { return nil }
            published[v] = Expiry(secondsSinceEpoch: t)
        }
    }

    func encoded() -> [UInt8] {
        var text = Self.magic + "\n" + "full-sweep\t\(lastFullSweep.secondsSinceEpoch)\n"
        if let oldestOnDisk { text += "oldest\t\(oldestOnDisk)\n" }
        for v in published.keys.sorted() { text += "\(v)\t\(published[v]!.secondsSinceEpoch)\n" }
        return Array(text.utf8)
    }

    /// When snapshot `version` stopped being the published one: the recorded time of the
    /// first later version that has one; nil while no later version is recorded.
    func superseded(_ version: Int64) -> Expiry? {
        published.filter { $0.key > version }.min { $0.key < $1.key }?.value
    }
}
