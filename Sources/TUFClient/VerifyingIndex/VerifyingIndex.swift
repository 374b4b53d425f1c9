import Foundation
import TUFCanonicalJSON
import TUFMetadata

/// The verifying simple index behind `tuf-verify serve`: answers an installer's requests
/// (`/simple/`, `/simple/<project>/`, `/files/<target>`) from metadata it verified through
/// the TUF client workflow, refreshed at most every `refreshInterval` and at once on a
/// miss. Pages are served only after they verified, with file URLs pointing here; files are
/// downloaded through TUF into the cache (length and hashes checked before a byte is sent)
/// and served from it. Every failure is a refusal naming the attack (`Refusal`). No sockets
/// here: the HTTP layer hands requests over and sends back what this returns.
public final class VerifyingIndex: @unchecked Sendable {
    // Unchecked: `updater` and `refreshedAt` are used only while holding `gate`; the
    // download tables only under `lock`.
    public struct Configuration: Sendable {
        public var metadataDir: String
        public var metadataBaseURL: String
        public var targetBaseURL: String
        /// Where verified files and pages are kept, shared between runs (writes are atomic).
        public var cacheDir: String
        /// Seconds a verified refresh is used before the next one.
        public var refreshInterval: Double = 60
        public var updaterConfig = UpdaterConfig()
        /// The upstream: metadata and files are fetched through it.
        public var fetcher: any Fetcher
        /// The time expiries are checked against; read at each refresh.
        public var clock: @Sendable () -> Expiry = { Expiry(secondsSinceEpoch: Int64(time(nil))) }
        /// Receives one line per refusal and per verified download (stderr in the CLI).
        public var log: @Sendable (String) -> Void = { _ in }
        /// Called as a large file downloads (as `Updater.progress`).
        public var progress: ProgressHandler?

        public init(metadataDir: String, metadataBaseURL: String, targetBaseURL: String, cacheDir: String, fetcher: any Fetcher) {
            self.metadataDir = metadataDir; self.metadataBaseURL = metadataBaseURL
            self.targetBaseURL = targetBaseURL; self.cacheDir = cacheDir; self.fetcher = fetcher
        }
    }

    public let configuration: Configuration
    private let gate = AsyncGate()
    private var updater: Updater?
    private var refreshedAt = -Double.infinity
    private let lock = NSLock()
    private var inFlight: [String: Task<Result<Void, ClientError>, Never>] = [:]
    /// Cache files verified by this process, with the stat they had then.
    private var verified: [String: FileStamp] = [:]

    public init(_ configuration: Configuration) { self.configuration = configuration }

    /// The answer to one request; never throws: failures are refusals.
    public func respond(to request: IndexRequest) async -> IndexResponse {
        switch IndexRoute(path: request.path) {
        case .home:
            return .text(200, "OK", "tuf-verify serve: a simple index verified through TUF; point the installer at /simple/")
        case .unknown:
            return .text(404, "Not Found", "not found")
        case .projectList:
            return await projectList(request)
        case .project(let name):
            return await project(name, request)
        case .file(let targetPath):
            return await file(targetPath, request)
        }
    }

    // MARK: - pages

    private func projectList(_ request: IndexRequest) async -> IndexResponse {
        guard let format = PageFormat.negotiate(accept: request.accept, formatParameter: request.query("format")) else { return notAcceptable() }
        let listPath = "simple/index.json"
        let outcome = await trusted(what: "the project list") { (updater) throws(ClientError) -> [String]? in
            do throws(ClientError) { _ = try await updater.targetInfo(listPath) } catch where error.code == .notFound { return nil }
            let path = try await updater.fetchTarget(listPath).path
            guard let bytes = LocalFiles.read(path), let json = try? JSONParser().parse(bytes) else {
                throw ClientError(.malformed, "\(listPath): not JSON")
            }
            return SimplePages.projectNames(json)
        }
        switch outcome {
        case .refused(let refusal): return refusal
        case .missing: return .text(404, "Not Found", "\(listPath): the signed metadata lists no project list")
        case .found(let names):
            let body = format == .json ? SimplePages.indexJSON(projects: names) : SimplePages.indexHTML(projects: names)
            return page(body, format)
        }
    }

    private func project(_ name: String, _ request: IndexRequest) async -> IndexResponse {
        guard let format = PageFormat.negotiate(accept: request.accept, formatParameter: request.query("format")) else { return notAcceptable() }
        let normalized = YankVerifier.normalize(name)
        guard PackageIndex.isUsableProjectName(normalized) else { return .text(404, "Not Found", "\"\(name)\": not a project name") }
        let pagePath = YankVerifier.pagePath(project: normalized)
        let outcome = await trusted(what: "project \(normalized)") { (updater) throws(ClientError) -> (JSON, [SimplePages.FileLink])? in
            do throws(ClientError) { _ = try await updater.targetInfo(pagePath) } catch where error.code == .notFound { return nil }
            let (_, bytes, files) = try await updater.verifyProject(normalized)
            var signed: [String: TargetFileSummary] = [:]
            for file in files {
                let entry = try await updater.targetInfo(file.targetPath).targetFile
                signed[file.targetPath] = TargetFileSummary(length: entry.length, sha256: entry.hashes["sha256"])
            }
            // The bytes verified against their signed hash, so they parse as they did for verifyProject.
            let json = (try? JSONParser().parse(bytes)) ?? .null
            return (json, SimplePages.links(page: json, files: files, signed: signed))
        }
        switch outcome {
        case .refused(let refusal): return refusal
        case .missing: return .text(404, "Not Found", "\(normalized): no such project in the signed metadata")
        case .found(let (json, links)):
            let shownName = json.objectValue?["name"]?.stringValue ?? normalized
            let versions = json.objectValue?["versions"]?.arrayValue?.compactMap { $0.stringValue }
            let body = format == .json ? SimplePages.projectJSON(name: shownName, versions: versions, links: links)
                                       : SimplePages.projectHTML(name: shownName, links: links)
            return page(body, format)
        }
    }

    private func page(_ body: [UInt8], _ format: PageFormat) -> IndexResponse {
        // Pages change with every refresh: installers must come back rather than cache them.
        IndexResponse(status: 200, reason: "OK", headers: [("Content-Type", format.contentType), ("Vary", "Accept"),
                                                            ("Cache-Control", "max-age=0, must-revalidate")], body: .bytes(body))
    }

    private func notAcceptable() -> IndexResponse {
        .text(406, "Not Acceptable", "acceptable: \(PageFormat.allCases.map { $0.rawValue }.joined(separator: ", "))")
    }

    // MARK: - files

    private func file(_ targetPath: String, _ request: IndexRequest) async -> IndexResponse {
        guard (try? LocalFiles.requireSafeRelativePath(targetPath)) != nil else { return .text(404, "Not Found", "not found") }
        let outcome = await trusted(what: "file \(targetPath)") { (updater) throws(ClientError) -> (TargetFile, String, String)? in
            let entry: TargetFile
            do throws(ClientError) { entry = try await updater.targetInfo(targetPath).targetFile } catch where error.code == .notFound { return nil }
            return (entry, try updater.targetURL(for: targetPath, entry), try updater.localPath(for: targetPath))
        }
        let entry: TargetFile, url: String, local: String
        switch outcome {
        case .refused(let refusal): return refusal
        case .missing: return .text(404, "Not Found", "\(targetPath): no trusted targets role lists this file")
        case .found(let (e, u, l)): (entry, url, local) = (e, u, l)
        }
        let headers: [(name: String, value: String)] = [("Content-Type", Self.contentType(of: targetPath)), ("Accept-Ranges", "bytes"),
                                                        ("Cache-Control", "max-age=365000000, immutable")]
        // HEAD is answered from the signed length; the file is fetched when its bytes are asked for.
        if request.method == .head {
            return IndexResponse(status: 200, reason: "OK", headers: headers, body: .file(path: local, offset: 0, length: entry.length))
        }
        switch await ensureVerified(targetPath, entry, url: url, local: local) {
        case .failure(let error):
            configuration.log("refused GET \(request.path) (file \(targetPath)): \(Refusal.line(error))")
            return Refusal.response(error)
        case .success: break
        }
        switch ByteRange.parse(request.range, length: entry.length) {
        case .whole:
            return IndexResponse(status: 200, reason: "OK", headers: headers, body: .file(path: local, offset: 0, length: entry.length))
        case .satisfiable(let start, let end):
            return IndexResponse(status: 206, reason: "Partial Content", headers: headers + [("Content-Range", "bytes \(start)-\(end)/\(entry.length)")],
                                 body: .file(path: local, offset: start, length: end - start + 1))
        case .unsatisfiable:
            return .text(416, "Range Not Satisfiable", "range outside the file", headers: [("Content-Range", "bytes */\(entry.length)")])
        }
    }

    /// Makes sure `local` holds the verified bytes of `entry`: already checked by this
    /// process (and unchanged since), found intact in the cache, or downloaded now. One
    /// download per file however many requests wait for it; a requester that hangs up does
    /// not stop it, and a failed one leaves nothing in the cache.
    private func ensureVerified(_ targetPath: String, _ entry: TargetFile, url: String, local: String) async -> Result<Void, ClientError> {
        let key = "\(targetPath)\u{0}\(entry.length)\u{0}\(entry.hashes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"
        let task = lock.withLock { () -> Task<Result<Void, ClientError>, Never> in
            if let stamp = verified[key], stamp == FileStamp(local) { return Task { .success(()) } }
            if let running = inFlight[key] { return running }
            let task = Task { await self.verifyOrDownload(targetPath, entry, url: url, local: local) }
            inFlight[key] = task
            return task
        }
        let result = await task.value
        lock.withLock {
            inFlight[key] = nil
            if case .success = result, let stamp = FileStamp(local) { verified[key] = stamp }
        }
        return result
    }

    private func verifyOrDownload(_ targetPath: String, _ entry: TargetFile, url: String, local: String) async -> Result<Void, ClientError> {
        if LengthAndHashes.fileMatches(local, length: entry.length, hashes: entry.hashes) { return .success(()) }
        do throws(ClientError) {
            try await Updater.fetchVerified(targetPath, entry, to: local, url: { () throws(ClientError) in url }, fetcher: configuration.fetcher,
                                            config: configuration.updaterConfig, progress: configuration.progress)
            configuration.log("verified \(targetPath) (\(entry.length) bytes)")
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    static func contentType(of targetPath: String) -> String {
        if targetPath.hasSuffix(".whl") || targetPath.hasSuffix(".zip") { return "application/zip" }
        if targetPath.hasSuffix(".tar.gz") || targetPath.hasSuffix(".tgz") { return "application/x-tar" }
        if targetPath.hasSuffix(".json") { return "application/json" }
        return "application/octet-stream"
    }

    // MARK: - trusted metadata

    /// Runs `body` with an updater that refreshed within `refreshInterval`, one caller at a
    /// time. When `body` finds nothing (nil) on metadata older than a second, it refreshes at
    /// once and asks again: a project uploaded a moment ago is found. A failure becomes a
    /// refusal, logged with `what` it was for.
    private func trusted<T>(what: String, _ body: (Updater) async throws(ClientError) -> T?) async -> Trusted<T> {
        await gate.acquire()
        defer { gate.release() }
        do throws(ClientError) {
            var updater = try await current(force: false)
            if let found = try await body(updater) { return .found(found) }
            guard Self.monotonicSeconds() - refreshedAt >= 1 else { return .missing }
            updater = try await current(force: true)
            return try await body(updater).map { .found($0) } ?? .missing
        } catch {
            configuration.log("refused \(what): \(Refusal.line(error))")
            return .refused(Refusal.response(error))
        }
    }

    /// The updater of the last refresh, or a new one refreshed now. A refresh that fails
    /// drops the old state: what the repository serves now did not verify, and every request
    /// is refused with the reason until a refresh succeeds.
    private func current(force: Bool) async throws(ClientError) -> Updater {
        let now = Self.monotonicSeconds()
        if !force, let updater, now - refreshedAt < configuration.refreshInterval { return updater }
        updater = nil
        let fresh = try Updater(metadataDir: configuration.metadataDir, metadataBaseURL: configuration.metadataBaseURL,
                                targetBaseURL: configuration.targetBaseURL, targetDir: configuration.cacheDir,
                                config: configuration.updaterConfig, fetcher: configuration.fetcher, referenceTime: configuration.clock())
        try await fresh.refresh()
        updater = fresh
        refreshedAt = now
        return fresh
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// What a lookup in the trusted metadata came to.
enum Trusted<T> {
    case found(T)
    /// The signed metadata does not list it (after a refresh, when the first look was stale).
    case missing
    case refused(IndexResponse)
}

/// What identifies a cache file's content without reading it: a file replaced or changed
/// since it verified has another stamp and is checked again.
struct FileStamp: Equatable {
    let device: UInt64, inode: UInt64, size: Int64, mtime: Int, mtimeNanos: Int

    init?(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        mtime = st.st_mtim.tv_sec; mtimeNanos = st.st_mtim.tv_nsec
    }
}
