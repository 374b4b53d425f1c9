import Foundation
import TUFFileSystem
import TUFMetadata

extension VerifyingIndex {
    /// `/files/<target path>`: the verified bytes of a file some trusted role lists, from the cache.
    func file(_ targetPath: String, _ request: IndexRequest) async -> IndexResponse {
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
        if request.method == .head { return IndexResponse(status: 200, reason: "OK", headers: headers, body: .head(length: entry.length)) }
        let file: OpenFile
        do throws(ClientError) { file = try await openVerified(targetPath, entry, url: url, local: local) } catch {
            configuration.log("refused GET \(request.path) (file \(targetPath)): \(Refusal.line(error))")
            return Refusal.response(error)
        }
        switch ByteRange.parse(request.range, length: entry.length) {
        case .whole:
            return IndexResponse(status: 200, reason: "OK", headers: headers, body: .file(file, offset: 0, length: entry.length))
        case .satisfiable(let start, let end):
            return IndexResponse(status: 206, reason: "Partial Content", headers: headers + [("Content-Range", "bytes \(start)-\(end)/\(entry.length)")],
                                 body: .file(file, offset: start, length: end - start + 1))
        case .unsatisfiable:
            return .text(416, "Range Not Satisfiable", "range outside the file", headers: [("Content-Range", "bytes */\(entry.length)")])
        }
    }

    /// The cache file of `entry`, open and checked through that very descriptor: known by its
    /// stamp from an earlier check, hashed now, or downloaded first and then hashed.
    private func openVerified(_ targetPath: String, _ entry: TargetFile, url: String, local: String) async throws(ClientError) -> OpenFile {
        let key = "\(targetPath)\u{0}\(entry.length)\u{0}\(entry.hashes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","))"
        if let file = try openChecked(targetPath, entry, key: key, local: local) { return file }
        try await download(targetPath, entry, key: key, url: url, local: local)
        if let file = try openChecked(targetPath, entry, key: key, local: local) { return file }
        throw ClientError(.ioFailed, "\(local): verified when downloaded, but changed before it could be sent (does another program write to the cache?)")
    }

    /// Opens the cache file following no link on any part of its path, and returns it when its
    /// stamp is one this process checked or its length and hashes match now; nil when it is
    /// not there or does not match (then it is downloaded again).
    private func openChecked(_ targetPath: String, _ entry: TargetFile, key: String, local: String) throws(ClientError) -> OpenFile? {
        let file: OpenFile, fd: Int32, stamp: FileStamp
        do throws(FileSystemError) {
            let opened = try Directory(configuration.cacheDir).openRegularFile(targetPath)
            (file, fd, stamp) = (OpenFile(opened.fd), opened.fd, FileStamp(opened.status))
        } catch where error.code == .notFound {
            return nil
        } catch {
            throw ClientError(.unsafePath, "\(error.message); remove it to download \(targetPath)")
        }
        if stamp.size == entry.length, state.withLock({ $0.verified[key] }) == stamp { return file }
        guard (try? LengthAndHashes.checkFile(descriptor: fd, path: local, length: entry.length, hashes: entry.hashes, name: targetPath)) != nil else {
            state.withLock { $0.verified[key] = nil }
            return nil
        }
        // Remembered only when nothing wrote to it while it was read, and not just now.
        if FileStamp(descriptor: fd) == stamp, stamp.isSettled { state.withLock { $0.verified[key] = stamp } }
        return file
    }

    /// Downloads `entry` into the cache: one download per file however many requests wait for
    /// it; a requester that hangs up does not stop it, and a failed one leaves nothing behind.
    private func download(_ targetPath: String, _ entry: TargetFile, key: String, url: String, local: String) async throws(ClientError) {
        let task = state.withLock { s -> Task<Result<Void, ClientError>, Never> in
            if let running = s.downloads[key] { return running }
            let task = Task { await self.fetchIntoCache(targetPath, entry, url: url, local: local) }
            s.downloads[key] = task
            return task
        }
        let result = await task.value
        state.withLock { s in if s.downloads[key] == task { s.downloads[key] = nil } }
        try result.get()
    }

    private func fetchIntoCache(_ targetPath: String, _ entry: TargetFile, url: String, local: String) async -> Result<Void, ClientError> {
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
}
