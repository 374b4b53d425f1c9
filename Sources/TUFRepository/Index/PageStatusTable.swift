/// The stored status of every page, packed for a rescan: the paths NUL-terminated in one
/// buffer, so that each page is stat'ed by pointer (no String, no allocation per page), and
/// their statuses in the same order. Read in one statement (`StateStore.pageStatuses`).
struct PageStatusTable: Sendable {
    private(set) var bytes: [UInt8] = []
    /// Where each path starts in `bytes`.
    private(set) var starts: [Int] = []
    private(set) var statuses: [PageRecord.Status] = []

    var count: Int { starts.count }

    mutating func append(_ path: UnsafeBufferPointer<UInt8>, status: PageRecord.Status) {
        starts.append(bytes.count)
        bytes.append(contentsOf: path)
        bytes.append(0)
        statuses.append(status)
    }

    /// Path `i` as a String (for the few pages a rescan reads, or a changed project list).
    func path(_ i: Int) -> String {
        let end = (i + 1 < count ? starts[i + 1] : bytes.count) - 1
        return String(decoding: bytes[starts[i]..<end], as: UTF8.self)
    }

    /// True when path `i` is `path`, compared as bytes without making a String.
    func path(_ i: Int, is path: String) -> Bool {
        let end = (i + 1 < count ? starts[i + 1] : bytes.count) - 1
        return bytes[starts[i]..<end].elementsEqual(path.utf8)
    }
}
