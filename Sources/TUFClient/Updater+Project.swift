import TUFCanonicalJSON
import TUFMetadata

/// A project page that verified, parsed once, with each listed file's signed entry: what
/// `tuf-verify project` prints and what `tuf-verify serve` builds its pages from.
public struct VerifiedProject: Sendable {
    /// The page's target path (`simple/<normalized>/index.json`).
    public let pagePath: String
    /// The page's bytes, as signed.
    public let page: [UInt8]
    /// The page parsed (from exactly those bytes).
    public let json: JSON
    /// Each file the page lists, with the yank state signed in its target entry.
    public let files: [ProjectFile]
    /// The signed entry of each listed file, by target path.
    public let signedFiles: [String: TargetFile]
}

extension Updater {
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
    /// lists that no role lists is still `.notFound`).
    public func verifyProjectIfListed(_ project: String) async throws(ClientError) -> VerifiedProject? {
        guard PackageIndex.isUsableProjectName(YankVerifier.normalize(project)) else {
            throw ClientError(.invalidArgument, "\"\(project)\": not a usable project name")
        }
        let pagePath = PackageIndex.pagePath(project: project)
        let pageTarget: TargetFile
        do { pageTarget = try await targetInfo(pagePath).targetFile } catch where error.code == .notFound { return nil }
        let page = try await verifiedPage(pagePath, pageTarget)
        let json: JSON
        do { json = try JSONParser().parse(page) } catch { throw ClientError(.malformed, "\(pagePath): not JSON: \(error)") }
        var files: [ProjectFile] = []
        var signedFiles: [String: TargetFile] = [:]
        for entry in try YankVerifier.parsePage(json, pagePath: pagePath) {
            let signed = try await targetInfo(entry.targetPath).targetFile
            signedFiles[entry.targetPath] = signed
            files.append(ProjectFile(filename: entry.filename, targetPath: entry.targetPath,
                                     yank: try YankVerifier.signedYank(signed, path: entry.targetPath)))
        }
        return VerifiedProject(pagePath: pagePath, page: page, json: json, files: files, signedFiles: signedFiles)
    }

    /// The page's signed bytes: the cached copy when it still matches (pages are small: read
    /// once and checked in memory), else downloaded, checked and cached.
    private func verifiedPage(_ pagePath: String, _ pageTarget: TargetFile) async throws(ClientError) -> [UInt8] {
        if let local = try? localPath(for: pagePath), let bytes = LocalFiles.read(local),
           (try? LengthAndHashes.verify(bytes, length: pageTarget.length, hashes: pageTarget.hashes, name: pagePath)) != nil {
            return bytes
        }
        try LengthAndHashes.requireKnownAlgorithms(pageTarget.hashes, name: pagePath)
        // A forged page may be a little longer than the signed one ("yanked": "reason");
        // read some more, still bounded, so it can be explained rather than cut off.
        let signed = try LengthAndHashes.downloadBound(listed: pageTarget.length, limit: config.targetMaxLength, name: pagePath)
        let limit = min(signed, 64 << 20) + 1 << 20
        let served = try await fetcher.fetch(try targetURL(for: pagePath, pageTarget), maxLength: limit)
        do {
            try LengthAndHashes.verify(served, length: pageTarget.length, hashes: pageTarget.hashes, name: pagePath)
        } catch where error.code == .hashMismatch || error.code == .lengthMismatch {
            throw await YankVerifier.classifyMismatch(servedPage: served, pagePath: pagePath, original: error) { path throws(ClientError) in
                try await self.targetInfo(path).targetFile
            }
        }
        if targetDir != nil { try LocalFiles.writeAtomically(served, to: try localPath(for: pagePath)) }
        return served
    }
}
