import Foundation
import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// The targets of a PEP 691 index snapshot (the layout is in README.md): every distribution
/// file at its path under the index root, every project page and the project list, hashed from
/// their bytes. Reading is all or nothing: any fault is a `.badIndex` error naming the file
/// and entry, and no targets are returned.
public struct IndexSnapshot: Sendable {
    /// Target path → its description.
    public var targets: [String: TargetFile]
    /// The pages (project list and project pages) by target path, with their SHA-256.
    public var pages: [String: String]
    /// Bytes of the pages the caller asked to keep (see `read`).
    public var pageBytes: [String: [UInt8]]
    /// Number of distribution files listed.
    public var distributionCount: Int
    /// Where each target was first listed (page, and entry index or nil for a page itself),
    /// to name the entry in messages; in an incremental read only for changed pages.
    var origins: [String: (page: String, entry: Int?)] = [:]

    /// "PAGE files[N]" for the entry that listed target `path`, or nil when it is not known.
    func entry(listing path: String) -> String? { origins[path].map(Self.describe) }

    static func describe(_ origin: (page: String, entry: Int?)) -> String {
        origin.entry.map { "\(origin.page) files[\($0)]" } ?? origin.page
    }

    /// The normalized project name of PEP 503 (see `PackageIndex.normalize`).
    public static func normalize(_ name: String) -> String { PackageIndex.normalize(name) }

    /// Reads the snapshot at directory `index`: regular files only, no symbolic link followed
    /// below `index`, none larger than the JSON parser takes. `hashAlgorithms` are those of the targets
    /// (sha256, and blake2b-256 when the policy asks: taken from the page when it lists it).
    /// `keepBytes(path, sha256)` says which pages' bytes to keep in `pageBytes`;
    /// `progress` is called after each page with the pages read so far and the pages listed.
    public static func read(index: String, hashAlgorithms: [HashAlgorithm] = [.sha256],
                            keepBytes: @escaping (String, String) -> Bool = { _, _ in false },
                            progress: ((Int, Int) -> Void)? = nil) throws(RepositoryError) -> IndexSnapshot {
        try read(index: index, hashAlgorithms: hashAlgorithms, keepBytes: keepBytes, progress: progress, onPage: nil)
    }

    /// `read`, handing each page's record (for the state store) to `onPage` in list order.
    static func read(index: String, hashAlgorithms: [HashAlgorithm], keepBytes: @escaping (String, String) -> Bool,
                     progress: ((Int, Int) -> Void)?, onPage: ((PageRecord) throws(RepositoryError) -> Void)?) throws(RepositoryError) -> IndexSnapshot {
        let root: Directory
        do { root = try FileIO.directory(index) } catch { throw RepositoryError(.badIndex, "index \(index): not a directory") }
        var reader = Reader(root: root, hashAlgorithms: hashAlgorithms, keepBytes: keepBytes, onPage: onPage)
        try reader.readAll(progress: progress)
        return IndexSnapshot(targets: reader.targets, pages: reader.pages, pageBytes: reader.pageBytes,
                             distributionCount: reader.distributionCount, origins: reader.origins)
    }

    private struct Reader {
        let index: String
        let pageParser: PageParser
        let hashAlgorithms: [HashAlgorithm]
        let keepBytes: (String, String) -> Bool
        var targets: [String: TargetFile] = [:]
        /// Where each target was listed (page, and entry index or nil for the page itself), for
        /// duplicate messages; kept unformatted, since formatting 40k strings costs more than
        /// reading the pages.
        var origins: [String: (page: String, entry: Int?)] = [:]
        var pages: [String: String] = [:]
        var pageBytes: [String: [UInt8]] = [:]
        var distributionCount = 0
        let onPage: ((PageRecord) throws(RepositoryError) -> Void)?
        var parser: JSONParser { pageParser.parser }

        init(root: Directory, hashAlgorithms: [HashAlgorithm], keepBytes: @escaping (String, String) -> Bool,
             onPage: ((PageRecord) throws(RepositoryError) -> Void)?) {
            self.index = root.path; self.hashAlgorithms = hashAlgorithms; self.keepBytes = keepBytes; self.onPage = onPage
            pageParser = PageParser(root: root, hashAlgorithms: hashAlgorithms)
        }

        func fault(_ file: String, _ message: String) -> RepositoryError {
            RepositoryError(.badIndex, "index \(index): \(file): \(message)")
        }

        /// Reads one page, records it as a target, and returns its JSON object.
        mutating func readPage(_ path: String) throws(RepositoryError) -> JSONObject {
            let (bytes, status) = try pageParser.readPageAndStatus(path)
            let json: JSON
            do { json = try parser.parse(bytes) } catch { throw fault(path, "malformed JSON: \(error)") }
            guard let object = json.objectValue else { throw fault(path, "expected a JSON object, found \(json.kindName)") }
            let file = TargetFile(describing: bytes, hashAlgorithms: hashAlgorithms)
            let sha = file.hashes["sha256"]!
            try add(path, file, origin: (path, nil), at: path)
            pages[path] = sha
            if keepBytes(path, sha) { pageBytes[path] = bytes }
            try onPage?(PageRecord(path: path, status: status, file: file, entries: []))
            return object
        }

        /// `at` names the origin in messages; it is only formatted on error.
        mutating func add(_ path: String, _ file: TargetFile, origin: (page: String, entry: Int?),
                          at: @autoclosure () -> String) throws(RepositoryError) {
            if let existing = targets[path] {
                let first = origins[path].map(IndexSnapshot.describe) ?? "?"
                guard existing.length == file.length, existing.hashes["sha256"] == file.hashes["sha256"] else {
                    throw RepositoryError(.badIndex, "index \(index): \(at()): target \(path) is also listed by \(first) with a different hash or size")
                }
                guard existing.custom == file.custom else {
                    throw RepositoryError(.badIndex, "index \(index): \(at()): target \(path) is also listed by \(first) with a different yank state")
                }
                return
            }
            targets[path] = file
            origins[path] = origin
        }


        mutating func readAll(progress: ((Int, Int) -> Void)?) throws(RepositoryError) {
            let names = try IndexSnapshot.projectNames(try readPage(IndexSnapshot.listPath), fault: fault)
            // Pages are read and parsed on every core, a chunk at a time (so memory stays
            // bounded), then merged in list order, so errors and duplicates are reported as a
            // sequential read would report them.
            let pageParser = self.pageParser
            try IndexSnapshot.inParallelChunks(names, { name throws(RepositoryError) in try pageParser.parseProject(name) }) {
                (_, page) throws(RepositoryError) in
                try merge(page)
                progress?(pages.count, names.count + 1)
            }
        }

        /// Adds one parsed project page and its files.
        mutating func merge(_ page: ParsedPage) throws(RepositoryError) {
            try add(page.path, page.file, origin: (page.path, nil), at: page.path)
            let sha = page.file.hashes["sha256"]!
            pages[page.path] = sha
            if keepBytes(page.path, sha) { pageBytes[page.path] = page.bytes }
            for entry in page.entries {
                try add(entry.path, entry.file, origin: (page.path, entry.index), at: "\(page.path) files[\(entry.index)] (\(entry.filename))")
            }
            distributionCount += page.entries.count
            try onPage?(PageRecord(path: page.path, status: page.status, file: page.file, entries: page.entries.map { ($0.path, $0.file) }))
        }
    }

    static let listPath = "simple/index.json"
    static var workers: Int { max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }

    /// Runs `work` on every project name using every core, a chunk at a time (so memory stays
    /// bounded), and hands each result to `consume` in list order, so errors come out as a
    /// sequential run would raise them.
    static func inParallelChunks<T>(_ names: [String], _ work: @escaping @Sendable (String) throws(RepositoryError) -> T,
                                    consume: (String, T) throws(RepositoryError) -> Void) throws(RepositoryError) {
        let workers = Self.workers
        var start = 0
        while start < names.count {
            let chunk = Array(names[start..<min(start + 256 * workers, names.count)])
            start += chunk.count
            let results = ParallelResults<Result<T, RepositoryError>>(count: chunk.count)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for i in stride(from: worker, to: chunk.count, by: workers) {
                    results.set(i, Result { () throws(RepositoryError) -> T in try work(chunk[i]) })
                }
            }
            for (i, result) in results.values.enumerated() { try consume(chunk[i], try result!.get()) }
        }
    }

    /// The normalized project names of the project list, in order, without repeats.
    static func projectNames(_ list: JSONObject, fault: (String, String) -> RepositoryError) throws(RepositoryError) -> [String] {
        let listPath = IndexSnapshot.listPath
        guard let projects = list["projects"]?.arrayValue else { throw fault(listPath, "missing array \"projects\"") }
        var seen = Set<String>()
        var names: [String] = []
        for (i, p) in projects.enumerated() {
            guard let name = p.objectValue?["name"]?.stringValue, !name.isEmpty else {
                throw fault(listPath, "projects[\(i)]: missing string \"name\"")
            }
            let normalized = IndexSnapshot.normalize(name)
            guard PackageIndex.isUsableProjectName(normalized) else {
                throw fault(listPath, "projects[\(i)] (\(name)): not a usable project name")
            }
            guard seen.insert(normalized).inserted else { continue }
            names.append(normalized)
        }
        return names
    }

    /// One project page, read and checked, with the targets of its files.
    struct ParsedPage: Sendable {
        var path: String
        var status: PageRecord.Status
        var bytes: [UInt8]
        var file: TargetFile
        var entries: [(path: String, file: TargetFile, index: Int, filename: String)]
    }

    /// Reads and checks single project pages; no shared state, so pages parse in parallel.
    struct PageParser: Sendable {
        /// The index root, held open: pages are opened below it (`FileIO.readRegularFile`);
        /// nil for pages checked in memory (`parseProjectPage`).
        let root: Directory?
        /// The index, as messages name it.
        let index: String
        let hashAlgorithms: [HashAlgorithm]
        /// Its size limit is also the limit of a page read from disk.
        let parser = IndexSnapshot.pageJSONParser

        init(root: Directory, hashAlgorithms: [HashAlgorithm]) {
            self.root = root; self.index = root.path; self.hashAlgorithms = hashAlgorithms
        }

        init(index: String, hashAlgorithms: [HashAlgorithm]) {
            self.root = nil; self.index = index; self.hashAlgorithms = hashAlgorithms
        }

        func fault(_ file: String, _ message: String) -> RepositoryError {
            RepositoryError(.badIndex, "index \(index): \(file): \(message)")
        }

        /// The digest in lowercase when it is 64 hex digits, else nil (checked on bytes: the
        /// Character-level checks were a third of the reading time).
        static func hexDigest(_ s: String) -> String? {
            guard s.utf8.count == 64 else { return nil }
            var lower = true
            for b in s.utf8 {
                switch b {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): continue
                case UInt8(ascii: "A")...UInt8(ascii: "F"): lower = false
                default: return nil
                }
            }
            return lower ? s : s.lowercased()
        }

        /// The target path of a file URL (`PackageIndex.targetPath`), or a fault naming the entry.
        func resolve(_ url: String, page: String, entry: @autoclosure () -> String) throws(RepositoryError) -> String {
            do { return try PackageIndex.targetPath(ofFileURL: url, onPage: page) } catch {
                throw fault(page, "\(entry()): URL \(url) \(error)")
            }
        }

        func parseProject(_ project: String) throws(RepositoryError) -> ParsedPage {
            let pagePath = PackageIndex.pagePath(normalized: project)
            let (bytes, status) = try readPageAndStatus(pagePath)
            return try parse(pagePath, bytes, status: status)
        }

        /// The bytes of a page: a regular file below the index root reached without following a
        /// link (a link to /dev/zero or a FIFO would never end), at most the parser's limit.
        func readPageAndStatus(_ pagePath: String) throws(RepositoryError) -> (bytes: [UInt8], status: PageRecord.Status) {
            guard let root else { throw fault(pagePath, "no index folder to read it from") }
            do {
                let (bytes, st) = try root.readRegularFileAndStatus(pagePath, limit: parser.maxBytes)
                return (bytes, PageRecord.Status(st))
            } catch {
                throw fault(pagePath, "cannot read: \(error.message)")
            }
        }

        /// Checks the bytes of one project page and makes the targets of its files.
        func parse(_ pagePath: String, _ bytes: [UInt8], status: PageRecord.Status = .init(size: 0, mtimeNanoseconds: 0, ctimeNanoseconds: 0, inode: 0)) throws(RepositoryError) -> ParsedPage {
            let json: JSON
            do { json = try parser.parse(bytes) } catch { throw fault(pagePath, "malformed JSON: \(error)") }
            guard let page = json.objectValue else { throw fault(pagePath, "expected a JSON object, found \(json.kindName)") }
            var parsed = ParsedPage(path: pagePath, status: status, bytes: bytes, file: TargetFile(describing: bytes, hashAlgorithms: hashAlgorithms), entries: [])
            guard let files = page["files"]?.arrayValue else { throw fault(pagePath, "missing array \"files\"") }
            parsed.entries.reserveCapacity(files.count)
            for (i, entry) in files.enumerated() {
                guard let f = entry.objectValue else { throw fault(pagePath, "files[\(i)]: expected an object") }
                guard let filename = f["filename"]?.stringValue, !filename.isEmpty else {
                    throw fault(pagePath, "files[\(i)]: missing string \"filename\"")
                }
                // Named in messages only; formatted on error.
                func at() -> String { "files[\(i)] (\(filename))" }
                guard let url = f["url"]?.stringValue else { throw fault(pagePath, "\(at()): missing string \"url\"") }
                let path = try resolve(url, page: pagePath, entry: at())
                guard let hashes = f["hashes"]?.objectValue, let sha = hashes["sha256"]?.stringValue else {
                    throw fault(pagePath, "\(at()): missing hashes.sha256")
                }
                guard let sha256 = Self.hexDigest(sha) else {
                    throw fault(pagePath, "\(at()): hashes.sha256 is not 64 hex digits")
                }
                guard let size = f["size"]?.intValue, size >= 0 else { throw fault(pagePath, "\(at()): missing or negative integer \"size\"") }
                var digests = ["sha256": sha256]
                if hashAlgorithms.contains(.blake2b256), let text = (hashes["blake2b_256"] ?? hashes["blake2b-256"])?.stringValue {
                    guard let b = Self.hexDigest(text) else {
                        throw fault(pagePath, "\(at()): hashes.blake2b_256 is not 64 hex digits")
                    }
                    digests["blake2b-256"] = b
                }
                var custom: JSON?
                switch f["yanked"] {
                case nil, .bool(false)?: custom = nil
                case .bool(true)?: custom = ["yanked": true]
                case .string(let reason)? where !reason.isEmpty: custom = ["yanked": .string(reason)]
                default: throw fault(pagePath, "\(at()): \"yanked\" must be false, true or a non-empty reason")
                }
                parsed.entries.append((path, TargetFile(length: size, hashes: digests, custom: custom), i, filename))
            }
            return parsed
        }

    }
}

/// Slots that concurrent workers fill by index, each slot written by exactly one worker
/// before `concurrentPerform` returns; hence unchecked Sendable.
final class ParallelResults<T>: @unchecked Sendable {
    // Raw storage, not an Array property: concurrent writes to distinct slots of one array
    // through the class would be overlapping accesses to the property.
    private let slots: UnsafeMutableBufferPointer<T?>
    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
    func set(_ i: Int, _ value: T) { slots[i] = value }
    var values: [T?] { Array(slots) }
}
