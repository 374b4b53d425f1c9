import Glibc
import TUFFileSystem

/// An exclusive `flock` on `REPO/.lock`, so that two runs (two cron jobs, an operator and
/// cron) never interleave their writes. Released when the lock is closed or the process ends.
public final class RepositoryLock {
    private var fd: Int32

    /// Takes the lock, retrying for up to `wait` seconds; throws `.locked` after that.
    public init(repository: String, wait: Double = 5) throws(RepositoryError) {
        let path = RepositoryLayout(root: repository).lockPath
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RepositoryError(.io, "\(path): cannot open the lock file: \(FileSystem.reason())") }
        var waited = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                release()
                throw RepositoryError(.io, "\(path): cannot lock: \(FileSystem.reason())")
            }
            guard waited < wait else {
                // release() also marks the descriptor closed: deinit runs after a failed init.
                release()
                throw RepositoryError(.locked, "\(repository) is locked by another tuf-repo run (\(path)); waited \(Int(wait.rounded(.up)))s, try again later")
            }
            usleep(50_000)
            waited += 0.05
        }
    }

    /// Releases the lock.
    public func release() {
        if fd >= 0 { close(fd); fd = -1 }
    }

    deinit { release() }
}
