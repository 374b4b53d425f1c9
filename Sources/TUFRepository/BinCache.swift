import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// What a run needs to know about each published bin without reading it: version, expiry,
/// a digest of its targets and the fingerprint of the keys it was signed for. Kept in
/// `REPO/cache/bins.tsv`, written after each publication; entries that disagree with the
/// published snapshot (a crash between the two) are rebuilt from the bin files.
struct BinCache {
    struct Entry: Equatable {
        var version: Int64
        var expires: Int64
        /// Hex SHA-256 of the canonical JSON of the bin's `targets`.
        var digest: String
        /// `RoleKeys.fingerprint` of the keys that verified it; "-" when unknown.
        var fingerprint: String
    }

    var entries: [String: Entry] = [:]
    /// True when entries had to be rebuilt from the bin files (worth writing back).
    var rebuilt = false

    /// The digest of a set of targets.
    static func digest(_ targets: [String: TargetFile]) -> String {
        let object = JSON.object(JSONObject(targets.map { .init(key: $0.key, value: $0.value.json) }))
        return Hex.encode(Hash.digest(.sha256, CanonicalJSON.encode(object)))
    }

    static func parse(_ bytes: [UInt8]) -> BinCache {
        var cache = BinCache()
        for line in bytes.split(separator: 0x0A) where line.first != UInt8(ascii: "#") {
            let f = line.split(separator: 0x09, omittingEmptySubsequences: false)
            guard f.count == 5, let v = Int64(String(decoding: f[1], as: UTF8.self)),
                  let e = Int64(String(decoding: f[2], as: UTF8.self)) else { continue }
            cache.entries[String(decoding: f[0], as: UTF8.self)] =
                Entry(version: v, expires: e, digest: String(decoding: f[3], as: UTF8.self), fingerprint: String(decoding: f[4], as: UTF8.self))
        }
        return cache
    }

    func encoded() -> [UInt8] {
        var out = Array("# swift-tuf bin cache: name, version, expires, targets digest, keys fingerprint\n".utf8)
        for name in entries.keys.sorted() {
            let e = entries[name]!
            out.append(contentsOf: "\(name)\t\(e.version)\t\(e.expires)\t\(e.digest)\t\(e.fingerprint)\n".utf8)
        }
        return out
    }
}

extension Repository {
    /// The cache, checked against `snapshot`: an entry whose version differs from the
    /// snapshot's (or that is missing) is rebuilt from the published bin file.
    func loadBinCache(snapshot: Snapshot?, binNames: [String], keysOf: (String) -> RoleKeys?) throws(RepositoryError) -> BinCache {
        var cache = BinCache.parse(try FileIO.readIfPresent(path + "/" + Self.cacheFile) ?? [])
        guard let snapshot else { return BinCache() }
        var checked = BinCache()
        for name in binNames {
            guard let version = snapshot.meta(forRole: name)?.version else { continue }
            if let e = cache.entries[name], e.version == version { checked.entries[name] = e; continue }
            checked.rebuilt = true
            let bin = try require(Targets.self, Self.metadataPath("\(version).\(name).json"))
            var fingerprint = "-"
            if let keys = keysOf(name), keys.verifies(signedBytes: bin.metadata.signedBytes(), signatures: bin.metadata.signatures).isVerified {
                fingerprint = keys.fingerprint
            }
            checked.entries[name] = .init(version: version, expires: bin.signed.expires.secondsSinceEpoch,
                                          digest: BinCache.digest(bin.signed.targets), fingerprint: fingerprint)
        }
        cache = checked
        return cache
    }
}
