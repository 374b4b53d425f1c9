import Foundation
import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// Changes to the targets of one bin, on top of its published (verified) targets. Every value
/// set comes from a page read in this run: the state store only says which pages to read.
struct BinChange {
    var removed: Set<String> = []
    var set: [String: TargetFile] = [:]
    /// Touched targets that, by the store, a page not re-read lists too: they keep their signed
    /// entry (which must exist), and what the re-read pages list of them (if anything) must
    /// match it. The store's own copy of that page's entries is never signed.
    var kept: [String: TargetFile?] = [:]
}

extension IndexSnapshot {
    /// Which pages an incremental read looks at.
    enum ChangeScope {
        /// Every listed page, by its status (size, mtime, ctime, inode) against the store:
        /// only those that differ are read.
        case rescan
        /// These projects' pages (normalized names), plus the project list and, when the list
        /// changed, the projects that joined or left it. `skipUnknown` drops names that are
        /// neither listed nor published (the queue) instead of failing.
        case projects([String], skipUnknown: Bool)
    }

    /// The outcome of an incremental read: the changes per bin number; a snapshot whose
    /// `pages` and `pageBytes` hold the pages read and whose `targets` hold the targets that
    /// changed (what `writeTargetFiles` must link); the page records to store and forget.
    struct Incremental {
        var snapshot: IndexSnapshot
        var changes: [Int: BinChange]
        var records: [PageRecord]
        var removed: [String]
        /// Queued names dropped as unknown (`skipUnknown`).
        var skipped: [String] = []
    }

    /// Reads what changed since the state in `store` (which must describe the published bins).
    /// Returns nil whenever the full read must decide — a fault in a page read (the full read
    /// names it), a changed target listed differently by two pages, a damaged record — so that
    /// errors and results are those of `read`. Throws for faults of the caller's own asking
    /// (an unknown project named).
    static func readChanges(index: String, hashAlgorithms: [HashAlgorithm], store: StateStore, scope: ChangeScope,
                            layout: HashedBins, keepBytes: @escaping @Sendable (String, String) -> Bool,
                            progress: ((Int, Int) -> Void)? = nil) throws(RepositoryError) -> Incremental? {
        guard let root = try? FileIO.directory(index) else { return nil }
        let parser = PageParser(root: root, hashAlgorithms: hashAlgorithms)
        var scan = ChangeScan(store: store, keepBytes: keepBytes)

        // The project list: re-read when its status changed, parsed only when its bytes did.
        guard let storedList = try store.pages([listPath])[listPath] else { return nil }
        guard let listStatus = root.status(listPath), PageRecord.Status(listStatus) == storedList.status else {
            guard let (bytes, status) = try? parser.readPageAndStatus(listPath) else { return nil }
            let file = TargetFile(describing: bytes, hashAlgorithms: hashAlgorithms)
            let changed = file.hashes["sha256"] != storedList.sha256
            var listed: [String]?
            if changed {
                guard let object = (try? parser.parser.parse(bytes))?.objectValue,
                      let names = try? projectNames(object, fault: parser.fault) else { return nil }
                listed = names
            }
            scan.record(PageRecord(path: listPath, status: status, file: file, entries: []), bytes: bytes, changed: changed)
            return try scan.finish(root: root, parser: parser, scope: scope, listed: listed, layout: layout, progress: progress)
        }
        return try scan.finish(root: root, parser: parser, scope: scope, listed: nil, layout: layout, progress: progress)
    }

    /// One candidate page as read.
    private enum Candidate: Sendable {
        /// Not there (a project whose page is gone).
        case gone
        /// Same bytes as stored; only the status changed.
        case sameBytes(PageRecord.Status, [UInt8])
        case changed(ParsedPage)
        /// The full read must decide.
        case fault
    }

    private struct ChangeScan {
        let store: StateStore
        let keepBytes: @Sendable (String, String) -> Bool
        var snapshot = IndexSnapshot(targets: [:], pages: [:], pageBytes: [:], distributionCount: 0)
        var records: [PageRecord] = []
        var removed: [String] = []
        var skipped: [String] = []
        /// Pages read or removed, whose old listings no longer count.
        var replaced = Set<String>()
        /// Targets whose listings may have changed, and how the replaced pages list them now.
        var touched = Set<String>()
        var listings: [String: [TargetFile]] = [:]
        /// Touched targets that pages not replaced list too, by the store.
        var listedElsewhere = Set<String>()

        init(store: StateStore, keepBytes: @escaping @Sendable (String, String) -> Bool) {
            self.store = store; self.keepBytes = keepBytes
        }

        /// A page read whose own target is `r.file` (changed: its bytes differ from the store's).
        mutating func record(_ r: PageRecord, bytes: [UInt8], changed: Bool) {
            records.append(r)
            snapshot.pages[r.path] = r.sha256
            if keepBytes(r.path, r.sha256) { snapshot.pageBytes[r.path] = bytes }
            if changed {
                touched.insert(r.path)
                listings[r.path, default: []].append(r.file)
            }
        }

        /// Reads the candidate pages, works out what the others list of the touched targets,
        /// and the change per bin; nil when the full read must decide.
        mutating func finish(root: Directory, parser: PageParser, scope: ChangeScope, listed: [String]?, layout: HashedBins,
                             progress: ((Int, Int) -> Void)?) throws(RepositoryError) -> Incremental? {
            var candidates: [String]
            var mayBeGone = Set<String>()
            switch scope {
            case .rescan:
                candidates = try changedPages(root: root, listed: listed)
            case .projects(let projects, let skipUnknown):
                (candidates, mayBeGone) = try requestedPages(projects, skipUnknown: skipUnknown, listed: listed, index: root.path)
            }
            candidates.sort()
            let stored = try store.pages(candidates + removed)
            let results = Self.read(candidates, mayBeGone: mayBeGone, stored: stored, root: root, parser: parser)
            for (i, result) in results.enumerated() {
                guard take(result, page: candidates[i], old: stored[candidates[i]]) else { return nil }
                progress?(i + 1, candidates.count)
            }
            for p in removed {
                guard replace(p, old: stored[p]) else { return nil }
                touched.insert(p)
            }
            guard try addOtherListings() else { return nil }
            return changes(layout: layout)
        }

        /// A rescan's candidates: the listed pages whose status differs from the store's (only
        /// those are read), and with a changed list (`listed`) every page new to it. Pages no
        /// longer listed are `removed`.
        mutating func changedPages(root: Directory, listed: [String]?) throws(RepositoryError) -> [String] {
            let table = try store.pageStatuses()
            guard let listed else { return Rescan.changedStoredPages(table, root: root) }
            let change = Rescan.listChange(table, listed: listed)
            removed += change.removed
            return Rescan.changedListedPages(table, change, root: root)
        }

        /// The candidates of named projects: their pages, and with a changed project list
        /// (`listed`) the pages that joined it; pages that left it, or that a named project no
        /// longer has, are `removed`. `mayBeGone`: named pages whose absence means removal.
        /// An unknown name is `skipped` or, unless `skipUnknown`, an error naming `index`.
        mutating func requestedPages(_ projects: [String], skipUnknown: Bool, listed: [String]?,
                                     index: String) throws(RepositoryError) -> (candidates: [String], mayBeGone: Set<String>) {
            var candidates: [String] = []
            var mayBeGone = Set<String>()
            var listedPages: Set<String>?
            if let listed {
                let change = Rescan.listChange(try store.pageStatuses(), listed: listed)
                listedPages = change.listed
                removed += change.removed
                for p in change.pages where change.storedAt[p] == nil { candidates.append(p) }
            }
            let requested = Array(Set(projects.map(PackageIndex.pagePath(normalized:)))).sorted()
            let stored = try store.pages(requested)
            let removedSet = Set(removed)
            for p in requested where !removedSet.contains(p) && !candidates.contains(p) {
                let isListed = listedPages?.contains(p) ?? (stored[p] != nil)
                if isListed { candidates.append(p); mayBeGone.insert(p); continue }
                if stored[p] != nil { removed.append(p); continue }
                let name = PackageIndex.project(ofPage: p)!
                if skipUnknown { skipped.append(name); continue }
                throw RepositoryError(.badIndex, "index \(index): project \(name) is not in \(listPath) and was never published")
            }
            return (candidates, mayBeGone)
        }

        /// Reads and, when their bytes changed, parses the candidate pages on every core.
        static func read(_ candidates: [String], mayBeGone: Set<String>, stored: [String: PageRecord],
                         root: Directory, parser: PageParser) -> [Candidate] {
            let results = ParallelResults<Candidate>(count: candidates.count)
            DispatchQueue.concurrentPerform(iterations: min(IndexSnapshot.workers, max(1, candidates.count))) { worker in
                for i in stride(from: worker, to: candidates.count, by: IndexSnapshot.workers) {
                    let p = candidates[i]
                    guard let (bytes, status) = try? parser.readPageAndStatus(p) else {
                        results.set(i, root.status(p) == nil && mayBeGone.contains(p) ? .gone : .fault)
                        continue
                    }
                    let sha = Hex.encode(Hash.digest(.sha256, bytes))
                    if let old = stored[p], old.sha256 == sha { results.set(i, .sameBytes(status, bytes)); continue }
                    guard let parsed = try? parser.parse(p, bytes, status: status) else { results.set(i, .fault); continue }
                    results.set(i, .changed(parsed))
                }
            }
            return results.values.map { $0! }
        }

        /// Records what reading `page` found; false when the full read must decide.
        mutating func take(_ result: Candidate, page p: String, old: PageRecord?) -> Bool {
            switch result {
            case .fault: return false
            case .gone: removed.append(p)
            case .sameBytes(let status, let bytes):
                record(PageRecord(path: p, status: status, file: old!.file, encodedEntries: old!.entries), bytes: bytes, changed: false)
            case .changed(let parsed):
                guard replace(p, old: old) else { return false }
                let entries = parsed.entries.map { (path: $0.path, file: $0.file) }
                record(PageRecord(path: p, status: parsed.status, file: parsed.file, entries: entries), bytes: parsed.bytes, changed: true)
                for e in parsed.entries where snapshot.origins[e.path] == nil { snapshot.origins[e.path] = (p, e.index) }
                for e in entries {
                    touched.insert(e.path)
                    listings[e.path, default: []].append(e.file)
                }
            }
            return true
        }

        /// Marks `page` as replaced and every target it listed as touched; false when its
        /// stored record is damaged.
        mutating func replace(_ page: String, old: PageRecord?) -> Bool {
            replaced.insert(page)
            guard let old else { return true }
            touched.insert(page)
            guard let entries = old.decodedEntries() else { return false }
            for e in entries { touched.insert(e.path) }
            return true
        }

        /// Notes which touched targets pages not replaced also list (rare: a file listed by two
        /// pages), from the store's listing index; false when a record there is damaged. Only
        /// which targets: what those pages list is the signed bin's (`BinChange.kept`).
        mutating func addOtherListings() throws(RepositoryError) -> Bool {
            guard !touched.isEmpty else { return true }
            for r in try store.pagesListing(touched, excluding: replaced) {
                guard let entries = r.decodedEntries() else { return false }
                for e in entries where touched.contains(e.path) { listedElsewhere.insert(e.path) }
            }
            return true
        }

        /// The new state of each touched target: gone, or listed alike by every page; nil
        /// when two pages list one target differently (the full read reports that).
        func changes(layout: HashedBins) -> Incremental? {
            var snapshot = snapshot
            var changes: [Int: BinChange] = [:]
            for p in touched {
                let bin = layout.bin(for: p)
                let l = listings[p] ?? []
                guard l.allSatisfy({ $0 == l[0] }) else { return nil }
                if listedElsewhere.contains(p) {
                    changes[bin, default: BinChange()].kept[p] = l.first
                } else if let file = l.first {
                    changes[bin, default: BinChange()].set[p] = file
                } else {
                    changes[bin, default: BinChange()].removed.insert(p)
                    continue
                }
                if snapshot.pages[p] == nil, let file = l.first { snapshot.targets[p] = file }
            }
            return Incremental(snapshot: snapshot, changes: changes, records: records, removed: removed, skipped: skipped)
        }
    }
}
