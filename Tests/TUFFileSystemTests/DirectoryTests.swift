import Glibc
import Testing
import TUFTestSupport
import TUFFileSystem

/// `Directory.openRegularFile` walks below its folder without following any link, and
/// reads only regular files within a limit: the index snapshot is untrusted input.
@Suite struct DirectoryTests {
    /// `dir/index` with `simple/a/index.json` ("page") and the given extra set-up, opened.
    static func folder(_ dir: TempDir, _ setUp: (String) throws -> Void = { _ in }) throws -> Directory {
        let root = dir.sub("index")
        try FileSystem.makeDirectories(root + "/simple/a")
        try TemporaryFile.createExclusive(root + "/simple/a/index.json", Array("page".utf8), mode: 0o644)
        try setUp(root)
        return try Directory(root)
    }

    @Test func readsARegularFileBelowTheFolder() throws {
        let dir = TempDir()
        defer { withExtendedLifetime(dir) {} }
        let d = try Self.folder(dir)
        #expect(try d.readRegularFile("simple/a/index.json", limit: 100) == Array("page".utf8))
    }

    @Test(arguments: ["../x", "simple/../simple/a/index.json", "simple//a/index.json", "./simple/a/index.json", "", "simple/a/"])
    func refusesPathsThatAreNotPlainRelativeNames(_ path: String) throws {
        let dir = TempDir()
        defer { withExtendedLifetime(dir) {} }
        let d = try Self.folder(dir)
        #expect(throws: FileSystemError(.wrongType, "", "")) { _ = try d.readRegularFile(path, limit: 100) }
    }

    @Test func refusesALinkAsTheFileAndAsAFolder() throws {
        let dir = TempDir()
        defer { withExtendedLifetime(dir) {} }
        let d = try Self.folder(dir) { root in
            try TemporaryFile.createExclusive(root + "/../secret", Array("secret".utf8), mode: 0o600)
            #expect(symlink(root + "/../secret", root + "/simple/a/link.json") == 0)
            #expect(symlink(root + "/simple/a", root + "/simple/b") == 0)
        }
        #expect(throws: FileSystemError(.wrongType, "", "")) { _ = try d.readRegularFile("simple/a/link.json", limit: 100) }
        #expect(throws: FileSystemError(.wrongType, "", "")) { _ = try d.readRegularFile("simple/b/index.json", limit: 100) }
        do {
            _ = try d.readRegularFile("simple/a/link.json", limit: 100)
        } catch {
            #expect(error.message.contains("symbolic link"), "\(error.message)")
        }
    }

    @Test func aFIFODoesNotBlockAndIsRefused() throws {
        let dir = TempDir()
        defer { withExtendedLifetime(dir) {} }
        let d = try Self.folder(dir) { root in #expect(mkfifo(root + "/simple/a/fifo", 0o644) == 0) }
        #expect(throws: FileSystemError(.wrongType, "", "")) { _ = try d.readRegularFile("simple/a/fifo", limit: 100) }
    }

    @Test func aFileOverTheLimitIsRefusedBeforeItIsRead() throws {
        let dir = TempDir()
        defer { withExtendedLifetime(dir) {} }
        let d = try Self.folder(dir)
        #expect(throws: FileSystemError(.tooLarge, "", "")) { _ = try d.readRegularFile("simple/a/index.json", limit: 3) }
    }

    @Test func aMissingFileIsNotFound() throws {
        let dir = TempDir()
        defer { withExtendedLifetime(dir) {} }
        let d = try Self.folder(dir)
        #expect(throws: FileSystemError(.notFound, "", "")) { _ = try d.readRegularFile("simple/zz/index.json", limit: 100) }
        #expect(d.status("simple/zz/index.json") == nil)
        #expect(d.status("simple/a/index.json")?.st_size == 4)
    }
}
