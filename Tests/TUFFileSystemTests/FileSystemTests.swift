import Glibc
import Testing
import TUFTestSupport
import TUFFileSystem

/// The path helpers and the atomic writer that the client and the repository share.
@Suite struct FileSystemTests {
    @Test(arguments: [
        ("a/b/c", "a/b", "c"), ("c", nil, "c"), ("/c", "", "c"), ("a/", "a", ""),
        // A `/` is split on as a byte, also right after a combining mark.
        ("x\u{301}/y", "x\u{301}", "y"),
    ] as [(String, String?, String)])
    func splitLastSplitsAtTheLastSlashByte(_ path: String, _ folder: String?, _ name: String) {
        let split = FileSystem.splitLast(path)
        #expect(split.folder == folder && split.name == name)
    }

    @Test(arguments: [("a/b/c", "a/b"), ("c", "."), ("/c", "/")])
    func parentOfAPath(_ path: String, _ parent: String) {
        #expect(FileSystem.parent(path) == parent)
    }

    @Test func makeDirectoriesCreatesParentsAndRefusesAFileInTheWay() throws {
        let dir = TempDir()
        try FileSystem.makeDirectories(dir.sub("a/b/c"))
        #expect(FileSystem.isDirectory(dir.sub("a/b/c")))
        try FileSystem.makeDirectories(dir.sub("a/b/c"))
        try TemporaryFile.createExclusive(dir.sub("a/file"), [1], mode: 0o644)
        #expect(throws: FileSystemError(.wrongType, "", "")) { try FileSystem.makeDirectories(dir.sub("a/file")) }
    }

    @Test(arguments: Durability.allCases)
    func atomicWriteReplacesFilesAndLeavesNoTemporaryFile(_ durability: Durability) throws {
        let dir = TempDir()
        let writer = AtomicWriter(root: dir.path, durability: durability)
        try writer.write([(dir.sub("m/1.json"), Array("one".utf8)), (dir.sub("m/n/2.json"), Array("two".utf8))])
        try writer.write([(dir.sub("m/1.json"), Array("uno".utf8))], mode: 0o600)
        #expect(try FileSystem.read(dir.sub("m/1.json"), limit: 10) == Array("uno".utf8))
        #expect(try FileSystem.read(dir.sub("m/n/2.json"), limit: 10) == Array("two".utf8))
        #expect(FileSystem.mode(dir.sub("m/1.json")) == 0o600)
        #expect(FileSystem.list(dir.sub("m")) == ["1.json", "n"])
    }

    @Test func aFailedBatchLeavesNothingNewBehind() throws {
        let dir = TempDir()
        let writer = AtomicWriter(root: dir.path, durability: .none)
        try TemporaryFile.createExclusive(dir.sub("blocker"), [0], mode: 0o644)
        // The second file's folder is a regular file: the batch fails before any rename.
        #expect(throws: FileSystemError.self) {
            try writer.write([(dir.sub("ok.json"), [1]), (dir.sub("blocker/x.json"), [2])])
        }
        #expect(FileSystem.list(dir.path) == ["blocker"])
    }

    @Test func readIfPresentIsNilOnlyForAMissingFileAndKeepsTheLimit() throws {
        let dir = TempDir()
        #expect(try FileSystem.readIfPresent(dir.sub("none"), limit: 10) == nil)
        try TemporaryFile.createExclusive(dir.sub("f"), Array("12345".utf8), mode: 0o644)
        #expect(throws: FileSystemError(.tooLarge, "", "")) { _ = try FileSystem.readIfPresent(dir.sub("f"), limit: 4) }
    }

    /// A listing long enough to fill readdir's buffer: its last record ends at the buffer's
    /// end, where copying a whole `dirent` read past it (AddressSanitizer, in CI).
    @Test func listingAFolderOfThousandsOfShortNamesReadsEachNameInPlace() throws {
        let dir = TempDir()
        let names = (0..<3000).map { "f\($0)" }
        for name in names { try TemporaryFile.createExclusive(dir.sub(name), [], mode: 0o644) }
        #expect(FileSystem.list(dir.path) == names.sorted())
    }

    @Test func removeOfNothingIsNotAnError() throws {
        let dir = TempDir()
        try FileSystem.remove(dir.sub("none"))
        #expect(!FileSystem.exists(dir.sub("none")))
    }
}
