import Foundation
import Synchronization
import TUFMetadata

/// The verifying simple index behind `tuf-verify serve`: answers an installer's requests
/// (`/simple/`, `/simple/<project>/`, `/files/<target>`) from metadata it verified through
/// the TUF client workflow, refreshed at most every `refreshInterval`, at once on a miss, and
/// whenever any trusted role has expired by the clock. Pages are served only after they
/// verified, with file URLs pointing here; files are downloaded through TUF into the cache
/// (length and hashes checked before a byte is sent) and sent from the descriptor that was
/// checked. Requests run in parallel: only refreshes of the chain (root, timestamp,
/// snapshot, targets) wait for each other. Every failure is a refusal naming the attack
/// (`Refusal`). No sockets here: the HTTP layer hands requests over and sends back what this
/// returns.
public final class VerifyingIndex: Sendable {
    public struct Configuration: Sendable {
        public var metadataDir: String
        public var metadataBaseURL: String
        public var targetBaseURL: String
        /// Where verified files and pages are kept, shared between runs (writes are atomic).
        public var cacheDir: String
        /// Seconds a verified refresh is used before the next one (never past the expiry of
        /// any role it trusts).
        public var refreshInterval: Double = 60
        public var updaterConfig = UpdaterConfig()
        /// The upstream: metadata and files are fetched through it.
        public var fetcher: any Fetcher
        /// The time expiries are checked against; read at each request (`tuf-verify serve`
        /// sets the CLI's clock, tests a controlled one).
        public var clock: @Sendable () -> Expiry = { WallClock.system.now() }
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
    /// Held across a refresh of the chain only: one refresh at a time, lookups never wait on it
    /// while the last refresh is usable.
    let refreshGate = AsyncGate()
    let state = Mutex(State())

    struct State {
        var generation: Generation?
        var refreshes = 0
        /// Downloads under way, by cache key: one per file however many requests wait for it.
        var downloads: [String: Task<Result<Void, ClientError>, Never>] = [:]
        /// Cache files whose bytes this process checked, with their stamp then.
        var verified: [String: FileStamp] = [:]
    }

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
        switch await trusted(what: "the project list", { (updater) throws(ClientError) in try await updater.verifyProjectList() }) {
        case .refused(let refusal): return refusal
        case .missing: return .text(404, "Not Found", "\(Updater.projectListPath): the signed metadata lists no project list")
        case .found(let names):
            return page(format == .json ? SimplePages.indexJSON(projects: names) : SimplePages.indexHTML(projects: names), format)
        }
    }

    private func project(_ name: String, _ request: IndexRequest) async -> IndexResponse {
        guard let format = PageFormat.negotiate(accept: request.accept, formatParameter: request.query("format")) else { return notAcceptable() }
        let normalized = YankVerifier.normalize(name)
        guard PackageIndex.isUsableProjectName(normalized) else { return .text(404, "Not Found", "\"\(name)\": not a project name") }
        let outcome = await trusted(what: "project \(normalized)") { (updater) throws(ClientError) -> VerifiedProject? in
            try await updater.verifyProjectIfListed(normalized)
        }
        switch outcome {
        case .refused(let refusal): return refusal
        case .missing: return .text(404, "Not Found", "\(normalized): no such project in the signed metadata")
        case .found(let project):
            let links = SimplePages.links(project)
            return page(format == .json ? SimplePages.projectJSON(name: project.name, versions: project.versions, links: links)
                                        : SimplePages.projectHTML(name: project.name, links: links), format)
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
}
