import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// The plain page names (`targets/simple/<p>/index.json`, what clients without hash prefixes
/// fetch) that a publication relinks after its timestamp is renamed in. It is made durable
/// before the timestamp, so a crash between the timestamp and the last relink is completed by
/// the next command instead of serving old pages under new metadata until a full run.
/// Replaying it links names under `targets/`, so a line is accepted only when it is one a
/// publication writes: a page target path and a lowercase sha256 (anything else is refused by
/// name, and the whole journal with it).
struct PlainNameJournal: Equatable {
    private static let magic = "tuf-repo plain-name journal 1"

    /// The snapshot version of the publication; the journal applies only once it is published.
    var snapshotVersion: Int64
    /// Page target paths and the sha256 of the bytes their plain names must get.
    var pages: [(path: String, sha256: String)]

    static func == (a: Self, b: Self) -> Bool {
        a.snapshotVersion == b.snapshotVersion && a.pages.elementsEqual(b.pages) { $0 == $1 }
    }

    func encoded() -> [UInt8] {
        var text = "\(Self.magic)\t\(snapshotVersion)\n"
        for (path, sha) in pages { text += "\(path)\t\(sha)\n" }
        return Array(text.utf8)
    }

    /// Parses a journal; a journal that is not whole, or a line that is not a page and its
    /// sha256, is refused with an error naming `file` and the line (shown escaped).
    init(bytes: [UInt8], file: String) throws(RepositoryError) {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        func refuse(_ n: Int, _ why: String) -> RepositoryError {
            RepositoryError(.interruptedPublication, """
                \(file) line \(n): \(DisplayText.escaped(lines[n - 1])): \(why); the journal is refused and nothing was relinked. \
                tuf-repo never writes such a line: find out what wrote it, then delete the file (tuf-repo generate relinks the plain names of the pages it reads)
                """)
        }
        guard lines.count >= 2, lines.last == "" else {
            throw RepositoryError(.interruptedPublication, "\(file): not a whole journal (no final newline); the journal is refused and nothing was relinked. Delete the file, then run tuf-repo generate")
        }
        let head = lines[0].split(separator: "\t", omittingEmptySubsequences: false)
        guard head.count == 2, head[0] == Self.magic, let version = Int64(head[1]), version >= 1 else { throw refuse(1, "not a journal header") }
        var pages: [(String, String)] = []
        for (i, line) in lines.dropFirst().dropLast().enumerated() {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else { throw refuse(i + 2, "not a page and its sha256") }
            guard Self.isPage(parts[0]) else { throw refuse(i + 2, "not a page a publication writes (simple/<normalized name>/index.json or simple/index.json)") }
            guard Self.isSHA256(parts[1]) else { throw refuse(i + 2, "not a sha256 (64 lowercase hex digits)") }
            pages.append((parts[0], parts[1]))
        }
        self.init(snapshotVersion: version, pages: pages)
    }

    init(snapshotVersion: Int64, pages: [(path: String, sha256: String)]) {
        self.snapshotVersion = snapshotVersion
        self.pages = pages
    }

    /// The project list or a project page under its normalized name (PEP 503), as the index
    /// reader names the pages it signs; nothing with `..`, another folder or a tab.
    static func isPage(_ path: String) -> Bool {
        if path == IndexSnapshot.listPath { return true }
        guard let project = PackageIndex.project(ofPage: path) else { return false }
        return PackageIndex.isUsableProjectName(project) && PackageIndex.normalize(project) == project
    }

    /// 64 lowercase hex digits (the form `Hex.encode` writes).
    static func isSHA256(_ text: String) -> Bool {
        guard text.utf8.count == 64, let bytes = Hex.decode(text) else { return false }
        return Hex.encode(bytes) == text
    }
}

/// What an interrupted publication left for the next locked command to complete.
public struct InterruptedPublication: Sendable, Equatable {
    /// The snapshot version the journal belongs to (the published one).
    public var snapshotVersion: Int64
    /// Plain page names (target paths) that would be relinked to their hash-prefixed copies.
    public var relink: [String]
    /// Plain page names whose hash-prefixed copy is missing: only `tuf-repo generate`, which
    /// reads the whole index again, can write them.
    public var missingCopies: [String]
}

extension Repository {
    /// True when an interrupted publication left a journal to complete.
    public var hasInterruptedPublication: Bool { FileSystem.exists(layout.plainNameJournalPath) }

    /// What the journal would have the next locked command do, without doing it (for `verify`,
    /// which writes nothing): nil when there is no journal or its publication never reached
    /// its timestamp (then it is just dropped). Throws `.interruptedPublication` for a refused journal.
    public func interruptedPublication() throws(RepositoryError) -> InterruptedPublication? {
        try readPlainNameJournal()?.pending
    }

    /// The journal and, when its snapshot is the published one, what completing it takes.
    private func readPlainNameJournal() throws(RepositoryError) -> (journal: PlainNameJournal, pending: InterruptedPublication?)? {
        let file = layout.plainNameJournalPath
        guard let bytes = try FileIO.readIfPresent(file) else { return nil }
        let journal = try PlainNameJournal(bytes: bytes, file: file)
        guard try load(Timestamp.self, RepositoryLayout.timestampFile)?.signed.snapshotMeta.version == journal.snapshotVersion else {
            return (journal, nil)
        }
        var out = InterruptedPublication(snapshotVersion: journal.snapshotVersion, relink: [], missingCopies: [])
        for (page, sha) in journal.pages {
            guard FileSystem.exists(layout.absolute(RepositoryLayout.hashPrefixedTarget(page, sha256: sha))) else { out.missingCopies.append(page); continue }
            if !Self.isTargetCurrent(page, sha256: sha, in: layout) { out.relink.append(page) }
        }
        return (journal, out)
    }

    /// Completes an interrupted publication under the lock; returns how many plain names were
    /// relinked (0 when there was nothing to complete).
    public func completeInterruptedPublication() throws(RepositoryError) -> Int {
        try locked(repairing: false) { (replay) throws(RepositoryError) -> Int in replay.relinked }
    }

    /// Replays the journal, under the lock: when its snapshot is the published one, points each
    /// plain name at its hash-prefixed copy (written before the journal); otherwise the
    /// publication never reached its timestamp, the old names are right, and it is dropped.
    /// A copy that is missing cannot be relinked: unless `repairing` (generate, which then
    /// reads and relinks every page), that is an `.interruptedPublication` error naming the
    /// copies and the recovery, and the journal stays. Returns the names relinked and those left.
    func replayPlainNameJournal(repairing: Bool) throws(RepositoryError) -> (relinked: Int, missing: [String]) {
        guard let (journal, pending) = try readPlainNameJournal() else { return (0, []) }
        guard let pending else {
            try clearPlainNameJournal()
            return (0, [])
        }
        let sha = Dictionary(journal.pages.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        try publicationWriter(publishedSnapshot: nil).relinkPlainNames(pending.relink.map { ($0, sha[$0]!) })
        guard pending.missingCopies.isEmpty else {
            if repairing { return (pending.relink.count, pending.missingCopies) }
            let names = pending.missingCopies.map { RepositoryLayout.hashPrefixedTarget($0, sha256: sha[$0]!) }
            throw RepositoryError(.interruptedPublication, """
                \(layout.plainNameJournalPath): snapshot version \(journal.snapshotVersion) is published, but \(names.count) plain page \
                name(s) cannot be completed: \(names.prefix(5).joined(separator: ", ")) \(names.count == 1 ? "is" : "are") missing. \
                Run tuf-repo generate: it reads the whole index, writes those pages again and relinks them (until then, other commands stop here)
                """)
        }
        try clearPlainNameJournal()
        return (pending.relink.count, [])
    }

    /// Records, durably and before the timestamp, the plain names a publication will relink.
    func writePlainNameJournal(_ journal: PlainNameJournal) throws(RepositoryError) {
        guard !journal.pages.isEmpty else { return }
        try store.write([(RepositoryLayout.plainNameJournalFile, journal.encoded())])
    }

    /// Removes the journal once every name it lists is linked and synced.
    func clearPlainNameJournal() throws(RepositoryError) {
        try FileIO.remove(layout.plainNameJournalPath)
    }
}
