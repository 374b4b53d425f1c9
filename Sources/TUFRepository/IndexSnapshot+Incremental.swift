import Foundation
import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// Changes to the targets of one bin, on top of its published targets.
struct BinChange {
    var removed: Set<String> = []
    var set: [String: TargetFile] = [:]
}

extension IndexSnapshot {
    /// The outcome of an incremental read: the changes per bin number, and a snapshot whose
    /// `pages` and `pageBytes` are complete but whose `targets` hold only the targets that
    /// changed (what `writeTargetFiles` must link), with the body of the next page cache.
    struct Incremental {
        var snapshot: IndexSnapshot
        var changes: [Int: BinChange]
    }

    /// One page as the incremental read found it.
    private enum Scanned {
        /// `bytes` only when `keepBytes` asked for them.
        case same(sha256: String, bytes: [UInt8]?)
        case changed(ParsedPage)
    }

    /// Reads the snapshot at `index`, parsing only the pages whose bytes differ from `cache`
    /// (which must describe the published bins). Returns nil whenever the full read must
    /// decide — any fault in the index, or a changed target listed differently by two
    /// pages — so that errors and results are exactly those of `read`.
    static func readIncremental(index: String, hashAlgorithms: [HashAlgorithm], cache: PageCache, layout: HashedBins,
                                keepBytes: @escaping @Sendable (String, String) -> Bool, progress: ((Int, Int) -> Void)? = nil) -> Incremental? {
        do {
            return try incremental(index: index, hashAlgorithms: hashAlgorithms, cache: cache, layout: layout,
                                   keepBytes: keepBytes, progress: progress)
        } catch {
            return nil
        }
    }

    private static func incremental(index: String, hashAlgorithms: [HashAlgorithm], cache: PageCache, layout: HashedBins,
                                    keepBytes: @escaping @Sendable (String, String) -> Bool, progress: ((Int, Int) -> Void)?) throws(RepositoryError) -> Incremental? {
        guard let root = try? FileIO.directory(index) else { return nil }
        let pageParser = PageParser(root: root, hashAlgorithms: hashAlgorithms)

        // The project list is a page without files.
        let listBytes = try pageParser.readPage(listPath)
        let listFile = TargetFile(describing: listBytes, hashAlgorithms: hashAlgorithms)
        guard let list = (try? pageParser.parser.parse(listBytes))?.objectValue else { return nil }
        let names = try projectNames(list, fault: pageParser.fault)

        var scan = IncrementalScan(cache: cache, keepBytes: keepBytes)
        let listSha = listFile.hashes["sha256"]!
        scan.take(listPath, cache.pages[listPath]?.sha256 == listSha ? .same(sha256: listSha, bytes: keepBytes(listPath, listSha) ? listBytes : nil)
                  : .changed(ParsedPage(path: listPath, bytes: listBytes, file: listFile, entries: [])))
        // Every page is read and hashed on every core; only changed pages are parsed.
        try IndexSnapshot.inParallelChunks(names, { name throws(RepositoryError) -> Scanned in
            let path = pagePath(name)
            let bytes = try pageParser.readPage(path)
            let sha = Hex.encode(Hash.digest(.sha256, bytes))
            if cache.pages[path]?.sha256 == sha { return .same(sha256: sha, bytes: keepBytes(path, sha) ? bytes : nil) }
            return .changed(try pageParser.parse(path, bytes))
        }) { (name, scanned) throws(RepositoryError) in
            scan.take(pagePath(name), scanned)
            progress?(scan.snapshot.pages.count, names.count + 1)
        }
        scan.snapshot.cachePageCount = scan.snapshot.pages.count
        // Pages no longer listed.
        for path in cache.pages.keys where scan.snapshot.pages[path] == nil { scan.forget(path) }
        guard scan.consistent, scan.addSharedListings() else { return nil }
        return scan.changes(layout: layout)
    }

    /// The state of an incremental read as it goes over the pages: the next snapshot (and
    /// cache body), the targets whose listings may have changed, and how each is listed now.
    private struct IncrementalScan {
        let cache: PageCache
        let keepBytes: @Sendable (String, String) -> Bool
        var snapshot = IndexSnapshot(targets: [:], pages: [:], pageBytes: [:], distributionCount: 0)
        var touched = Set<String>()
        var listings: [String: [TargetFile]] = [:]
        /// Cache blocks of the pages that did not change.
        var unchanged: [Range<Int>] = []
        /// False when the cache could not say what a changed page listed before.
        var consistent = true

        init(cache: PageCache, keepBytes: @escaping @Sendable (String, String) -> Bool) {
            self.cache = cache; self.keepBytes = keepBytes
        }

        /// Marks a page, and every target it listed before, as touched.
        mutating func forget(_ page: String) {
            touched.insert(page)
            guard let old = cache.pages[page] else { return }
            guard let entries = cache.entries(old.entries) else { consistent = false; return }
            for e in entries { touched.insert(e.path) }
        }

        mutating func take(_ path: String, _ page: Scanned) {
            switch page {
            case .same(let sha, let bytes):
                let block = cache.pages[path]!.block
                snapshot.cacheBody += cache.bytes[block]
                unchanged.append(block)
                snapshot.pages[path] = sha
                if let bytes { snapshot.pageBytes[path] = bytes }
            case .changed(let parsed):
                forget(path)
                let sha = parsed.file.hashes["sha256"]!
                snapshot.pages[path] = sha
                if keepBytes(path, sha) { snapshot.pageBytes[path] = parsed.bytes }
                let entries = parsed.entries.map { (path: $0.path, file: $0.file) }
                PageCache.appendPage(&snapshot.cacheBody, path: path, file: parsed.file, entries: entries)
                listings[path, default: []].append(parsed.file)
                for e in parsed.entries where snapshot.origins[e.path] == nil { snapshot.origins[e.path] = (path, e.index) }
                for e in entries {
                    touched.insert(e.path)
                    listings[e.path, default: []].append(e.file)
                }
            }
        }

        /// Adds the listings of touched targets by unchanged pages (rare: a target shared by
        /// two pages); false when the cache is damaged there.
        mutating func addSharedListings() -> Bool {
            guard !touched.isEmpty else { return true }
            var escaped = Set<ArraySlice<UInt8>>()
            for p in touched {
                var e: [UInt8] = []
                PageCache.appendEscaped(&e, p)
                escaped.insert(e[...])
            }
            let lengths = Set(escaped.map(\.count))
            var damaged = false
            for block in unchanged {
                cache.forEachPath(in: block) { path, line in
                    guard lengths.contains(path.count), escaped.contains(path) else { return }
                    guard let e = PageCache.entry(line) else { damaged = true; return }
                    listings[e.path, default: []].append(e.file)
                }
            }
            return !damaged
        }

        /// The new state of each touched target: gone, or listed alike by every page; nil
        /// when two pages list one target differently (the full read reports that).
        func changes(layout: HashedBins) -> Incremental? {
            var snapshot = snapshot
            var changes: [Int: BinChange] = [:]
            for p in touched {
                let bin = layout.bin(for: p)
                guard let l = listings[p] else {
                    changes[bin, default: BinChange()].removed.insert(p)
                    continue
                }
                guard l.allSatisfy({ $0 == l[0] }) else { return nil }
                changes[bin, default: BinChange()].set[p] = l[0]
                if snapshot.pages[p] == nil { snapshot.targets[p] = l[0] }
            }
            return Incremental(snapshot: snapshot, changes: changes)
        }
    }
}
