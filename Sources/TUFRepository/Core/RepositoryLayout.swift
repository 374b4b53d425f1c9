import TUFMetadata

/// Every path of a repository, in one place. Relative paths (`metadata/3.snapshot.json`) are
/// what the writers, the journal and the plan carry; `absolute(_:)` joins one to the
/// repository directory. Nothing else builds a repository path by hand, so a second place to
/// publish to (a bucket) sees the same names.
///
/// ```
/// REPO/tuf-repo.json          the policy
/// REPO/metadata/              what is served: N.root.json, root.json, N.ROLE.json, timestamp.json
/// REPO/staged/ROLE.json       offline roles collecting signatures
/// REPO/targets/               the pages under their target paths and hash-prefixed copies
/// REPO/state/state.sqlite     the state store (a cache of what the last publication read)
/// REPO/queue/queue.sqlite     the upload queue, the only place an upload hook writes
/// REPO/journal/               the plain-name journal and the publication log
/// REPO/.lock                  the repository lock
/// ```
public struct RepositoryLayout: Sendable, Equatable {
    /// The repository directory, without a trailing slash.
    public let root: String

    public init(root: String) {
        var p = root
        while p.count > 1, p.hasSuffix("/") { p.removeLast() }
        self.root = p
    }

    /// `relative` under the repository directory.
    public func absolute(_ relative: String) -> String { root + "/" + relative }

    // MARK: folders (relative)

    public static let metadataFolder = "metadata"
    public static let stagedFolder = "staged"
    public static let targetsFolder = "targets"
    public static let stateFolder = "state"
    public static let queueFolder = "queue"
    public static let journalFolder = "journal"

    // MARK: files (relative)

    public static let policyFile = "tuf-repo.json"
    public static let lockFile = ".lock"
    public static let stateStoreFile = stateFolder + "/state.sqlite"
    public static let queueFile = queueFolder + "/queue.sqlite"
    /// Where the queue lived before it got a folder of its own; `publish` moves it.
    public static let legacyQueueFile = stateFolder + "/queue.sqlite"
    public static let plainNameJournalFile = journalFolder + "/plain-names.tsv"
    public static let publicationLogFile = journalFolder + "/publications.tsv"

    /// Published metadata file `name` (`root.json`, `timestamp.json`, `3.bins.json`).
    public static func metadata(_ name: String) -> String { metadataFolder + "/" + name }

    /// The consistent-snapshot file of `role` at `version` (`metadata/7.bin-0a1.json`).
    public static func metadata(role: String, version: Int64) -> String { metadata("\(version).\(role).json") }

    /// The plain `root.json` and `timestamp.json` clients start from.
    public static let rootFile = metadata("root.json")
    public static let timestampFile = metadata("timestamp.json")

    /// The staged metadata of `role`.
    public static func staged(_ role: RepositoryRole) -> String { stagedFolder + "/" + role.rawValue + ".json" }

    /// Target `path` under its plain name (`targets/simple/numpy/index.json`).
    public static func target(_ path: String) -> String { targetsFolder + "/" + path }

    /// Target `path` under its hash-prefixed name (TUF 5.7.3: `targets/simple/numpy/SHA.index.json`).
    public static func hashPrefixedTarget(_ path: String, sha256: String) -> String {
        target(TargetPath.hashPrefixed(path, digest: sha256))
    }

    // MARK: the same, absolute

    public var policyPath: String { absolute(Self.policyFile) }
    public var lockPath: String { absolute(Self.lockFile) }
    public var metadataDirectory: String { absolute(Self.metadataFolder) }
    public var targetsDirectory: String { absolute(Self.targetsFolder) }
    public var stateDirectory: String { absolute(Self.stateFolder) }
    public var queueDirectory: String { absolute(Self.queueFolder) }
    public var stateStorePath: String { absolute(Self.stateStoreFile) }
    public var queuePath: String { absolute(Self.queueFile) }
    public var legacyQueuePath: String { absolute(Self.legacyQueueFile) }
    public var plainNameJournalPath: String { absolute(Self.plainNameJournalFile) }
}
