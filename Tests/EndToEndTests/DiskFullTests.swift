import Foundation
import Testing
import TUFTestSupport

/// A small tmpfs for the disk-full test; nil (and the test disabled, saying why) when this
/// machine refuses `mount -t tmpfs` (not root, or no permission in a container).
enum SmallFileSystem {
    static let available: Bool = {
        guard getuid() == 0, let dir = try? Workspace.makeTemporaryFolder("tuf-tmpfs-probe") else { return false }
        defer { rmdir(dir) }
        guard let r = try? Child.run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], timeout: 20), r.status == 0 else { return false }
        _ = try? Child.run("/bin/umount", [dir], timeout: 20)
        return true
    }()

    /// Mounts a tmpfs of `size` on a new folder; `unmount` removes it.
    static func mount(size: String) throws -> String {
        let dir = try Workspace.makeTemporaryFolder("tuf-tmpfs")
        let r = try Child.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", dir], timeout: 20)
        guard r.status == 0 else { rmdir(dir); throw Failure("mount -t tmpfs: \(r)") }
        return dir
    }

    static func unmount(_ dir: String) {
        _ = try? Child.run("/bin/umount", [dir], timeout: 20)
        rmdir(dir)
    }

    /// Fills the file system holding `dir` with `dir/filler`, leaving about `free` bytes.
    static func fill(_ dir: String, leaving free: Int) throws {
        let path = dir + "/filler"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw Failure("\(path): cannot create") }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x55, count: 4096)
        var written = 0
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress!, $0.count) }) > 0 { written += 4096 }
        guard ftruncate(fd, off_t(max(0, written - free))) == 0 else { throw Failure("\(path): cannot truncate") }
    }
}

@Suite(.enabled(if: Interop.enabled), .serialized) struct DiskFullTests {
    /// With the disk full at several points of a generate (no room at all, room for some of
    /// the new pages, for the bins but not the snapshot…), the run fails cleanly: exit 1
    /// naming the file it could not write, nothing new published (metadata and plain page
    /// names unchanged), the previous repository verifies; with room again it publishes.
    @Test(.enabled(if: SmallFileSystem.available, "mount -t tmpfs is refused here (needs root); the disk-full test is skipped"))
    func testGenerateOnAFullDiskFailsCleanlyAndNothingNewIsPublished() throws {
        let mount = try SmallFileSystem.mount(size: "16m")
        defer { SmallFileSystem.unmount(mount) }
        let r = try SyntheticRepository(projects: 200, bins: 256, repoAt: mount + "/repo")
        var failures = 0
        for free in [0, 4096, 16384, 65536, 262_144] {
            let changed = try r.index.mutate(share: 0.1)
            let metadataBefore = treeDigest(r.repo + "/metadata")
            let plainBefore = changed.map { FileManager.default.contents(atPath: "\(r.repo)/targets/\($0)") }
            try SmallFileSystem.fill(mount, leaving: free)
            let run = try r.tufRepo(r.generateArguments)
            if run.status != 0 || run.signaled {
                failures += 1
                #expect(!run.signaled && run.status == 1, "free \(free): \(run)")
                #expect(run.stderr.contains(r.repo) && run.stderr.contains("No space left"), "free \(free): the message names no file: \(run)")
                #expect(treeChanges(metadataBefore, treeDigest(r.repo + "/metadata")).isEmpty, "free \(free): metadata changed by a failed generate")
                let plainAfter = changed.map { FileManager.default.contents(atPath: "\(r.repo)/targets/\($0)") }
                #expect(plainAfter == plainBefore, "free \(free): plain page names changed by a failed generate")
            }
            let verified = try r.verify(), plain = try plainPageFaults(repo: r.repo)
            #expect(verified == nil, "free \(free): \(verified ?? "")")
            #expect(plain.isEmpty, "free \(free): \(plain)")
            try FileManager.default.removeItem(atPath: mount + "/filler")
            let again = try r.tufRepo(r.generateArguments)
            #expect(again.status == 0 && !again.signaled, "free \(free), with room again: \(again)")
            let verifiedAgain = try r.verify()
            #expect(verifiedAgain == nil, "free \(free), with room again: \(verifiedAgain ?? "")")
            #expect(try plainPageFaults(repo: r.repo).isEmpty)
        }
        #expect(failures > 0, "no generate ran out of space; the filler left too much room")
    }
}
