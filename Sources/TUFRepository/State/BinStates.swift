import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// What a run needs to know about published bins without reading them: version, expiry, a
/// digest of the targets and the fingerprint of the keys each was signed for. Kept in the
/// state store; checked against the published snapshot when loaded (an entry whose version
/// differs is rebuilt from the bin file), and the digest against the bin itself whenever a
/// bin's targets are read.
struct BinStates {
    struct Entry: Equatable {
        var version: Int64
        var expires: Int64
        /// Hex SHA-256 of the canonical JSON of the bin's `targets`.
        var digest: String
        /// `RoleKeys.fingerprint` of the keys that verified it; "-" when unknown.
        var fingerprint: String
    }

    var entries: [String: Entry] = [:]
    /// True when `entries` holds every published bin; false when it holds only those a
    /// publication may touch (changed, expiring, or signed for other keys): the others are
    /// published, current, and left alone.
    var complete = true
    /// Entries rebuilt from the bin files (worth writing back to the store).
    var rebuilt: [String: Entry] = [:]

    /// The digest of a set of targets.
    static func digest(_ targets: [String: TargetFile]) -> String {
        let object = JSON.object(JSONObject(targets.map { .init(key: $0.key, value: $0.value.json) }))
        return Hex.encode(Hash.digest(.sha256, CanonicalJSON.encode(object)))
    }
}

extension Repository {
    /// The bin states, checked against `snapshot`: an entry whose version differs from the
    /// snapshot's (or that is missing) is rebuilt from the published bin file. With `only`,
    /// just those bins (an upload's), else every bin of `binNames`.
    func loadBinStates(_ state: StateStore?, snapshot: Snapshot?, binNames: [String], only: [String]? = nil,
                       keysOf: (String) -> RoleKeys?) throws(RepositoryError) -> BinStates {
        guard let snapshot else { return BinStates() }
        let names = only ?? binNames
        let stored = (try? state?.bins(only == nil ? nil : names)) ?? [:]
        var out = BinStates()
        out.complete = only == nil
        for name in names {
            guard let version = snapshot.meta(forRole: name)?.version else { continue }
            if let e = stored[name], e.version == version { out.entries[name] = e; continue }
            let bin = try require(Targets.self, RepositoryLayout.metadata(role: name, version: version))
            var fingerprint = "-"
            if let keys = keysOf(name), bin.verification(under: keys).isVerified {
                fingerprint = keys.fingerprint
            }
            let e = BinStates.Entry(version: version, expires: bin.signed.expires.secondsSinceEpoch,
                                    digest: BinStates.digest(bin.signed.targets), fingerprint: fingerprint)
            out.entries[name] = e
            out.rebuilt[name] = e
        }
        return out
    }
}
