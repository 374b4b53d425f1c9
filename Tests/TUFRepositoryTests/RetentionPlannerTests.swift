import Foundation
import Testing
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// Retention's rules on the pure planner, and a prune of a library-made repository with a
/// fixed clock (`Repository.clock`): nothing reads the wall clock.
@Suite struct RetentionPlannerTests {
    func log(_ entries: [Int64: Int64]) -> PublicationLog {
        var l = PublicationLog()
        l.published = entries.mapValues { Expiry(secondsSinceEpoch: $0) }
        return l
    }

    func at(_ seconds: Int64) -> Expiry { Expiry(secondsSinceEpoch: seconds) }

    @Test func aSnapshotStaysUntilTheWindowHasPassedSinceTheNextWasPublished() {
        // 1 published at 0, 2 at 100, 3 at 5000 (current); window 3600, now 5100.
        let p = RetentionPlanner(currentSnapshot: 3, log: log([1: 0, 2: 100, 3: 5000]), now: at(5100), window: 3600)
        let (kept, removed) = p.snapshots(onDisk: [1, 2, 3])
        // 1 was superseded at 100 (> 3600 s ago); 2 only at 5000: a client may still walk it.
        #expect(kept == [2, 3] && removed == [1])
    }

    @Test func anUnrecordedOrFutureSupersessionKeepsTheSnapshot() {
        // The log was lost: only the current version is recorded, now. Everything stays a window.
        let lost = RetentionPlanner(currentSnapshot: 9, log: log([9: 1000]), now: at(1000), window: 3600)
        #expect(lost.snapshots(onDisk: [5, 6, 7, 8, 9]).removed.isEmpty)
        // A clock that went back does not shorten the window.
        let skew = RetentionPlanner(currentSnapshot: 2, log: log([1: 0, 2: 99_999]), now: at(10_000), window: 60)
        #expect(skew.snapshots(onDisk: [1, 2]).removed.isEmpty)
        // An unrecorded version between two recorded ones is superseded no earlier than the next record.
        let gap = RetentionPlanner(currentSnapshot: 4, log: log([2: 0, 4: 9000]), now: at(9100), window: 3600)
        #expect(gap.snapshots(onDisk: [2, 3, 4]).removed.isEmpty)
        let later = RetentionPlanner(currentSnapshot: 4, log: log([2: 0, 4: 9000]), now: at(12_601), window: 3600)
        #expect(later.snapshots(onDisk: [2, 3, 4]) == ([4], [2, 3]))
    }

    @Test func aSnapshotAboveTheCurrentOneIsRemovedAndTheCurrentOneNever() {
        let p = RetentionPlanner(currentSnapshot: 3, log: log([1: 0, 2: 0, 3: 0]), now: at(1_000_000), window: 0)
        #expect(p.snapshots(onDisk: [1, 2, 3, 4]) == ([3], [1, 2, 4]))
    }

    @Test(arguments: [
        ("3.snapshot.json", true), ("12.bin-0a.json", true), ("1.bins.json", true), ("7.targets.json", true),
        ("1.root.json", false), ("root.json", false), ("timestamp.json", false), ("x.bin-0.json", false), ("3.json", false),
    ])
    func onlyVersionedNonRootMetadataIsRemovable(name: String, removable: Bool) {
        #expect((RetentionPlanner.removableName(name) != nil) == removable)
    }

    @Test func hashPrefixedCopiesAreRecognisedAndPlainNamesNever() {
        let sha = String(repeating: "0f", count: 32)
        #expect(RetentionPlanner.hashPrefixedTarget("simple/a/\(sha).index.json")! == ("simple/a/index.json", sha))
        #expect(RetentionPlanner.hashPrefixedTarget("\(sha).index.json")! == ("index.json", sha))
        #expect(RetentionPlanner.hashPrefixedTarget("simple/a/index.json") == nil)
        #expect(RetentionPlanner.hashPrefixedTarget("simple/a/\(sha.uppercased()).index.json") == nil)
    }

    @Test func theLayoutOfASnapshotIsReadFromTheRolesItLists() {
        var meta: [String: MetaFile] = ["targets.json": MetaFile(version: 1), "bins.json": MetaFile(version: 1)]
        for n in HashedBins(count: 16).names { meta[n + ".json"] = MetaFile(version: 1) }
        let s = Snapshot(common: SignedCommon(version: 1, expires: Fixture.now), meta: meta)
        #expect(RetentionPlanner.layout(of: s) == HashedBins(count: 16))
        meta["bin-3.json"] = nil
        #expect(RetentionPlanner.layout(of: Snapshot(common: SignedCommon(version: 1, expires: Fixture.now), meta: meta)) == nil)
    }

    @Test func theLogRoundTripsAndADamagedOneReadsAsNone() {
        var l = log([1: 10, 2: 20])
        l.lastFullSweep = at(5); l.oldestOnDisk = 1
        #expect(PublicationLog(bytes: l.encoded()) == l)
        #expect(PublicationLog(bytes: Array(l.encoded().dropLast(3))) == nil)
    }

    /// Library level, on a fixed clock far from the wall clock: a prune within the window
    /// removes nothing; after it, the old snapshot and its bin go, and the pruned repository
    /// audits clean. The publication log holds the fixed clock's times, so no step read the
    /// wall clock (before the clock was injected, generate recorded the real time).
    @Test func pruneRemovesOnlyWhatNoKeptSnapshotReaches() throws {
        let dir = TempDir()
        var repo = try Fixture.repository(in: dir)
        repo.clock = .fixed(Fixture.now)
        let index = dir.sub("index")
        var builder = IndexBuilder.small
        try builder.write(to: index)
        _ = try repo.generate(index: index, signers: Fixture.online, now: Fixture.now)
        builder.projects["alpha"]!.append(.init(name: "alpha-2.0.tar.gz", content: "alpha two"))
        try builder.write(to: index)
        repo.clock = .fixed(Fixture.now.adding(seconds: 10))
        _ = try repo.generate(index: index, signers: Fixture.online, now: Fixture.now)
        // Version 1 is init's (its own repository value, on the system clock); no time is
        // ever read for it: it supersedes nothing.
        let published = try repo.loadPublicationLog().published
        #expect(published[2] == Fixture.now && published[3] == Fixture.now.adding(seconds: 10), "\(published)")
        repo.clock = .fixed(Fixture.now.adding(seconds: 60))
        let within = try repo.prune()
        #expect(within.isEmpty, "\(within)")
        repo.clock = .fixed(Fixture.now.adding(seconds: 3 * 3600))
        let after = try repo.prune()
        #expect(after.snapshotsRemoved == [1, 2], "\(after)")
        #expect(after.metadataFiles.contains("1.snapshot.json") && after.metadataFiles.contains("2.snapshot.json"))
        #expect(!after.metadataFiles.contains { $0.hasSuffix(".root.json") })
        #expect(after.targetFiles.contains { $0.hasPrefix("simple/alpha/") }, "\(after)")
        #expect(try repo.audit(now: Fixture.now).isEmpty)
        #expect(try repo.loadPublicationLog().lastFullSweep == Fixture.now.adding(seconds: 3 * 3600))
        repo.clock = .fixed(Fixture.now.adding(seconds: 4 * 3600))
        #expect(try repo.prune().isEmpty)
    }
}
