import Foundation
import Synchronization

/// A verified cache file held open: its bytes are sent from the descriptor they were checked
/// through, so a name replaced, edited or linked elsewhere meanwhile changes nothing that is
/// sent. Closed when released, unless the HTTP layer took the descriptor over (`take`).
public final class OpenFile: Sendable {
    private let descriptor: Mutex<Int32?>

    init(_ fd: Int32) { descriptor = Mutex(fd) }

    deinit {
        if let fd = descriptor.withLock({ $0 }) { close(fd) }
    }

    /// The descriptor, now the caller's to close; nil once taken.
    public func take() -> Int32? {
        descriptor.withLock { fd in
            defer { fd = nil }
            return fd
        }
    }
}

/// What identifies a cache file's content without reading it: device, inode, size, and the
/// modification and change times. The change time (ctime) cannot be set back by anyone, so a
/// file written in place since it verified has another stamp, even when its mtime was put
/// back; a file replaced has another inode.
struct FileStamp: Equatable, Sendable {
    let device: UInt64, inode: UInt64, size: Int64
    let mtime: Int, mtimeNanos: Int, ctime: Int, ctimeNanos: Int

    init(_ st: stat) {
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        mtime = st.st_mtim.tv_sec; mtimeNanos = st.st_mtim.tv_nsec
        ctime = st.st_ctim.tv_sec; ctimeNanos = st.st_ctim.tv_nsec
    }

    /// The stamp of open file `fd`, nil when it cannot be read.
    init?(descriptor fd: Int32) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        self.init(st)
    }

    /// True when the file last changed at least a second ago. The kernel stamps times from a
    /// coarse clock (a few milliseconds), so a write just after a check could leave the stamp
    /// as it was; a stamp is remembered only once that cannot happen any more.
    var isSettled: Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now.tv_sec > ctime + 1 || (now.tv_sec == ctime + 1 && now.tv_nsec >= ctimeNanos)
    }
}
