import Foundation
import Glibc
import TUFFileSystem
import TUFMetadata

extension IndexSnapshot {
    /// A rescan's status walk: which pages to read, by one `fstatat` per page (no link
    /// followed at the last part) against the stored status read in one statement. The
    /// status only says what to read: a page read is opened with `openRegularFile` (no link
    /// followed anywhere) and hashed, and what is signed comes from those bytes.
    enum Rescan {
        /// The stored project pages whose status on disk differs from the stored one or that are
        /// gone, with the project list unchanged (so the stored pages are the listed pages). The
        /// stat goes by pointer into the packed table: no String per unchanged page.
        static func changedStoredPages(_ table: PageStatusTable, root: Directory) -> [String] {
            let changed = indices(table.count) { i in
                table.bytes.withUnsafeBufferPointer { buf in
                    var st = stat()
                    let path = UnsafeRawPointer(buf.baseAddress! + table.starts[i]).assumingMemoryBound(to: CChar.self)
                    return fstatat(root.fd, path, &st, AT_SYMLINK_NOFOLLOW) != 0 || PageRecord.Status(st) != table.statuses[i]
                }
            }
            // Rows that are no project page (the list is read apart) are left alone, as before.
            return changed.map { table.path($0) }.filter { $0 != listPath && PackageIndex.project(ofPage: $0) != nil }
        }

        /// How a changed project list differs from the stored pages.
        struct ListChange {
            /// The listed pages, in list order, and as a set.
            var pages: [String]
            var listed: Set<String>
            /// Where each stored page is in the table.
            var storedAt: [String: Int]
            /// Stored pages the list no longer names, in stored order.
            var removed: [String]
        }

        static func listChange(_ table: PageStatusTable, listed names: [String]) -> ListChange {
            let pages = names.map(PackageIndex.pagePath(normalized:))
            let listed = Set(pages)
            var storedAt: [String: Int] = [:]
            storedAt.reserveCapacity(table.count)
            var removed: [String] = []
            for i in 0..<table.count {
                let p = table.path(i)
                storedAt[p] = i
                if p != listPath, !listed.contains(p) { removed.append(p) }
            }
            return ListChange(pages: pages, listed: listed, storedAt: storedAt, removed: removed)
        }

        /// With a changed project list: the listed pages never stored (always read, so that a
        /// listed page missing on disk fails as the full read fails) or whose status differs.
        static func changedListedPages(_ table: PageStatusTable, _ change: ListChange, root: Directory) -> [String] {
            let pages = change.pages, storedAt = change.storedAt
            return indices(pages.count) { i in
                guard let at = storedAt[pages[i]] else { return true }
                var st = stat()
                return fstatat(root.fd, pages[i], &st, AT_SYMLINK_NOFOLLOW) != 0 || PageRecord.Status(st) != table.statuses[at]
            }.map { pages[$0] }
        }

        /// The indices in `0..<count` for which `changed` holds, in order, checked on every
        /// core in contiguous chunks (neighbouring pages stat'ed together).
        static func indices(_ count: Int, where changed: @escaping @Sendable (Int) -> Bool) -> [Int] {
            guard count > 0 else { return [] }
            let chunks = min(count, IndexSnapshot.workers * 16)
            let found = ParallelResults<[Int]>(count: chunks)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                var mine: [Int] = []
                for i in (c * count / chunks)..<((c + 1) * count / chunks) where changed(i) { mine.append(i) }
                found.set(c, mine)
            }
            return found.values.flatMap { $0! }
        }
    }
}
