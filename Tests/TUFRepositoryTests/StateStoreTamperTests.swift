import Foundation
import Testing
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// The state store may say what to re-read, never what to sign. Someone who can write
/// `state/state.sqlite` (or a published bin file with its stored digest) edits it; the next
/// incremental run must publish exactly what a full read of the index publishes, so the
/// attacker's target is in no bin (each case is compared with a copy that reads everything).
@Suite struct StateStoreTamperTests {
    static let evilPath = "packages/evil/evil-1.0.tar.gz"
    static let evil = TargetFile(length: 4, hashes: ["sha256": String(repeating: "e", count: 64)])

    /// Adds `extra` to the stored entries of `page` (and so to the store's listing index).
    static func addStoredEntry(_ store: StateStore, page: String, _ extra: (path: String, file: TargetFile)) throws {
        let r = try #require(try store.pages([page])[page])
        let entries = try #require(r.decodedEntries()).filter { $0.path != extra.path } + [extra]
        let writer = try store.pageWriter()
        try store.wrap { () throws(SQLiteError) in try writer.put(PageRecord(path: page, status: r.status, file: r.file, entries: entries)) }
    }

    struct Tamper: CustomTestStringConvertible, Sendable {
        let name: String
        let tamper: @Sendable (String) throws -> Void
        var testDescription: String { name }
    }

    static let tampers: [Tamper] = [
        // The reported attack: beta is not re-read; alpha (re-read) "used to" list the target too.
        Tamper(name: "a new target on a page not re-read") { repo in
            let store = try #require(StateStore.openIfPresent(repository: repo))
            for page in ["simple/beta/index.json", "simple/alpha/index.json"] { try addStoredEntry(store, page: page, (evilPath, evil)) }
        },
        // A file both pages list: beta's stored entry gets other bytes; alpha drops the file.
        Tamper(name: "another hash for a shared file on a page not re-read") { repo in
            let store = try #require(StateStore.openIfPresent(repository: repo))
            try addStoredEntry(store, page: "simple/beta/index.json", ("packages/shared/common-1.0.tar.gz", evil))
        },
        // A published bin file edited (its signatures no longer verify) with the stored digest to match.
        Tamper(name: "a published bin and its stored digest") { repo in
            let r = Repository(path: repo)
            let layout = try r.policy().bins
            let name = layout.name(ofBin: layout.bin(for: "simple/alpha/index.json"))
            let store = try #require(StateStore.openIfPresent(repository: repo))
            var entry = try #require(try store.bins([name])[name])
            let file = "metadata/\(entry.version).\(name).json"
            var md = try #require(try r.load(Targets.self, file)).metadata
            md.signed.targets[evilPath] = evil
            try Data(md.encoded()).write(to: URL(fileURLWithPath: repo + "/" + file))
            entry.digest = BinStates.digest(md.signed.targets)
            try store.setBins([name: entry])
        },
    ]

    @Test(arguments: tampers) func anEditedStoreSignsOnlyWhatTheIndexLists(_ tamper: Tamper) throws {
        for projects in [nil, ["alpha"]] as [[String]?] {
            let dir = TempDir()
            let repo = try Fixture.repository(in: dir)
            var index = StateStoreIncrementalTests.startingIndex()
            try StateStoreIncrementalTests.generateBoth(repo, dir, index: index, now: Fixture.now, expectIncremental: false)
            try tamper.tamper(repo.path)
            // alpha is re-read (a new release, and the shared file leaves it); beta is not.
            index.projects["alpha"]!.removeAll { $0.name == "common-1.0.tar.gz" }
            index.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
            try StateStoreIncrementalTests.generateBoth(repo, dir, index: index, now: Fixture.now.adding(seconds: 600), projects: projects,
                                                       expectIncremental: false)
            for (path, bytes) in Fixture.files(repo.path + "/metadata") where path.contains(".bin-") {
                let bin = try Metadata<Targets>(bytes: Array(bytes), name: path)
                let evil = bin.signed.targets[Self.evilPath] != nil || bin.signed.targets.values.contains { $0 == Self.evil }
                // The edited old bin file itself stays (nothing references it); no newer bin signs it.
                #expect(!evil || !Self.isNewest(path, in: repo.path), "\(path) signs the attacker's target")
            }
            #expect(try repo.audit(now: Fixture.now.adding(seconds: 600)) == [])
        }
    }

    /// True when metadata file `N.bin-x.json` is the version the published snapshot lists.
    static func isNewest(_ file: String, in repo: String) -> Bool {
        let r = Repository(path: repo)
        guard let ts = try? r.load(Timestamp.self, "metadata/timestamp.json"),
              let snap = try? r.load(Snapshot.self, "metadata/\(ts.signed.snapshotMeta.version).snapshot.json") else { return true }
        let parts = file.split(separator: ".", maxSplits: 1)
        guard let v = Int64(parts[0]), let role = parts.last?.dropLast(".json".count) else { return true }
        return snap.signed.meta(forRole: String(role))?.version == v
    }
}
