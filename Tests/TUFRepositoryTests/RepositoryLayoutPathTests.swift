import Testing
import TUFRepository

/// A trailing slash or two is dropped, as `Repository(path:)` does.
private let layout = RepositoryLayout(root: "/srv/repo//")

/// The names on disk are a format: repositories made by earlier versions must be found where
/// they were (a renamed state store or queue would be silently rebuilt or lose queued names).
@Suite struct RepositoryLayoutPathTests {
    @Test(arguments: [
        (layout.policyPath, "/srv/repo/tuf-repo.json"),
        (layout.lockPath, "/srv/repo/.lock"),
        (layout.metadataDirectory, "/srv/repo/metadata"),
        (layout.targetsDirectory, "/srv/repo/targets"),
        (layout.stateDirectory, "/srv/repo/state"),
        (layout.stateStorePath, "/srv/repo/state/state.sqlite"),
        (layout.queueDirectory, "/srv/repo/queue"),
        (layout.queuePath, "/srv/repo/queue/queue.sqlite"),
        (layout.legacyQueuePath, "/srv/repo/state/queue.sqlite"),
        (layout.plainNameJournalPath, "/srv/repo/journal/plain-names.tsv"),
        (layout.absolute(RepositoryLayout.metadata(role: "bin-0a1", version: 7)), "/srv/repo/metadata/7.bin-0a1.json"),
        (layout.absolute(RepositoryLayout.timestampFile), "/srv/repo/metadata/timestamp.json"),
        (layout.absolute(RepositoryLayout.staged(.bins)), "/srv/repo/staged/bins.json"),
        (layout.absolute(RepositoryLayout.target("simple/a/index.json")), "/srv/repo/targets/simple/a/index.json"),
        (layout.absolute(RepositoryLayout.hashPrefixedTarget("simple/a/index.json", sha256: "ab")), "/srv/repo/targets/simple/a/ab.index.json"),
    ])
    func pathsAreTheOnesOnDisk(path: String, expected: String) {
        #expect(path == expected)
    }
}
