import TUFCanonicalJSON
import TUFMetadata

/// A project page that verified, parsed once, with the signed entry of each file it lists:
/// what `tuf-verify project` prints and what `tuf-verify serve` builds its pages from, as is.
public struct VerifiedProject: Sendable {
    /// One file of the page: what the page says of it, and its signed target entry.
    public struct Entry: Sendable {
        /// The file's name, target path and the yank state signed in its target entry.
        public let file: ProjectFile
        /// The file's signed target entry: the length and hashes an installer is given.
        public let signed: TargetFile
        /// The page's `requires-python` for this file (PEP 503 `data-requires-python`).
        public let requiresPython: String?
    }

    /// The page's target path (`simple/<normalized>/index.json`).
    public let pagePath: String
    /// The page's bytes, as signed.
    public let page: [UInt8]
    /// The project's name as the page gives it (the normalized name when it gives none).
    public let name: String
    /// The versions the page lists (PEP 700), nil when it lists none.
    public let versions: [String]?
    /// Each file the page lists, in the page's order.
    public let entries: [Entry]

    /// Each file the page lists, with the yank state signed in its target entry.
    public var files: [ProjectFile] { entries.map(\.file) }
}

extension Updater {
    /// The target path of the project list.
    public static let projectListPath = "simple/index.json"

    /// The verified project page of `project` (target `simple/<normalized>/index.json`) and
    /// each of its files with the yank state signed in its target entry. A served page that
    /// differs from the signed one only in yank state is a `.maliciousYank`; a project that no
    /// role lists is `.notFound`.
    public func verifyProject(_ project: String) async throws(ClientError) -> VerifiedProject {
        guard let verified = try await verifyProjectIfListed(project) else {
            throw ClientError(.notFound, "\(PackageIndex.pagePath(project: project)): no trusted targets role lists this target")
        }
        return verified
    }

    /// `verifyProject`, or nil when no trusted role lists the project's page (a file the page
    /// lists that no role lists is still `.notFound`). One delegation search per target, one
    /// download or cache read of the page, one parse.
    public func verifyProjectIfListed(_ project: String) async throws(ClientError) -> VerifiedProject? {
        let normalized = YankVerifier.normalize(project)
        guard PackageIndex.isUsableProjectName(normalized) else {
            throw ClientError(.invalidArgument, "\"\(project)\": not a usable project name")
        }
        let pagePath = PackageIndex.pagePath(project: project)
        guard let pageTarget = try await targetIfListed(pagePath) else { return nil }
        let page = try await verifiedBytes(pagePath, pageTarget) { served, mismatch in
            await YankVerifier.classifyMismatch(servedPage: served, pagePath: pagePath, original: mismatch) { path throws(ClientError) in
                try await self.targetInfo(path).targetFile
            }
        }
        let json = try YankVerifier.parseJSON(page, name: pagePath)
        var entries: [VerifiedProject.Entry] = []
        for listed in try YankVerifier.parsePage(json, pagePath: pagePath) {
            let signed = try await targetInfo(listed.targetPath).targetFile
            let file = ProjectFile(filename: listed.filename, targetPath: listed.targetPath,
                                   yank: try YankVerifier.signedYank(signed, path: listed.targetPath))
            entries.append(VerifiedProject.Entry(file: file, signed: signed, requiresPython: listed.requiresPython))
        }
        let object = json.objectValue
        return VerifiedProject(pagePath: pagePath, page: page, name: object?["name"]?.stringValue ?? normalized,
                               versions: object?["versions"]?.arrayValue?.compactMap(\.stringValue), entries: entries)
    }

    /// The project names of the signed project list (`simple/index.json`), nil when no
    /// trusted role lists it.
    public func verifyProjectList() async throws(ClientError) -> [String]? {
        let listPath = Self.projectListPath
        guard let entry = try await targetIfListed(listPath) else { return nil }
        let json = try YankVerifier.parseJSON(try await verifiedBytes(listPath, entry), name: listPath)
        return (json.objectValue?["projects"]?.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
    }

    /// The signed entry of `targetPath`, nil when no trusted role lists it.
    private func targetIfListed(_ targetPath: String) async throws(ClientError) -> TargetFile? {
        do { return try await targetInfo(targetPath).targetFile } catch where error.code == .notFound { return nil }
    }

    /// The signed bytes of a small target (a page, the project list): the cached copy when it
    /// still matches (read once and checked in memory), else downloaded, checked and cached.
    /// `explain` names what a served copy that does not match is; given one, a little more
    /// than the signed length is read, so that a forged page ("yanked": "reason" is longer)
    /// can be explained rather than cut off.
    private func verifiedBytes(_ path: String, _ entry: TargetFile,
                               explain: ((_ served: [UInt8], _ mismatch: ClientError) async -> ClientError)? = nil) async throws(ClientError) -> [UInt8] {
        if let local = try? localPath(for: path), let bytes = LocalFiles.read(local),
           (try? LengthAndHashes.verify(bytes, length: entry.length, hashes: entry.hashes, name: path)) != nil {
            return bytes
        }
        try LengthAndHashes.requireKnownAlgorithms(entry.hashes, name: path)
        let signed = try LengthAndHashes.downloadBound(listed: entry.length, limit: config.targetMaxLength, name: path)
        let limit = explain == nil ? signed : min(signed, 64 << 20) + 1 << 20
        let served = try await fetcher.fetch(try targetURL(for: path, entry), maxLength: limit)
        do {
            try LengthAndHashes.verify(served, length: entry.length, hashes: entry.hashes, name: path)
        } catch {
            guard let explain, error.code == .hashMismatch || error.code == .lengthMismatch else { throw error }
            throw await explain(served, error)
        }
        if targetDir != nil { try LocalFiles.writeAtomically(served, to: try localPath(for: path)) }
        return served
    }
}
