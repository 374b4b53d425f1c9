import Foundation
import Testing
import TUFRepository
import TUFTestSupport

/// The index snapshot is untrusted input: a page or distribution file that is a symbolic link
/// (or below one), a FIFO, oversized, or not what its page says is refused with an error naming
/// it, and nothing is published.
@Suite struct UntrustedIndexTests {
    /// How to break an index (`index`, with a scratch folder `outside` it), and what the error must name.
    struct BadFile: CustomTestStringConvertible, Sendable {
        let name: String
        let mustMention: [String]
        let breakIt: @Sendable (_ index: String, _ outside: String) throws -> Void
        var testDescription: String { name }
    }

    static let fm = FileManager.default
    var fm: FileManager { Self.fm }

    /// Moves `path` (below `index`) to `outside` and leaves a symbolic link to it in its place.
    static func moveOutAndLink(_ index: String, _ path: String, _ outside: String) throws {
        let moved = outside + "/" + path.replacingOccurrences(of: "/", with: "_")
        try fm.moveItem(atPath: index + "/" + path, toPath: moved)
        try fm.createSymbolicLink(atPath: index + "/" + path, withDestinationPath: moved)
    }

    /// Makes `path` a sparse file of `size` bytes (no disk space, nothing to read but zeros).
    static func makeSparse(_ path: String, size: Int64) throws {
        try Data().write(to: URL(fileURLWithPath: path))
        guard truncate(path, off_t(size)) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    static func makeFIFO(_ path: String) throws {
        try? fm.removeItem(atPath: path)
        guard mkfifo(path, 0o644) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    /// The limit of the JSON parser that reads pages (IndexSnapshot).
    static let pageLimit: Int64 = 256 << 20

    static let badPages: [BadFile] = [
        BadFile(name: "page linked to /dev/zero", mustMention: ["simple/alpha/index.json", "symbolic link"]) { index, _ in
            try fm.removeItem(atPath: index + "/simple/alpha/index.json")
            try fm.createSymbolicLink(atPath: index + "/simple/alpha/index.json", withDestinationPath: "/dev/zero")
        },
        BadFile(name: "page folder linked outside the index", mustMention: ["simple/alpha", "symbolic link"]) { index, outside in
            try moveOutAndLink(index, "simple/alpha", outside)
        },
        BadFile(name: "project list linked outside the index", mustMention: ["simple/index.json", "symbolic link"]) { index, outside in
            try moveOutAndLink(index, "simple/index.json", outside)
        },
        BadFile(name: "simple folder linked outside the index", mustMention: ["simple", "symbolic link"]) { index, outside in
            try moveOutAndLink(index, "simple", outside)
        },
        BadFile(name: "page a directory", mustMention: ["simple/beta/index.json", "not a regular file"]) { index, _ in
            try fm.removeItem(atPath: index + "/simple/beta/index.json")
            try fm.createDirectory(atPath: index + "/simple/beta/index.json", withIntermediateDirectories: false)
        },
        BadFile(name: "page of 1 TiB (sparse)", mustMention: ["simple/alpha/index.json", "limit"]) { index, _ in
            try makeSparse(index + "/simple/alpha/index.json", size: 1 << 40)
        },
        BadFile(name: "page one byte over the parser's limit", mustMention: ["simple/gamma/index.json", "limit"]) { index, _ in
            try makeSparse(index + "/simple/gamma/index.json", size: pageLimit + 1)
        },
    ]

    static let badLinkedFiles: [BadFile] = [
        BadFile(name: "distribution file linked outside the index", mustMention: ["packages/zeta/zeta-1.0.tar.gz", "symbolic link"]) { index, outside in
            // Same bytes as the page says: only the link gives it away.
            try moveOutAndLink(index, "packages/zeta/zeta-1.0.tar.gz", outside)
        },
        BadFile(name: "distribution folder linked outside the index", mustMention: ["packages/zeta", "symbolic link"]) { index, outside in
            try moveOutAndLink(index, "packages/zeta", outside)
        },
        BadFile(name: "distribution file whose bytes differ, same size",
                mustMention: ["packages/zeta/zeta-1.0.tar.gz", "simple/zeta/index.json files[0]", "sha256"]) { index, _ in
            try Data("zetA".utf8).write(to: URL(fileURLWithPath: index + "/packages/zeta/zeta-1.0.tar.gz"))
        },
        BadFile(name: "distribution file a FIFO", mustMention: ["packages/zeta/empty-1.0.tar.gz", "not a regular file"]) { index, _ in
            try makeFIFO(index + "/packages/zeta/empty-1.0.tar.gz")
        },
    ]

    /// Runs `body` on its own thread; if it has not returned after a minute (a read blocked on a
    /// FIFO), records an issue and opens each of `fifos` for writing, so a blocked open returns.
    static func guardingAgainstHangs(fifos: [String], _ body: @escaping @Sendable () throws -> Void) -> (any Error)? {
        final class Outcome: @unchecked Sendable { var error: (any Error)? }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        Thread {
            do { try body() } catch { outcome.error = error }
            done.signal()
        }.start()
        if done.wait(timeout: .now() + 60) == .timedOut {
            Issue.record("generate hung reading the index")
            for f in fifos {
                let fd = open(f, O_WRONLY | O_NONBLOCK)
                if fd >= 0 { close(fd) }
            }
            done.wait()
        }
        return outcome.error
    }

    /// Publishes `IndexBuilder.small` (so the next run starts from its page cache), adds
    /// project zeta, breaks the index, and checks that the next run fails naming the file and
    /// leaves the repository as it was.
    func expectRefused(_ bad: BadFile, linkFiles: Bool, fifos: [String] = []) throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        let index = dir.sub("index"), outside = dir.sub("outside")
        try Self.fm.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try IndexBuilder.small.write(to: index)
        _ = try repo.generate(index: index, signers: Fixture.online, linkFiles: linkFiles, now: Fixture.now)
        var changed = IndexBuilder.small
        changed.projects["zeta"] = [.init(name: "zeta-1.0.tar.gz", content: "zeta"), .init(name: "empty-1.0.tar.gz", content: "")]
        try changed.write(to: index)
        try bad.breakIt(index, outside)
        let before = Fixture.files(repo.path)
        nonisolated(unsafe) let r = repo
        let error = Self.guardingAgainstHangs(fifos: fifos.map { index + "/" + $0 }) {
            _ = try r.generate(index: index, signers: Fixture.online, linkFiles: linkFiles, now: Fixture.now.adding(seconds: 60))
        }
        let failure = error as? RepositoryError
        #expect(failure?.code == .badIndex, "\(String(describing: error))")
        for m in bad.mustMention { #expect(failure?.message.contains(m) == true, "\(failure?.message ?? "") should mention \(m)") }
        #expect(Fixture.files(repo.path) == before)
    }

    @Test(arguments: badPages) func badPageIsRefusedAndNothingIsPublished(_ bad: BadFile) throws {
        try expectRefused(bad, linkFiles: false)
    }

    @Test func aFIFOPageIsRefusedWithoutBlocking() throws {
        let fifo = BadFile(name: "FIFO page", mustMention: ["simple/alpha/index.json", "not a regular file"]) { index, _ in
            try Self.makeFIFO(index + "/simple/alpha/index.json")
        }
        try expectRefused(fifo, linkFiles: false, fifos: ["simple/alpha/index.json"])
    }

    @Test(arguments: badLinkedFiles) func badLinkedFileIsRefusedAndNothingIsPublished(_ bad: BadFile) throws {
        try expectRefused(bad, linkFiles: true, fifos: ["packages/zeta/empty-1.0.tar.gz"])
    }

    @Test func linkedFilesAreTheIndexFiles() throws {
        let dir = TempDir()
        let repo = try Fixture.repository(in: dir)
        try IndexBuilder.small.write(to: dir.sub("index"))
        _ = try repo.generate(index: dir.sub("index"), signers: Fixture.online, linkFiles: true, now: Fixture.now)
        let p = "packages/alpha/alpha-1.0.tar.gz"
        let linked = repo.layout.absolute(RepositoryLayout.hashPrefixedTarget(p, sha256: IndexBuilder.sha256("alpha one")))
        let a = try Self.fm.attributesOfItem(atPath: linked), b = try Self.fm.attributesOfItem(atPath: dir.sub("index") + "/" + p)
        #expect(a[.systemFileNumber] as? UInt64 == b[.systemFileNumber] as? UInt64)
        #expect(try repo.audit(now: Fixture.now) == [])
    }
}
