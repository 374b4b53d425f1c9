import Foundation
import Synchronization
import TUFMetadata

/// The TUF client workflow with I/O at the edges: loads the trusted metadata saved in
/// `metadataDir`, fetches what is newer through a `Fetcher`, feeds every byte to a
/// `TrustedMetadataSet`, and saves each role's exact bytes once they verified. Refresh from
/// one task at a time; once refreshed, lookups and downloads (`targetInfo`, `verifyProject`,
/// `download`) may run from several tasks at once: the trusted set is behind a lock, and each
/// delegated role is fetched outside it and verified inside it.
public final class Updater: Sendable {
    public let metadataDir: String
    public let metadataBaseURL: String
    public let targetBaseURL: String?
    public let targetDir: String?
    public let config: UpdaterConfig
    let fetcher: any Fetcher
    /// Everything verified so far in this run.
    public var trusted: TrustedMetadataSet { state.withLock { $0.trusted } }
    /// Called as a target download goes on (target path, bytes received, total), for
    /// downloads of at least `ProgressText.threshold` bytes.
    public var progress: ProgressHandler? {
        get { state.withLock { $0.progress } }
        set { state.withLock { $0.progress = newValue } }
    }
    private let state: Mutex<State>

    private struct State {
        var trusted: TrustedMetadataSet
        var refreshed = false
        var progress: ProgressHandler?
    }

    /// Starts from `metadataDir/root.json`, which the caller trusts (installed with `init`).
    /// `referenceTime` is the time every expiry is checked against: read the clock once.
    /// `fetcher` is the network (a `DefaultFetcher` over TUFHTTPClient's `HTTPFetcher`) or a stand-in.
    public init(metadataDir: String, metadataBaseURL: String, targetBaseURL: String? = nil, targetDir: String? = nil,
                config: UpdaterConfig = UpdaterConfig(), fetcher: any Fetcher,
                referenceTime: Expiry) throws(ClientError) {
        self.metadataDir = metadataDir
        self.metadataBaseURL = Self.withSlash(metadataBaseURL)
        self.targetBaseURL = targetBaseURL.map(Self.withSlash)
        self.targetDir = targetDir
        self.config = config
        self.fetcher = fetcher
        let rootPath = Self.metadataPath(metadataDir, role: "root")
        guard let rootBytes = LocalFiles.read(rootPath) else {
            throw ClientError(.notFound, "\(rootPath): no trusted root (run init first)")
        }
        state = Mutex(State(trusted: try TrustedMetadataSet(rootBytes: rootBytes, referenceTime: referenceTime)))
    }

    /// Updates root, timestamp, snapshot and top-level targets (5.3 to 5.6).
    public func refresh() async throws(ClientError) {
        try await loadRoot()
        // 5.3.11: rotated timestamp or snapshot keys make the saved copies worthless as a
        // baseline (fast-forward recovery): remove them.
        if trusted.requiresFastForwardRecovery {
            for role in ["timestamp", "snapshot"] { try? FileManager.default.removeItem(atPath: metadataPath(role)) }
        }
        try await loadTimestamp()
        try await loadSnapshot()
        _ = try await loadTargets("targets", delegator: "root")
        state.withLock { $0.refreshed = true }
    }

    /// The trusted description of `targetPath` and the role that lists it, found by the
    /// delegation search (refreshing first if needed); `.notFound` when no role lists it.
    public func targetInfo(_ targetPath: String) async throws(ClientError) -> DelegationSearch.Found {
        if !state.withLock({ $0.refreshed }) { try await refresh() }
        let search = DelegationSearch(maxRolesVisited: config.maxDelegations)
        let found = try await search.find(targetPath) { (role, delegator) async throws(ClientError) -> Targets in
            try await self.loadTargets(role, delegator: delegator).signed
        }
        guard let found else { throw ClientError(.notFound, "\(targetPath): no trusted targets role lists this target") }
        return found
    }

    // MARK: - 5.3 root

    private func loadRoot() async throws(ClientError) {
        let start = trusted.root.signed.version + 1
        // 5.3.9: repeat with N+1 until not found, at most `maxRootRotations` times.
        for version in start..<(start + Int64(config.maxRootRotations)) {
            let bytes: [UInt8]
            do {
                // 5.3.3: N+1.root.json, at most `rootMaxLength` bytes; not found ends the loop.
                bytes = try await fetcher.fetch("\(metadataBaseURL)\(version).root.json", maxLength: config.rootMaxLength)
            } catch where error.code == .notFound {
                break
            }
            do { try update { (set) throws(ClientError) in try set.updateRoot(bytes) } } catch {
                // The trusted set names the role; the file is named here, where its version is known.
                throw ClientError(error.code, "\(version).root.json: \(error.message)")
            }
            // 5.3.8: persist each root as soon as it is trusted.
            try save("root", bytes)
        }
    }

    // MARK: - 5.4 timestamp

    private func loadTimestamp() async throws(ClientError) {
        // The saved timestamp is the rollback baseline; if it does not verify any more it is ignored.
        if let local = LocalFiles.read(metadataPath("timestamp")) {
            do { try update { (set) throws(ClientError) in try set.updateTimestamp(local) } } catch where error.code != .wrongOrder {}
        }
        let bytes = try await fetcher.fetch("\(metadataBaseURL)timestamp.json", maxLength: config.timestampMaxLength)
        // 5.4.5: persist only a newer timestamp.
        if try update({ (set) throws(ClientError) in try set.updateTimestamp(bytes) }) == .updated { try save("timestamp", bytes) }
    }

    // MARK: - 5.5 snapshot

    private func loadSnapshot() async throws(ClientError) {
        if let local = LocalFiles.read(metadataPath("snapshot")) {
            // A saved snapshot still current is used without a download.
            do { try update { (set) throws(ClientError) in try set.updateSnapshot(local, trusted: true) }; return } catch where error.code != .wrongOrder {}
        }
        guard let meta = trusted.timestamp?.signed.snapshotMeta else { throw ClientError(.wrongOrder, "no timestamp") }
        // 5.5.1: versioned name with consistent snapshots.
        let name = consistentSnapshot ? "\(meta.version).snapshot.json" : "snapshot.json"
        let limit = try LengthAndHashes.downloadBound(listed: meta.length, limit: config.snapshotMaxLength, name: "snapshot")
        let bytes = try await fetcher.fetch("\(metadataBaseURL)\(name)", maxLength: limit)
        try update { (set) throws(ClientError) in try set.updateSnapshot(bytes) }
        try save("snapshot", bytes)
    }

    // MARK: - 5.6 targets

    /// The verified targets role `role` as delegated by `delegator`: already trusted, or the
    /// saved copy if still current, or downloaded. Tasks that need the same role at once may
    /// each fetch it; the trusted set takes the first and checks the others against it.
    func loadTargets(_ role: String, delegator: String) async throws(ClientError) -> Metadata<Targets> {
        if let known = try update({ (set) throws(ClientError) in try set.trustedTargets(role, delegator: delegator) }) { return known }
        if let local = LocalFiles.read(metadataPath(role)) {
            do {
                return try update { (set) throws(ClientError) in try set.updateDelegatedTargets(local, role: role, delegator: delegator) }
            } catch where error.code != .wrongOrder {}
        }
        guard let meta = trusted.snapshot?.signed.meta(forRole: role) else {
            throw ClientError(.missingRole, "snapshot does not list \(role).json")
        }
        let encoded = PercentEncoding.encodeComponent(role)
        let name = consistentSnapshot ? "\(meta.version).\(encoded).json" : "\(encoded).json"
        let limit = try LengthAndHashes.downloadBound(listed: meta.length, limit: config.targetsMaxLength, name: role)
        let bytes = try await fetcher.fetch("\(metadataBaseURL)\(name)", maxLength: limit)
        let verified = try update { (set) throws(ClientError) in try set.updateDelegatedTargets(bytes, role: role, delegator: delegator) }
        try save(role, bytes)
        return verified
    }

    // MARK: - helpers

    /// Runs `body` on the trusted set under its lock (pure checks only: no I/O in there).
    @discardableResult
    private func update<T: Sendable>(_ body: (inout TrustedMetadataSet) throws(ClientError) -> T) throws(ClientError) -> T {
        try state.withLock { (s) throws(ClientError) -> T in try body(&s.trusted) }
    }

    var consistentSnapshot: Bool { trusted.root.signed.consistentSnapshot ?? false }

    /// Where role `role` is saved (see the static form).
    func metadataPath(_ role: String) -> String { Self.metadataPath(metadataDir, role: role) }

    /// Where role `role` is saved in `dir`: every role as one `dir/<name>.json` file (the
    /// tuf-conformance client CLI: the trusted metadata are the `.json` files of the folder).
    /// A top-level role under its own name; a delegated one under its escaped name
    /// (`PercentEncoding.encodeFileName`: no `/`, so `../x` and `/x` stay one file in `dir`;
    /// upper case and non-ASCII bytes escaped, so distinct names stay distinct files on a
    /// case-insensitive or normalizing file system, and no delegated name, `Root` included,
    /// reaches a top-level role's file).
    public static func metadataPath(_ dir: String, role: String) -> String {
        guard !RoleName.isTopLevel(role) else { return "\(dir)/\(role).json" }
        return "\(dir)/\(PercentEncoding.encodeFileName(role)).json"
    }

    private func save(_ role: String, _ bytes: [UInt8]) throws(ClientError) {
        try LocalFiles.writeAtomically(bytes, to: metadataPath(role))
    }

    private static func withSlash(_ url: String) -> String { url.utf8.last == UInt8(ascii: "/") ? url : url + "/" }
}

extension Updater {
    /// Installs `rootBytes` as the trusted root of `metadataDir` (no network): they must be
    /// root metadata signed by a threshold of its own keys. Expiry is not checked here; a
    /// refresh replaces an expired root with a newer one.
    public static func installTrustedRoot(_ rootBytes: [UInt8], metadataDir: String, referenceTime: Expiry) throws(ClientError) {
        _ = try TrustedMetadataSet(rootBytes: rootBytes, referenceTime: referenceTime)
        try LocalFiles.writeAtomically(rootBytes, to: metadataPath(metadataDir, role: "root"))
    }
}
