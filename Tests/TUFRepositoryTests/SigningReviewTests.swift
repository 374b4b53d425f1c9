import Foundation
import Testing
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// The review `sign` shows compares keys by material, not only by keyid, refuses a keyid of
/// the repository's own keys that is not its key's, and is made from the one buffer that is
/// then signed: a file changed after its review is never what gets signed.
@Suite struct SigningReviewTests {
    static func fingerprint(_ name: String) -> String {
        let k = TestKeys.publicKey(name)
        return "\(k.keytype)/\(k.scheme) " + Hex.encode(Hash.digest(.sha256, k.publicKey.material)).prefix(16)
    }

    /// A repository whose root waits for a second signature (only ed1 signed at init), and
    /// its staged root's bytes.
    static func stagedRootRepository(_ dir: TempDir) throws -> (Repository, String) {
        let (repo, _) = try Repository.initialize(at: dir.sub("repo"), options: Fixture.options(),
                                                  signers: [TestKeys.key("ed1"), TestKeys.key("ed4"), TestKeys.key("ed5")] + Fixture.online,
                                                  now: Fixture.now, durability: .none)
        return (repo, repo.path + "/staged/root.json")
    }

    /// `root` with the timestamp keyid kept and another key's material put under it, and a
    /// far expiry: the attack of the issue, which a keyid-only review read as "no changes".
    static func swappedTimestampKey(_ root: Root, to name: String = "ec1") -> Root {
        var r = root
        let id = r.roles[.timestamp]!.keyIDs[0]
        r.keys[id] = TestKeys.publicKey(name)
        r.version += 1
        r.expires = Expiry(iso8601: "2099-01-01T00:00:00Z")!
        return r
    }

    static func read(_ path: String) throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
    static func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    @Test func aKeySwappedUnderItsKeyidIsShownCountedAndRefused() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        let published = try Metadata<Root>(bytes: Self.read(repo.path + "/metadata/1.root.json")).signed
        let staged = repo.path + "/staged/root.json"
        try Self.write(Metadata(signed: Self.swappedTimestampKey(published)).encoded(), staged)
        let before = try Self.read(staged)

        let review = try repo.review(role: .root).review
        let id = TestKeys.keyID("ed8")
        #expect(review.changes.contains("timestamp: key \(id.prefix(16)) changed: \(Self.fingerprint("ed8")) → \(Self.fingerprint("ec1"))"),
                "\(review.changes)")
        #expect(review.keyChanges == 1)
        #expect(!review.text.contains("no key, threshold"), "\(review.text)")
        #expect(review.text.contains("1 of them to keys"), "\(review.text)")
        #expect(review.refusals.count == 1 && review.refusals[0].contains(id), "\(review.refusals)")
        #expect(review.text.contains("refused: root: keyid \(id)"), "\(review.text)")

        #expect(throws: RepositoryError(.invalidMetadata, "")) { try repo.sign(role: .root, signer: TestKeys.key("ed1"), now: Fixture.now) }
        #expect(try Self.read(staged) == before, "nothing was signed")
        // The same file copied to an offline machine: refused there too.
        let copy = dir.sub("usb-root.json")
        try Self.write(before, copy)
        #expect(try Repository.review(file: copy).review.refusals.count == 1)
        #expect(throws: RepositoryError(.invalidMetadata, "")) { try Repository.signFile(copy, signer: TestKeys.key("ed1")) }
        #expect(try Self.read(copy) == before)
    }

    /// Targets delegating to bins (the repository's) and to alice (another party's): a key
    /// swapped under alice's keyid is shown, counted and warned about; under bins' it is refused.
    @Test(arguments: [("alice", false), ("bins", true)])
    func aKeySwappedUnderADelegationKeyidIsShown(role: String, refused: Bool) throws {
        let binsID = TestKeys.keyID("ed5"), aliceID = TestKeys.keyID("ed6")
        func targets(_ keys: [String: Key]) -> Targets {
            var t = Targets(common: SignedCommon(version: 1, expires: MetadataFactory.farFuture), targets: [:])
            t.delegations = Delegations(keys: keys, roles: [
                DelegatedRole(name: "bins", keyIDs: [binsID], threshold: 1, terminating: false, paths: ["*"]),
                DelegatedRole(name: "alice", keyIDs: [aliceID], threshold: 1, terminating: false, paths: ["alice/*"]),
            ])
            return t
        }
        let old = [binsID: TestKeys.publicKey("ed5"), aliceID: TestKeys.publicKey("ed6")]
        var new = old
        let swappedID = role == "bins" ? binsID : aliceID
        new[swappedID] = TestKeys.publicKey("ec1")
        var staged = Metadata(signed: targets(new))
        staged.signed.version = 2
        let review = SigningReview.targets("targets", staged: staged, signedBytes: staged.signedBytes(), published: targets(old)) { $0 == "bins" }
        let was = role == "bins" ? "ed5" : "ed6"
        #expect(review.changes.contains("delegation keys: key \(swappedID.prefix(16)) changed: \(Self.fingerprint(was)) → \(Self.fingerprint("ec1"))"),
                "\(review.changes)")
        #expect(review.keyChanges == 1)
        #expect(review.refusals.isEmpty == !refused, "\(review.refusals)")
        #expect(review.warnings.isEmpty == refused, "\(review.warnings)")
        #expect(review.warnings.allSatisfy { $0.contains(aliceID.prefix(16)) })
    }

    /// The issue's race on an offline machine: the file is swapped (a new key under the
    /// timestamp keyid, expiry 2099) after the review was shown. The sign is refused and the
    /// swapped file is left as it is; with the file as reviewed, what is written is exactly
    /// the reviewed document plus a signature over the reviewed bytes.
    @Test func aFileSwappedAfterItsReviewIsNotSigned() throws {
        let dir = TempDir()
        let (_, staged) = try Self.stagedRootRepository(dir)
        let copy = dir.sub("usb-root.json")
        let reviewed = try Self.read(staged)
        try Self.write(reviewed, copy)
        let pending = try Repository.review(file: copy)
        #expect(pending.review.refusals.isEmpty)

        let original = try Metadata<Root>(bytes: reviewed)
        // Keyid and key agree in the swapped file: only the read-once rule stops it.
        var reKeyed = original.signed
        reKeyed.roles[.timestamp] = Role(keyIDs: [TestKeys.keyID("ed7")], threshold: 1)
        reKeyed.keys[TestKeys.keyID("ed7")] = TestKeys.publicKey("ed7")
        reKeyed.expires = Expiry(iso8601: "2099-01-01T00:00:00Z")!
        let swapped = Metadata(signed: reKeyed).encoded()
        try Self.write(swapped, copy)  // between the review and the sign (the confirm prompt)
        #expect(throws: RepositoryError(.invalidMetadata, "")) { try Repository.signFile(pending, signer: TestKeys.key("ed2")) }
        #expect(try Self.read(copy) == swapped, "the swapped file is not signed, nor overwritten")

        try Self.write(reviewed, copy)
        #expect(try Repository.signFile(pending, signer: TestKeys.key("ed2")) == "root")
        try Self.expectReviewedPlusSignature(try Self.read(copy), original: original, pending: pending, by: "ed2")
    }

    /// The same race on the repository: the staged root is replaced after its review.
    @Test func aStagedRoleChangedAfterItsReviewIsNotSigned() throws {
        let dir = TempDir()
        let (repo, staged) = try Self.stagedRootRepository(dir)
        let reviewed = try Self.read(staged)
        let original = try Metadata<Root>(bytes: reviewed)
        let pending = try repo.review(role: .root)
        var other = original.signed
        other.expires = Expiry(iso8601: "2099-01-01T00:00:00Z")!
        let swapped = Metadata(signed: other, signatures: original.signatures).encoded()
        try Self.write(swapped, staged)
        #expect(throws: RepositoryError(.invalidMetadata, "")) { try repo.sign(pending, signer: TestKeys.key("ed2"), now: Fixture.now) }
        #expect(try Self.read(staged) == swapped)
        #expect(!FileManager.default.fileExists(atPath: repo.path + "/metadata/1.root.json"))

        try Self.write(reviewed, staged)
        _ = try repo.sign(pending, signer: TestKeys.key("ed2"), now: Fixture.now)
        // Published when the online keys were not needed, else staged with the new signature.
        let published = repo.path + "/metadata/1.root.json"
        let after = try Self.read(FileManager.default.fileExists(atPath: published) ? published : staged)
        try Self.expectReviewedPlusSignature(after, original: original, pending: pending, by: "ed2")
    }

    /// `bytes` hold the reviewed document (same signed part, its earlier signatures) and a
    /// signature by `key` over the reviewed bytes, whose SHA-256 the review showed.
    static func expectReviewedPlusSignature(_ bytes: [UInt8], original: Metadata<Root>, pending: PendingSignature, by key: String) throws {
        let after = try Metadata<Root>(bytes: bytes)
        #expect(after.signed == original.signed)
        #expect(Hex.encode(Hash.digest(.sha256, after.signedBytes())) == pending.review.sha256)
        let signature = try #require(after.signatures.first { $0.keyID == TestKeys.keyID(key) })
        #expect(TestKeys.key(key).publicKey.verify(signature: try #require(Hex.decode(signature.signature)), message: pending.signedBytes))
        #expect(after.signatures.filter { $0.keyID != TestKeys.keyID(key) } == original.signatures)
    }
}
