import Foundation
import Testing
import TUFCanonicalJSON
import TUFRepository
import TUFTestSupport

/// Temporary files have unpredictable names and are created exclusively, never through a link
/// planted at a name; a failed write leaves none behind.
@Suite struct TemporaryFileTests {
    static let fm = FileManager.default
    var fm: FileManager { Self.fm }

    /// A file outside the folder written to, and a symbolic link to it planted at `plantedAt`.
    static func plantLink(at plantedAt: String, in dir: TempDir) throws -> String {
        let victim = dir.sub("victim")
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        try fm.createSymbolicLink(atPath: plantedAt, withDestinationPath: victim)
        return victim
    }

    static func isRegularFile(_ path: String) -> Bool {
        (try? fm.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular
    }

    @Test func storeWriteDoesNotFollowALinkAtTheOldTemporaryName() throws {
        let dir = TempDir()
        let root = dir.sub("repo")
        try fm.createDirectory(atPath: root, withIntermediateDirectories: true)
        let victim = try Self.plantLink(at: root + "/.x.json.tmp-\(getpid())", in: dir)
        try RepositoryStore(root: root, durability: .none).write([("x.json", Array("new".utf8))])
        #expect(fm.contents(atPath: victim) == Data("precious".utf8))
        #expect(Self.isRegularFile(root + "/x.json"))
        #expect(fm.contents(atPath: root + "/x.json") == Data("new".utf8))
    }

    @Test func signFileDoesNotFollowALinkAtTheOldTemporaryName() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        let shared = dir.sub("shared")
        try fm.createDirectory(atPath: shared, withIntermediateDirectories: true)
        let file = shared + "/root.json"
        try fm.copyItem(atPath: repo.path + "/metadata/1.root.json", toPath: file)
        let victim = try Self.plantLink(at: shared + "/.root.json.tmp-\(getpid())", in: dir)
        #expect(try Repository.signFile(file, signer: TestKeys.key("ed3")) == "root")
        #expect(fm.contents(atPath: victim) == Data("precious".utf8))
        #expect(Self.isRegularFile(file))
        let signatures = try JSONParser().parse(Array(fm.contents(atPath: file)!)).objectValue?["signatures"]?.arrayValue
        #expect(signatures?.count == 3)
    }

    /// Ways to make a batch fail after its first temporary file exists.
    enum Failure: String, CaseIterable, Sendable {
        /// A folder of the second file cannot be made (its name is a file).
        case folderBlocked
        /// The last rename fails (the final name is a non-empty folder).
        case renameFails
    }

    @Test(arguments: Failure.allCases) func aFailedWriteLeavesNoTemporaryFiles(_ failure: Failure) throws {
        let dir = TempDir()
        let root = dir.sub("repo")
        try fm.createDirectory(atPath: root + "/blocked/full", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: root + "/blocked/full/x"))
        try Data().write(to: URL(fileURLWithPath: root + "/file"))
        let before = dir.files("repo")
        let second = failure == .folderBlocked ? "file/b.json" : "blocked/full"
        #expect(throws: RepositoryError(.io, "")) {
            try RepositoryStore(root: root, durability: .none).write([("a.json", [1]), ("blocked/c.json", [2]), (second, [3])])
        }
        let left = dir.files("repo").filter { !before.contains($0) && $0 != "a.json" && $0 != "blocked/c.json" }
        #expect(left == [])
    }

    @Test func keygenDoesNotFollowALinkAtTheKeyName() throws {
        let dir = TempDir()
        let victim = try Self.plantLink(at: dir.sub("k.pem"), in: dir)
        #expect(throws: RepositoryError.self) { try KeyFiles.generate(.ed25519, out: dir.sub("k"), passphrase: nil) }
        #expect(fm.contents(atPath: victim) == Data("precious".utf8))
        try KeyFiles.generate(.ed25519, out: dir.sub("k2"), passphrase: nil)
        let mode = try fm.attributesOfItem(atPath: dir.sub("k2.pem"))[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(dir.files().filter { $0.contains(".tmp") } == [])
    }
}
