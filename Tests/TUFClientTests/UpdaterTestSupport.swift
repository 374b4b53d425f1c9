import Foundation
import TUFClient
import TUFMetadata
import TUFTestSupport

/// A client of a simulated repository: metadata in `dir/metadata`, targets in `dir/targets`.
struct ClientHarness {
    let sim: RepositorySimulator
    let dir = TempDir()
    var metadataDir: String { "\(dir.path)/metadata" }
    var targetDir: String { "\(dir.path)/targets" }
    var referenceTime = MetadataFactory.now
    var config = UpdaterConfig()
    /// Deliver target bodies in 64 KiB chunks, as the real fetchers stream them.
    var chunked = false

    init(_ sim: RepositorySimulator = RepositorySimulator()) {
        self.sim = sim
        try! FileManager.default.createDirectory(atPath: "\(dir.path)/metadata", withIntermediateDirectories: true)
        try! Data(sim.signedRoots[0]).write(to: URL(fileURLWithPath: "\(dir.path)/metadata/root.json"))
    }

    func updater() throws -> Updater {
        try Updater(metadataDir: metadataDir, metadataBaseURL: RepositorySimulator.metadataURL,
                    targetBaseURL: RepositorySimulator.targetsURL, targetDir: targetDir,
                    config: config, fetcher: chunked ? ChunkingFetcher(inner: sim) : sim, referenceTime: referenceTime)
    }

    /// A fresh updater's refresh, as each run of the CLI does.
    @discardableResult
    func refresh() async throws -> Updater {
        let u = try updater()
        try await u.refresh()
        return u
    }

    /// The version of the saved metadata of `role`.
    func savedVersion(_ role: String) -> Int64? {
        let path = Updater.metadataPath(metadataDir, role: role)
        guard let data = FileManager.default.contents(atPath: path),
              let envelope = try? Envelope(bytes: [UInt8](data), name: role),
              let version = envelope.signedJSON.objectValue?["version"]?.intValue else { return nil }
        return version
    }
}

/// Wraps a fetcher so that streamed bodies arrive in 64 KiB chunks.
struct ChunkingFetcher: Fetcher {
    let inner: any Fetcher
    func fetch(_ url: String, maxLength: Int) async throws(ClientError) -> [UInt8] {
        try await inner.fetch(url, maxLength: maxLength)
    }
    func fetch(_ url: String, maxLength: Int, into sink: any DownloadSink) async throws(ClientError) {
        let body = try await inner.fetch(url, maxLength: maxLength)
        for start in stride(from: 0, to: body.count, by: 65_536) {
            try sink.write(contentsOf: Array(body[start..<min(start + 65_536, body.count)]))
        }
    }
}
