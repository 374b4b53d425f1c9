import Foundation
import TUFMetadata

extension Updater {
    /// The local file of `targetPath` below the target folder. Target paths are used as
    /// relative paths (so `packages/ab/x.whl` lands in `packages/ab/`); one that is
    /// absolute or has an empty, `.` or `..` segment is refused (`.unsafePath`).
    /// What stands at that path must be a regular file, or nothing: a FIFO, device, folder
    /// or link there is refused rather than read or replaced.
    public func localPath(for targetPath: String) throws(ClientError) -> String {
        guard let targetDir else { throw ClientError(.invalidArgument, "no target folder configured") }
        try LocalFiles.requireSafeRelativePath(targetPath)
        let path = "\(targetDir)/\(targetPath)"
        var st = stat()
        if lstat(path, &st) == 0, st.st_mode & S_IFMT != S_IFREG {
            throw ClientError(.unsafePath, "\(path): exists and is not a regular file; remove it to download \(targetPath)")
        }
        return path
    }

    /// The local file of `targetPath` if it exists with the trusted length and hashes.
    public func findCached(_ targetPath: String, _ file: TargetFile) throws(ClientError) -> String? {
        let path = try localPath(for: targetPath)
        guard LengthAndHashes.fileMatches(path, length: file.length, hashes: file.hashes) else { return nil }
        return path
    }

    /// The URL of `targetPath`: the target base URL plus the quoted path, hash-prefixed
    /// (`dir/<sha256>.name`, 5.7.3) under consistent snapshots unless turned off.
    public func targetURL(for targetPath: String, _ file: TargetFile) throws(ClientError) -> String {
        guard let targetBaseURL else { throw ClientError(.invalidArgument, "no target base URL configured") }
        var remotePath = targetPath
        if consistentSnapshot && config.prefixTargetsWithHash {
            guard let digest = file.hashes["sha256"] ?? file.hashes.sorted(by: { $0.key < $1.key }).first?.value else {
                throw ClientError(.malformed, "\(targetPath): no hash to prefix the name with")
            }
            remotePath = TargetPath.hashPrefixed(targetPath, digest: digest)
        }
        return targetBaseURL + PercentEncoding.encodePath(remotePath)
    }

    /// Downloads `targetPath` as `file` describes it, reading at most its length, checks
    /// every listed hash (5.7.3), and only then moves it into place: no partial or
    /// unverified file is ever left at the destination. Returns the local path.
    @discardableResult
    public func download(_ targetPath: String, _ file: TargetFile) async throws(ClientError) -> String {
        let destination = try localPath(for: targetPath)
        try await Self.fetchVerified(targetPath, file, to: destination, url: { () throws(ClientError) in try targetURL(for: targetPath, file) },
                                     fetcher: fetcher, config: config, progress: progress)
        return destination
    }

    /// The download of `download`, for any caller with a fetcher (the verifying index too):
    /// an algorithm we cannot check fails before any byte is fetched; the body is streamed to
    /// a temporary file beside `destination` and hashed on the way (a multi-gigabyte wheel
    /// never sits in memory), read no further than the signed length, and moved into place
    /// only once length and every hash matched. `url` is asked for after those first checks.
    static func fetchVerified(_ targetPath: String, _ file: TargetFile, to destination: String, url: () throws(ClientError) -> String,
                              fetcher: any Fetcher, config: UpdaterConfig, progress: ProgressHandler?) async throws(ClientError) {
        try LengthAndHashes.requireKnownAlgorithms(file.hashes, name: targetPath)
        let limit = try LengthAndHashes.downloadBound(listed: file.length, limit: config.targetMaxLength, name: targetPath)
        let url = try url()
        let writer = try TargetFileWriter(destination: destination, algorithms: Array(file.hashes.keys))
        var sink: any DownloadSink = writer
        if let progress, file.length >= ProgressText.threshold {
            sink = ProgressSink(writer, total: file.length) { progress(targetPath, $0, file.length) }
        }
        do {
            try await fetcher.fetch(url, maxLength: limit, into: sink)
        } catch {
            writer.discard()
            throw error
        }
        try writer.commit(length: file.length, hashes: file.hashes, name: targetPath)
    }

    /// Finds `targetPath` through TUF, then returns the verified local file, downloading it
    /// unless an up-to-date copy is already there.
    @discardableResult
    public func fetchTarget(_ targetPath: String) async throws(ClientError) -> (path: String, file: TargetFile, downloaded: Bool) {
        let found = try await targetInfo(targetPath)
        if let cached = try findCached(targetPath, found.targetFile) { return (cached, found.targetFile, false) }
        return (try await download(targetPath, found.targetFile), found.targetFile, true)
    }
}
