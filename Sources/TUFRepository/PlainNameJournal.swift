import TUFFileSystem
import TUFMetadata

/// The plain page names (`targets/simple/<p>/index.json`, what clients without hash prefixes
/// fetch) that a publication relinks after its timestamp is renamed in. It is made durable
/// before the timestamp, so a crash between the timestamp and the last relink is completed by
/// the next command instead of serving old pages under new metadata until a full run.
struct PlainNameJournal: Equatable {
    static let file = "journal/plain-names.tsv"
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

    /// Nil when the bytes are not a whole journal (it is written atomically, so this means damage).
    init?(bytes: [UInt8]) {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard lines.last == "", let head = lines.first?.split(separator: "\t"), head.count == 2, head[0] == Self.magic,
              let version = Int64(head[1]) else { return nil }
        var pages: [(String, String)] = []
        for line in lines.dropFirst().dropLast() {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1].utf8.count == 64 else { return nil }
            pages.append((String(parts[0]), String(parts[1])))
        }
        self.init(snapshotVersion: version, pages: pages)
    }

    init(snapshotVersion: Int64, pages: [(path: String, sha256: String)]) {
        self.snapshotVersion = snapshotVersion
        // A name with a tab or newline cannot be a page target (PEP 503 names); never journal it.
        self.pages = pages.filter { !$0.path.utf8.contains(UInt8(ascii: "\t")) && !$0.path.utf8.contains(UInt8(ascii: "\n")) }
    }
}

extension Repository {
    /// True when an interrupted publication left a journal to complete.
    public var hasInterruptedPublication: Bool { FileSystem.exists(path + "/" + PlainNameJournal.file) }

    /// Completes an interrupted publication under the lock; returns how many plain names were
    /// relinked (0 when there was nothing to complete).
    public func completeInterruptedPublication() throws(RepositoryError) -> Int {
        try locked { () throws(RepositoryError) -> Int in try replayPlainNameJournal() }
    }

    /// Replays the journal, under the lock: when its snapshot is the published one, points each
    /// plain name at its hash-prefixed copy (written before the journal); otherwise the
    /// publication never reached its timestamp, the old names are right, and it is dropped.
    func replayPlainNameJournal() throws(RepositoryError) -> Int {
        let file = path + "/" + PlainNameJournal.file
        guard let bytes = try FileIO.readIfPresent(file) else { return 0 }
        var relinked = 0
        if let journal = PlainNameJournal(bytes: bytes),
           try load(Timestamp.self, Self.metadataPath("timestamp.json"))?.signed.snapshotMeta.version == journal.snapshotVersion {
            var directories = Set<String>()
            for (page, sha) in journal.pages {
                let prefixed = "targets/" + Self.hashPrefixed(page, sha256: sha)
                guard FileSystem.exists(path + "/" + prefixed) else {
                    throw RepositoryError(.invalidMetadata, "\(file): \(prefixed) is missing; run tuf-repo generate to repair the page names")
                }
                try store.hardLink(path + "/" + prefixed, to: "targets/" + page)
                directories.insert(FileSystem.parent("targets/" + page))
                relinked += 1
            }
            if !directories.isEmpty { try store.syncAll(directories: directories) }
        }
        try FileIO.remove(file)
        return relinked
    }

    /// Records, durably and before the timestamp, the plain names a publication will relink.
    func writePlainNameJournal(_ journal: PlainNameJournal) throws(RepositoryError) {
        guard !journal.pages.isEmpty else { return }
        try store.write([(PlainNameJournal.file, journal.encoded())])
    }

    /// Removes the journal once every name it lists is linked and synced.
    func clearPlainNameJournal() throws(RepositoryError) {
        try FileIO.remove(path + "/" + PlainNameJournal.file)
    }
}
