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
        let parser = pageParser.parser

        // The project list is a page without files.
        let listBytes = try pageParser.readPage(listPath)
        let listFile = TargetFile(describing: listBytes, hashAlgorithms: hashAlgorithms)
        guard let list = (try? parser.parse(listBytes))?.objectValue else { return nil }
        let names = try projectNames(list, fault: pageParser.fault)

        // The next cache, the pages, and the targets whose listings may have changed.
        var snapshot = IndexSnapshot(targets: [:], pages: [:], pageBytes: [:], distributionCount: 0)
        var touched = Set<String>()
        var listings: [String: [TargetFile]] = [:]
        var unchanged: [Range<Int>] = []
        var consistent = true
        func forget(_ page: String) {
            touched.insert(page)
            guard let old = cache.pages[page] else { return }
            guard let entries = cache.entries(old.entries) else { consistent = false; return }
            for e in entries { touched.insert(e.path) }
        }
        func take(_ path: String, _ page: Scanned) {
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
        let listSha = listFile.hashes["sha256"]!
        take(listPath, cache.pages[listPath]?.sha256 == listSha ? .same(sha256: listSha, bytes: keepBytes(listPath, listSha) ? listBytes : nil)
             : .changed(ParsedPage(path: listPath, bytes: listBytes, file: listFile, entries: [])))

        // Every page is read and hashed on every core; only changed pages are parsed.
        try IndexSnapshot.inParallelChunks(names, { name throws(RepositoryError) -> Scanned in
            let path = pagePath(name)
            let bytes = try pageParser.readPage(path)
            let sha = Hex.encode(Hash.digest(.sha256, bytes))
            if cache.pages[path]?.sha256 == sha { return .same(sha256: sha, bytes: keepBytes(path, sha) ? bytes : nil) }
            return .changed(try pageParser.parse(path, bytes))
        }) { (name, scanned) throws(RepositoryError) in
            take(pagePath(name), scanned)
            progress?(snapshot.pages.count, names.count + 1)
        }
        snapshot.cachePageCount = snapshot.pages.count
        // Pages no longer listed.
        for path in cache.pages.keys where snapshot.pages[path] == nil { forget(path) }
        guard consistent else { return nil }

        // Unchanged pages that list a touched target (rare: a target shared by two pages).
        var escaped = Set<ArraySlice<UInt8>>()
        for p in touched {
            var e: [UInt8] = []
            PageCache.appendEscaped(&e, p)
            escaped.insert(e[...])
        }
        let lengths = Set(escaped.map(\.count))
        var damaged = false
        for block in unchanged where !touched.isEmpty {
            cache.forEachPath(in: block) { path, line in
                guard lengths.contains(path.count), escaped.contains(path) else { return }
                guard let e = PageCache.entry(line) else { damaged = true; return }
                listings[e.path, default: []].append(e.file)
            }
        }
        guard !damaged else { return nil }

        // The new state of each touched target: gone, or listed alike by every page.
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
