import Foundation
import Testing
import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// Publishing to a bucket, against `MemoryBucket`: what reaches the bucket and in what order,
/// a failed request at every point of a publication, another publisher, conflicts, debris,
/// the lease, a takeover from the bucket alone, and a folder ahead of its bucket.
@Suite struct BucketPublicationTests {
    /// A repository published to `bucket` at init, on the fixed clock.
    static func repository(in dir: TempDir, bucket: MemoryBucket) throws -> Repository {
        let (made, outcome) = try Repository.initialize(at: dir.sub("repo"), options: Fixture.options(), signers: Fixture.offline + Fixture.online,
                                                        now: Fixture.now, durability: .none, bucket: BucketPublication(bucket: bucket))
        precondition(outcome.waiting == nil, "\(outcome)")
        var repo = made
        repo.clock = .fixed(Fixture.now)
        return repo
    }

    static func rootV1(_ repo: Repository) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: repo.path + "/metadata/1.root.json")))
    }

    /// The folder's published files (metadata and targets) as the bucket should hold them.
    static func folder(_ repo: Repository) -> [String: [UInt8]] {
        Fixture.files(repo.path).filter { $0.key.hasPrefix("metadata/") || $0.key.hasPrefix("targets/") }.mapValues { Array($0) }
    }

    /// The keys whose bytes differ between the bucket and the folder (below `prefix`), sorted:
    /// names, never bytes, in a failure.
    static func differences(_ bucket: MemoryBucket, _ repo: Repository, below prefix: String = "") -> [String] {
        let a = bucket.published.filter { $0.key.hasPrefix(prefix) }, b = folder(repo).filter { $0.key.hasPrefix(prefix) }
        return Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted().map { key in
            a[key] == nil ? "\(key) (only in the folder)" : b[key] == nil ? "\(key) (only in the bucket)" : key
        }
    }

    static func generate(_ repo: Repository, _ dir: TempDir) throws(RepositoryError) -> PublishResult {
        try repo.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now)
    }

    @Test func theBucketHoldsWhatTheFolderPublishesWithItsCacheRules() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let repo = try Self.repository(in: dir, bucket: bucket)
        try IndexBuilder.small.write(to: dir.sub("index"))
        #expect(try Self.generate(repo, dir).published)
        #expect(Self.differences(bucket, repo) == [])
        #expect(Bool(bucket.objects["tuf-repo-lease.json"] == nil), "the lease is released at the end")
        #expect(try bucket.verifyAsClient(trustedRoot: Self.rootV1(repo), now: Fixture.now) == 2)
        for (object, _) in bucket.log where object.key != "tuf-repo-lease.json" {
            let mutable = object.key == "metadata/timestamp.json" || object.key == "metadata/root.json"
                || (object.key.hasPrefix("targets/") && !Self.isHashPrefixed(object.key))
            #expect(object.createOnly == !mutable, "\(object.key)")
            #expect(object.cacheControl == (mutable ? "public, max-age=60" : "public, max-age=31536000, immutable"), "\(object.key)")
            let type = object.key.hasPrefix("metadata/") ? "application/json" : "application/vnd.pypi.simple.v1+json"
            #expect(object.contentType == type, "\(object.key)")
        }
    }

    static func isHashPrefixed(_ key: String) -> Bool {
        let name = key.split(separator: "/").last!
        guard let dot = name.firstIndex(of: ".") else { return false }
        return name[..<dot].count == 64 && name[..<dot].allSatisfy(\.isHexDigit)
    }

    /// Replays the put log: no metadata file reaches the bucket before every file it names.
    @Test func nothingReachesTheBucketBeforeWhatItNames() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let repo = try Self.repository(in: dir, bucket: bucket)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try Self.generate(repo, dir)
        var held = Set<String>()
        for (object, outcome) in bucket.log where outcome == .stored {
            for named in try Self.named(by: object) { #expect(held.contains(named), "\(object.key) went up before \(named)") }
            held.insert(object.key)
        }
        #expect(held.contains("metadata/2.snapshot.json"))
    }

    /// The keys a metadata object names: a timestamp its snapshot, a snapshot its roles, a
    /// targets role the hash-prefixed copies of the pages it lists.
    static func named(by object: BucketObject) throws -> [String] {
        guard object.key.hasPrefix("metadata/"), !object.key.hasSuffix("root.json") else { return [] }
        if object.key == "metadata/timestamp.json" {
            return ["metadata/\(try Metadata<Timestamp>(bytes: object.bytes).signed.snapshotMeta.version).snapshot.json"]
        }
        if object.key.hasSuffix(".snapshot.json") {
            return try Metadata<Snapshot>(bytes: object.bytes).signed.meta.map { "metadata/\($0.value.version).\($0.key)" }
        }
        return try Metadata<Targets>(bytes: object.bytes).signed.targets.compactMap { path, target in
            path.hasSuffix("index.json") ? "targets/\(TargetPath.hashPrefixed(path, digest: target.hashes["sha256"]!))" : nil
        }
    }

    /// A request failing at any point of a publication, or the publisher dying there (nothing
    /// of its clean-up reaches the bucket, its lease stays), leaves a bucket a client accepts,
    /// with the folder never ahead of it; the next run completes the publication.
    @Test(arguments: [false, true])
    func aFailedRequestAtAnyPointLeavesAValidBucketAndARerunCompletes(killed: Bool) throws {
        let reference = TempDir(), refBucket = MemoryBucket()
        let ref = try Self.repository(in: reference, bucket: refBucket)
        try IndexBuilder.small.write(to: reference.sub("index"))
        let before = refBucket.log.count
        _ = try Self.generate(ref, reference)
        let puts = refBucket.log.count - before
        #expect(puts > 10)
        for n in 1...puts {
            let dir = TempDir(), bucket = MemoryBucket()
            let repo = try Self.repository(in: dir, bucket: bucket)
            try IndexBuilder.small.write(to: dir.sub("index"))
            bucket.failingPut = bucket.log.count + n
            bucket.killsAtFailure = killed
            #expect(throws: RepositoryError(.bucket, "")) { try Self.generate(repo, dir) }
            bucket.dead = false
            let root = try Self.rootV1(repo)
            let version = try bucket.verifyAsClient(trustedRoot: root, now: Fixture.now)
            #expect(Bool(bucket.objects["metadata/timestamp.json"] == Self.folder(repo)["metadata/timestamp.json"]), "put \(n): the folder is ahead of the bucket")
            // A dead publisher's lease binds until it lapses (this process's own pid cannot
            // pass for a dead one): the rerun comes after it.
            var rerun = repo
            if killed { rerun.clock = .fixed(Fixture.now.adding(seconds: 901)) }
            _ = try Self.generate(rerun, dir)
            #expect(Self.differences(bucket, repo) == [], "put \(n)")
            #expect(try bucket.verifyAsClient(trustedRoot: root, now: Fixture.now) >= max(version, 2))
            #expect(try repo.audit(now: Fixture.now) == [])
            #expect(refBucket.published.keys.sorted() == bucket.published.keys.sorted(), "put \(n): other files")
        }
    }

    @Test func anotherPublishersTimestampStopsTheRunAtTheNextStep() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let repo = try Self.repository(in: dir, bucket: bucket)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let start = bucket.log.count + 1 // the lease
        var moved: Int?
        bucket.beforePut = { n, _ in
            guard moved == nil, n > start else { return }
            moved = n
            bucket.objects["metadata/timestamp.json"] = Array("{\"another\": \"publisher\"}".utf8)
        }
        #expect(throws: RepositoryError(.publisherBusy, "")) { try Self.generate(repo, dir) }
        let after = bucket.log.suffix(from: moved! - 1).map(\.object.key)
        #expect(!after.contains { $0.hasSuffix("snapshot.json") || $0 == "metadata/timestamp.json" }, "\(after)")
        #expect(Bool(bucket.objects["metadata/timestamp.json"] == Array("{\"another\": \"publisher\"}".utf8)))
        #expect(Self.folder(repo)["metadata/timestamp.json"].map { try! Metadata<Timestamp>(bytes: $0).signed.version } == 1)
    }

    @Test func aHashPrefixedNameHoldingOtherBytesIsAConflictNamingIt() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let repo = try Self.repository(in: dir, bucket: bucket)
        try IndexBuilder.small.write(to: dir.sub("index"))
        let page = Array(try Data(contentsOf: URL(fileURLWithPath: dir.sub("index/simple/alpha/index.json"))))
        let key = "targets/simple/alpha/\(Hex.encode(Hash.digest(.sha256, page))).index.json"
        bucket.objects[key] = Array("not the page".utf8)
        let timestamp = bucket.objects["metadata/timestamp.json"]
        do throws(RepositoryError) {
            _ = try Self.generate(repo, dir)
            Issue.record("published over a conflicting object")
        } catch {
            #expect(error.code == .bucketConflict)
            #expect(error.message.contains(key), "\(error.message)")
        }
        #expect(Bool(bucket.objects["metadata/timestamp.json"] == timestamp))
        #expect(Bool(bucket.objects[key] == Array("not the page".utf8)), "a published name is never overwritten")
    }

    /// A versioned metadata name above what the bucket publishes holds a killed run's bytes,
    /// which nothing names: it is replaced.
    @Test func debrisOfAKilledRunIsReplaced() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let repo = try Self.repository(in: dir, bucket: bucket)
        try IndexBuilder.small.write(to: dir.sub("index"))
        bucket.objects["metadata/2.snapshot.json"] = Array("{\"killed\": true}".utf8)
        #expect(try Self.generate(repo, dir).published)
        #expect(Self.differences(bucket, repo) == [])
    }

    /// A next root in the bucket that does not verify stops every command before it writes.
    @Test func aNextRootThatDoesNotVerifyStopsTheRun() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let repo = try Self.repository(in: dir, bucket: bucket)
        try IndexBuilder.small.write(to: dir.sub("index"))
        bucket.objects["metadata/2.root.json"] = Array(try Data(contentsOf: URL(fileURLWithPath: repo.path + "/metadata/1.root.json")))
        let puts = bucket.log.count
        #expect(throws: RepositoryError(.unverifiedPublished, "")) { try Self.generate(repo, dir) }
        #expect(bucket.log.dropFirst(puts).allSatisfy { $0.object.key == "tuf-repo-lease.json" })
    }

    @Test func aLeaseInForceIsRefusedAndALapsedOneTakenOver() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let repo = try Self.repository(in: dir, bucket: bucket)
        try IndexBuilder.small.write(to: dir.sub("index"))
        func lease(until: String) -> [UInt8] {
            CanonicalJSON.encode(.object(JSONObject([.init(key: "holder", value: "elsewhere pid 7 run 9"), .init(key: "until", value: .string(until))])))
        }
        bucket.objects["tuf-repo-lease.json"] = lease(until: "2099-01-01T00:00:00Z")
        do throws(RepositoryError) {
            _ = try Self.generate(repo, dir)
            Issue.record("published under another's lease")
        } catch {
            #expect(error.code == .publisherBusy)
            #expect(error.message.contains("elsewhere pid 7"), "\(error.message)")
        }
        #expect(Bool(bucket.objects["tuf-repo-lease.json"] == lease(until: "2099-01-01T00:00:00Z")))
        #expect(try bucket.verifyAsClient(trustedRoot: Self.rootV1(repo), now: Fixture.now) == 1)

        bucket.objects["tuf-repo-lease.json"] = lease(until: "2025-12-31T00:00:00Z")
        #expect(try Self.generate(repo, dir).published)
        #expect(Bool(bucket.objects["tuf-repo-lease.json"] == nil))
    }

    /// A second machine with only the policy and the trusted root adopts the bucket's chain
    /// and publishes after it; the first machine then adopts what the second published.
    @Test func aSecondFolderTakesOverFromTheBucketAlone() throws {
        let dir = TempDir(), bucket = MemoryBucket()
        let first = try Self.repository(in: dir, bucket: bucket)
        var index = IndexBuilder.small
        try index.write(to: dir.sub("index"))
        _ = try Self.generate(first, dir)

        let fm = FileManager.default
        try fm.createDirectory(atPath: dir.sub("second/metadata"), withIntermediateDirectories: true)
        try fm.copyItem(atPath: first.path + "/tuf-repo.json", toPath: dir.sub("second/tuf-repo.json"))
        try fm.copyItem(atPath: first.path + "/metadata/1.root.json", toPath: dir.sub("second/metadata/root.json"))
        var second = Repository(path: dir.sub("second"), durability: .none)
        second.clock = .fixed(Fixture.now)
        second.bucket = BucketPublication(bucket: bucket)
        index.projects["epsilon"] = [.init(name: "epsilon-1.0.tar.gz", content: "epsilon")]
        try index.write(to: dir.sub("index"))
        #expect(try second.generate(index: dir.sub("index"), signers: Fixture.online, now: Fixture.now).published)
        #expect(second.bucket!.events.contains { $0.contains("adopted") }, "\(second.bucket!.events)")
        #expect(try bucket.verifyAsClient(trustedRoot: Self.rootV1(first), now: Fixture.now) == 3)
        #expect(Bool(bucket.objects["metadata/timestamp.json"] == Self.folder(second)["metadata/timestamp.json"]))
        #expect(bucket.objects.keys.contains { $0.hasPrefix("targets/simple/epsilon/") })

        var back = first
        back.bucket = BucketPublication(bucket: bucket)
        _ = try back.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: nil, now: Fixture.now)
        #expect(back.bucket!.events.contains { $0.contains("adopted") }, "\(back.bucket!.events)")
        #expect(try bucket.verifyAsClient(trustedRoot: Self.rootV1(first), now: Fixture.now) == 4)
        #expect(bucket.deleted.filter { $0 != "tuf-repo-lease.json" } == [], "a snapshot within the window left the bucket")
        #expect(Self.differences(bucket, back, below: "metadata/") == [])

        // Past the retention window (an hour), the second folder's prune removes from the
        // bucket the snapshot it never had, and what only that snapshot reached.
        var later = second
        later.clock = .fixed(Fixture.now.adding(seconds: 7_200))
        let report = try later.prune()
        #expect(report.bucketSnapshotsHeld == [])
        #expect(bucket.objects["metadata/1.snapshot.json"] == nil && bucket.objects["metadata/1.bin-0.json"] == nil, "\(report.bucketKeys)")
        #expect(try bucket.verifyAsClient(trustedRoot: Self.rootV1(first), now: Fixture.now) == 4)
    }

    /// A repository published before it had a bucket: the first command with the bucket pushes
    /// everything up in TUF's order, then publishes.
    @Test func aFolderAheadOfItsBucketIsPushedInOrder() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try Self.generate(repo, dir)
        let bucket = MemoryBucket()
        var attached = repo
        attached.clock = .fixed(Fixture.now)
        attached.bucket = BucketPublication(bucket: bucket)
        _ = try attached.refreshTimestamp(signer: TestKeys.key("ed8"), ifExpiringWithin: nil, now: Fixture.now)
        #expect(Self.differences(bucket, attached) == [])
        #expect(try bucket.verifyAsClient(trustedRoot: Self.rootV1(repo), now: Fixture.now) == 3)
        var held = Set<String>()
        for (object, outcome) in bucket.log where outcome == .stored {
            for named in try Self.named(by: object) { #expect(held.contains(named), "\(object.key) went up before \(named)") }
            held.insert(object.key)
        }
    }
}
