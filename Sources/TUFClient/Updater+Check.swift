import TUFFileSystem
import TUFMetadata

extension Updater {
    /// What `checkLocalFile` found.
    public struct CheckedFile: Sendable {
        public let targetPath: String
        public let targetFile: TargetFile
    }

    /// Checks a file on disk against the signed entry of `targetPath`, or, without one, of
    /// the file of that name on its project's signed page (the project found from the file
    /// name: a wheel's distribution, an sdist's name before its version). Throws the check
    /// that failed, naming the file.
    public func checkLocalFile(_ path: String, targetPath given: String?) async throws(ClientError) -> CheckedFile {
        let targetPath: String
        if let given {
            targetPath = given
        } else {
            targetPath = try await findTargetPath(forFileNamed: FileSystem.splitLast(path).name)
        }
        let entry = try await targetInfo(targetPath).targetFile
        try LengthAndHashes.checkFile(path, length: entry.length, hashes: entry.hashes, name: "\(path) (as \(targetPath))")
        return CheckedFile(targetPath: targetPath, targetFile: entry)
    }

    /// The target path of the release file named `filename`, from its project's verified page.
    func findTargetPath(forFileNamed filename: String) async throws(ClientError) -> String {
        let candidates = Self.projectCandidates(forFileNamed: filename)
        guard !candidates.isEmpty else {
            throw ClientError(.invalidArgument, "\(filename): not a wheel or sdist name; give its target path with --target-name")
        }
        for project in candidates {
            guard let files = try await verifyProjectIfListed(project)?.files else { continue }
            if let match = files.first(where: { $0.filename == filename }) { return match.targetPath }
            throw ClientError(.notFound, "\(filename): not on the signed page of project \(YankVerifier.normalize(project))")
        }
        throw ClientError(.notFound, "\(filename): no signed project page for \(candidates.map(YankVerifier.normalize).joined(separator: " or "))")
    }

    /// Project names a release file name may belong to: a wheel's first field; an sdist's
    /// name up to its last `-` (a legacy sdist may have `-` in its name).
    static func projectCandidates(forFileNamed filename: String) -> [String] {
        if filename.hasSuffix(".whl") {
            guard let first = filename.split(separator: "-").first, !first.isEmpty else { return [] }
            return [String(first)]
        }
        for suffix in [".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar"] where filename.hasSuffix(suffix) {
            let stem = filename.dropLast(suffix.count)
            guard let dash = stem.lastIndex(of: "-"), dash > stem.startIndex else { return [] }
            return [String(stem[..<dash])]
        }
        return []
    }
}
