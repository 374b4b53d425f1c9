import TUFCanonicalJSON
import TUFCrypto

/// The repository's policy, kept in `REPO/tuf-repo.json`: bin layout, expirations and
/// refresh windows per role, and the hash algorithms of targets.
public struct RepositoryPolicy: Sendable, Equatable {
    /// Number of hashed bins, a power of two from 2 to 65536.
    public var binCount: Int
    /// TAP 15 succinct roles instead of explicit `path_hash_prefixes` roles.
    public var succinct: Bool
    /// Prefix of the bin role names (`bin` gives `bin-0000`…).
    public var binNamePrefix: String
    /// Target hash algorithms; sha256 always, blake2b-256 optional.
    public var hashAlgorithms: [HashAlgorithm]
    /// Seconds each role's metadata is valid.
    public var expiry: [RepositoryRole: Int64]
    /// Online roles are re-signed when they expire within this many seconds.
    public var refreshWindow: [RepositoryRole: Int64]
    /// Seconds a superseded snapshot, and what only it references, stays on disk for the
    /// clients that started with it (`Repository.prune`; PEP 458: about an hour).
    public var retention: Int64
    /// Bin-n expiries fall on per-bin slots spread over the day (`BinStagger`), so each cron
    /// cycle re-signs an even share of the bins.
    public var staggerBins: Bool
    /// Where publications also go (a bucket), when the repository publishes to one.
    public var publish: BucketSettings?

    public init(binCount: Int = 16_384, succinct: Bool = false, binNamePrefix: String = "bin",
                hashAlgorithms: [HashAlgorithm] = [.sha256],
                expiry: [RepositoryRole: Int64] = [:], refreshWindow: [RepositoryRole: Int64] = [:],
                retention: Int64 = 3_600, staggerBins: Bool = true) throws(RepositoryError) {
        guard binCount >= 2, binCount <= 65_536, binCount & (binCount - 1) == 0 else {
            throw RepositoryError(.invalidArgument, "the bin count must be a power of two from 2 to 65536, is \(binCount)")
        }
        guard hashAlgorithms.contains(.sha256) else {
            throw RepositoryError(.invalidArgument, "the target hash algorithms must include sha256")
        }
        guard !binNamePrefix.isEmpty, binNamePrefix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw RepositoryError(.invalidArgument, "the bin name prefix must be ASCII letters, digits or _")
        }
        self.binCount = binCount; self.succinct = succinct; self.binNamePrefix = binNamePrefix
        self.hashAlgorithms = hashAlgorithms
        var e: [RepositoryRole: Int64] = [:], r: [RepositoryRole: Int64] = [:]
        for role in RepositoryRole.allCases {
            e[role] = expiry[role] ?? role.defaultExpiry
            r[role] = refreshWindow[role] ?? min(role.defaultRefreshWindow, e[role]! / 2)
            guard e[role]! > 0 else { throw RepositoryError(.invalidArgument, "\(role.rawValue): expiry must be positive") }
        }
        guard retention >= 0 else { throw RepositoryError(.invalidArgument, "the retention window must not be negative") }
        self.expiry = e; self.refreshWindow = r
        self.retention = retention; self.staggerBins = staggerBins
    }

    /// Seconds `role` is valid.
    public func expiry(of role: RepositoryRole) -> Int64 { expiry[role] ?? role.defaultExpiry }
    /// Refresh window of `role`.
    public func refreshWindow(of role: RepositoryRole) -> Int64 { refreshWindow[role] ?? role.defaultRefreshWindow }

    /// The bin layout this policy describes.
    public var bins: HashedBins { HashedBins(count: binCount, namePrefix: binNamePrefix) }

    // MARK: file format

    /// The policy as the JSON of `tuf-repo.json`.
    public var json: JSON {
        func durations(_ d: [RepositoryRole: Int64]) -> JSON {
            .object(JSONObject(RepositoryRole.allCases.map { .init(key: $0.rawValue, value: .string(DurationText.format(d[$0]!))) }))
        }
        var members: [JSONObject.Member] = [
            .init(key: "bin_name_prefix", value: .string(binNamePrefix)),
            .init(key: "bins", value: .int(Int64(binCount))),
            .init(key: "expires", value: durations(expiry)),
            .init(key: "hash_algorithms", value: .array(hashAlgorithms.map { .string($0.rawValue) })),
            .init(key: "refresh_within", value: durations(refreshWindow)),
            .init(key: "retention", value: .string(DurationText.format(retention))),
            .init(key: "stagger_bins", value: .bool(staggerBins)),
            .init(key: "succinct", value: .bool(succinct)),
        ]
        // Only when set: the policy of a repository that publishes to a folder stays as it was.
        if let publish { members.insert(.init(key: "publish", value: publish.json), at: 4) }
        return .object(JSONObject(members))
    }

    /// Reads `tuf-repo.json`; `file` names it in errors.
    public init(bytes: [UInt8], file: String) throws(RepositoryError) {
        let json: JSON
        do { json = try JSONParser().parse(bytes) } catch { throw RepositoryError(error, file: file) }
        guard let o = json.objectValue, let bins = o["bins"]?.intValue, let succinct = o["succinct"]?.boolValue else {
            throw RepositoryError(.invalidMetadata, "\(file): expected an object with \"bins\" and \"succinct\"")
        }
        func durations(_ key: String) throws(RepositoryError) -> [RepositoryRole: Int64] {
            var out: [RepositoryRole: Int64] = [:]
            for m in o[key]?.objectValue?.members ?? [] {
                guard let role = RepositoryRole(rawValue: m.key), let text = m.value.stringValue else {
                    throw RepositoryError(.invalidMetadata, "\(file).\(key).\(m.key): expected a known role and a duration")
                }
                out[role] = try DurationText.seconds(text)
            }
            return out
        }
        var algorithms: [HashAlgorithm] = []
        for a in o["hash_algorithms"]?.arrayValue ?? [.string("sha256")] {
            guard let name = a.stringValue, let alg = HashAlgorithm(rawValue: name) else {
                throw RepositoryError(.invalidMetadata, "\(file).hash_algorithms: unknown algorithm \(a)")
            }
            algorithms.append(alg)
        }
        var retention: Int64 = 3_600
        if let r = o["retention"] {
            guard let text = r.stringValue else { throw RepositoryError(.invalidMetadata, "\(file).retention: expected a duration") }
            retention = try DurationText.seconds(text)
        }
        // A policy written before staggering existed gets it: its bins converge on their slots.
        var stagger = true
        if let v = o["stagger_bins"] {
            guard let b = v.boolValue else { throw RepositoryError(.invalidMetadata, "\(file).stagger_bins: expected true or false") }
            stagger = b
        }
        try self.init(binCount: Int(bins), succinct: succinct, binNamePrefix: o["bin_name_prefix"]?.stringValue ?? "bin",
                      hashAlgorithms: algorithms, expiry: try durations("expires"), refreshWindow: try durations("refresh_within"),
                      retention: retention, staggerBins: stagger)
        if let p = o["publish"] { publish = try BucketSettings(json: p, file: file) }
    }

    /// The bytes of `tuf-repo.json`.
    public func encoded() -> [UInt8] { PythonJSONEncoder.encode(json, style: .pretty) + [0x0A] }
}
