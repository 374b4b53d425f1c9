import Foundation
import TUFClient
import TUFMetadata
import TUFTestSupport

/// A temporary folder removed when the value is dropped.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "tuf-client-\(UInt64.random(in: 0...UInt64.max))"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Every file below the folder, as sorted relative paths.
    func files(_ sub: String = "") -> [String] {
        let root = sub.isEmpty ? path : "\(path)/\(sub)"
        let all = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? []
        return all.filter { p in
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: "\(root)/\(p)", isDirectory: &dir) && !dir.boolValue
        }.sorted()
    }
}

/// A client of a simulated repository: metadata in `dir/metadata`, targets in `dir/targets`.
struct ClientHarness {
    let sim: RepositorySimulator
    let dir = TempDir()
    var metadataDir: String { "\(dir.path)/metadata" }
    var targetDir: String { "\(dir.path)/targets" }
    var referenceTime = MetadataFactory.now
    var config = UpdaterConfig()

    init(_ sim: RepositorySimulator = RepositorySimulator()) {
        self.sim = sim
        try! FileManager.default.createDirectory(atPath: "\(dir.path)/metadata", withIntermediateDirectories: true)
        try! Data(sim.signedRoots[0]).write(to: URL(fileURLWithPath: "\(dir.path)/metadata/root.json"))
    }

    func updater() throws -> Updater {
        try Updater(metadataDir: metadataDir, metadataBaseURL: RepositorySimulator.metadataURL,
                    targetBaseURL: RepositorySimulator.targetsURL, targetDir: targetDir,
                    config: config, fetcher: sim, referenceTime: referenceTime)
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
        let path = "\(metadataDir)/\(PercentEncoding.encodeComponent(role)).json"
        guard let data = FileManager.default.contents(atPath: path),
              let envelope = try? Envelope(bytes: [UInt8](data), name: role),
              let version = envelope.signedJSON.objectValue?["version"]?.intValue else { return nil }
        return version
    }
}
