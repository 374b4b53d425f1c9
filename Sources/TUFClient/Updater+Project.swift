import TUFMetadata

extension Updater {
    /// The verified project page of `project` (target `simple/<normalized>/index.json`) and
    /// each of its files with the yank state signed in its target entry. A served page that
    /// differs from the signed one only in yank state is a `.maliciousYank`.
    public func verifyProject(_ project: String) async throws(ClientError) -> (pagePath: String, page: [UInt8], files: [ProjectFile]) {
        guard PackageIndex.isUsableProjectName(YankVerifier.normalize(project)) else {
            throw ClientError(.invalidArgument, "\"\(project)\": not a usable project name")
        }
        let pagePath = YankVerifier.pagePath(project: project)
        let pageTarget = try await targetInfo(pagePath).targetFile
        let page: [UInt8]
        // A page already downloaded is read once and checked in memory (pages are small).
        if let local = try? localPath(for: pagePath), let bytes = LocalFiles.read(local),
           (try? LengthAndHashes.verify(bytes, length: pageTarget.length, hashes: pageTarget.hashes, name: pagePath)) != nil {
            page = bytes
        } else {
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
            page = served
        }
        var files: [ProjectFile] = []
        for entry in try YankVerifier.parsePage(page, pagePath: pagePath) {
            let signed = try await targetInfo(entry.targetPath).targetFile
            files.append(ProjectFile(filename: entry.filename, targetPath: entry.targetPath,
                                     yank: try YankVerifier.signedYank(signed, path: entry.targetPath)))
        }
        return (pagePath, page, files)
    }
}
