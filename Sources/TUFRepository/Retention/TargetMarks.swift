import TUFMetadata

/// The targets the kept snapshots reach, looked up the way a client finds them: by the bin
/// each kept layout puts a path in, at every version a kept snapshot lists for that bin (and
/// the top-level targets). A snapshot whose roles are not one hashed-bin layout makes every
/// listed role a place to look. Role files are read once, when first needed.
struct TargetMarks {
    var layouts: [HashedBins] = []
    /// Role name (without `.json`) → the versions kept snapshots list.
    var versions: [String: Set<Int64>] = [:]
    var unknownLayout = false
    var loaded: [String: [String: TargetFile]] = [:]

    mutating func add(_ snapshot: Snapshot) {
        for (name, meta) in snapshot.meta { versions[String(name.dropLast(5)), default: []].insert(meta.version) }
        if let l = RetentionPlanner.layout(of: snapshot) {
            if !layouts.contains(l) { layouts.append(l) }
        } else {
            unknownLayout = true
        }
    }

    /// True when a kept role lists `path` with this sha256.
    mutating func lists(_ path: String, sha256: String, in repo: Repository) throws(RepositoryError) -> Bool {
        var roles = ["targets"]
        if unknownLayout { roles = Array(versions.keys) } else { roles += layouts.map { $0.name(ofBin: $0.bin(for: path)) } }
        for role in roles {
            for v in versions[role] ?? [] {
                let file = "\(v).\(role).json"
                if loaded[file] == nil {
                    loaded[file] = try repo.require(Targets.self, RepositoryLayout.metadata(file)).signed.targets
                }
                if loaded[file]![path]?.hashes["sha256"] == sha256 { return true }
            }
        }
        return false
    }
}
