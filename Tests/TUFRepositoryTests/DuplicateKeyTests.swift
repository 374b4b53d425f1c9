import Foundation
import Testing
import TUFCrypto
import TUFMetadata
import TUFRepository
import TUFTestSupport

/// A role's key list must not hold one key twice, however it is spelled: such a role would
/// count one key as two toward its threshold.
@Suite struct DuplicateKeyTests {
    let upper = KeySpellings.upperHex("ed1")

    func expectDuplicate(_ keyIDs: [String], sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () throws(RepositoryError) -> Void) {
        do {
            try body()
            Issue.record("expected the duplicate key to be refused", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == .invalidArgument, "\(error)", sourceLocation: sourceLocation)
            for id in keyIDs { #expect(error.message.contains(id), "\(error.message)", sourceLocation: sourceLocation) }
        }
    }

    @Test func initRefusesOneRootKeyListedTwice() throws {
        let dir = TempDir()
        var options = try Fixture.options()
        options.rootKeys = [Fixture.key("ed1"), upper]
        expectDuplicate([TestKeys.keyID("ed1"), upper.keyID]) { () throws(RepositoryError) in
            _ = try Repository.initialize(at: dir.sub("repo"), options: options, signers: Fixture.offline + Fixture.online,
                                          now: Fixture.now, durability: .none)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.sub("repo/staged")))
    }

    @Test func initRefusesOneKeyListedTwiceInAnyRole() throws {
        let dir = TempDir()
        let ec = TestKeys.publicKey("ec1")
        let compressed = KeySpellings.key(keytype: ec.keytype, scheme: ec.scheme, publicValue: KeySpellings.compressedP256())
        var options = try Fixture.options()
        options.targetsKeys = [ec, compressed]
        expectDuplicate([ec.keyID, compressed.keyID]) { () throws(RepositoryError) in
            _ = try Repository.initialize(at: dir.sub("repo"), options: options, signers: [], now: Fixture.now, durability: .none)
        }
    }

    @Test func rotateRefusesAddingAKeyTheRoleHasUnderAnotherSpelling() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        expectDuplicate([TestKeys.keyID("ed1"), upper.keyID]) { () throws(RepositoryError) in
            _ = try repo.rotate(role: .root, add: [upper], remove: [], threshold: 3, now: Fixture.now)
        }
        #expect(!FileManager.default.fileExists(atPath: dir.sub("repo/staged/root.json")))
    }

    @Test(.enabled(if: BuiltBinaries.testsRun(BuiltBinaries.tufRepo))) func cliInitRefusesOneRootKeyListedTwice() throws {
        let dir = TempDir()
        func pub(_ name: String, _ key: Key) throws -> String {
            let path = dir.sub("\(name).pub.json")
            try Data(KeyFiles.publicKeyFile(key)).write(to: URL(fileURLWithPath: path))
            return path
        }
        for n in 1...8 { _ = try pub("ed\(n)", Fixture.key("ed\(n)")) }
        let upperFile = try pub("ed1-upper", upper)
        let args = ["init", "--repo", dir.sub("repo"), "--bins", "16", "--durability", "none",
                    "--root-key", dir.sub("ed1.pub.json"), "--root-key", upperFile, "--root-threshold", "2",
                    "--targets-key", dir.sub("ed4.pub.json"), "--bins-key", dir.sub("ed5.pub.json"),
                    "--bin-n-key", dir.sub("ed6.pub.json"), "--snapshot-key", dir.sub("ed7.pub.json"),
                    "--timestamp-key", dir.sub("ed8.pub.json")]
        let r = try Interop.run(try BuiltBinaries.require(BuiltBinaries.tufRepo, "tuf-repo"), args)
        #expect(r.status == 1, "\(r.output)")
        #expect(r.output.contains(TestKeys.keyID("ed1")) && r.output.contains(upper.keyID), "\(r.output)")
        #expect(!FileManager.default.fileExists(atPath: dir.sub("repo/staged")))
    }
}
