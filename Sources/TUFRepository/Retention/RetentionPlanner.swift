import TUFMetadata

/// What retention keeps, decided without I/O or a clock (RetentionTests): the published
/// snapshot, every snapshot superseded less than the window ago (a client that read the
/// timestamp before may still walk it), and every role file and target copy one of them
/// reaches. Root versions and `timestamp.json` are never candidates.
struct RetentionPlanner {
    /// The snapshot version the current timestamp names.
    let currentSnapshot: Int64
    let log: PublicationLog
    /// The time of the command (`Repository.clock`).
    let now: Expiry
    /// The policy's retention window, in seconds.
    let window: Int64

    /// Splits the snapshot versions on disk: kept are the current one and those superseded
    /// within the window (or at a time not recorded, or in the future: the clock is not
    /// trusted to shorten the window); removed are the older ones and any version above the
    /// current one (written by a run that never reached its timestamp: nothing names it).
    func snapshots(onDisk versions: [Int64]) -> (kept: [Int64], removed: [Int64]) {
        let recorded = log.published.keys.sorted()
        var kept: [Int64] = [], removed: [Int64] = []
        for v in versions.sorted() {
            if v == currentSnapshot { kept.append(v); continue }
            if v > currentSnapshot { removed.append(v); continue }
            // The first recorded later version: the current one is always recorded before a prune.
            guard let next = recorded.first(where: { $0 > v }), let at = log.published[next] else { kept.append(v); continue }
            if at > now.adding(seconds: -window) { kept.append(v) } else { removed.append(v) }
        }
        return (kept, removed)
    }

    /// The metadata file names (below `metadata/`) a snapshot reaches: itself and every role
    /// file it lists at the version it lists.
    static func files(ofSnapshot version: Int64, _ snapshot: Snapshot) -> Set<String> {
        var out: Set<String> = ["\(version).snapshot.json"]
        for (name, meta) in snapshot.meta { out.insert("\(meta.version).\(name)") }
        return out
    }

    /// A published metadata file name `N.ROLE.json` that retention may remove: versioned, and
    /// not a root (every root version stays, for clients that update from an old root).
    static func removableName(_ name: String) -> (version: Int64, role: String)? {
        guard name.hasSuffix(".json"), let dot = name.firstIndex(of: "."), let v = Int64(name[..<dot]), v >= 1,
              name[..<dot].allSatisfy(\.isASCII) else { return nil }
        let role = String(name[name.index(after: dot)...].dropLast(5))
        guard !role.isEmpty, role != "root" else { return nil }
        return (v, role)
    }

    /// The target path and sha256 a hash-prefixed copy under `targets/` stands for
    /// (`dir/<64 hex>.name` → `dir/name`); nil for any other name, such as a plain page name,
    /// which retention never removes.
    static func hashPrefixedTarget(_ relative: String) -> (path: String, sha256: String)? {
        let (folder, name) = TargetPath.splitLast(relative)
        let bytes = Array(name.utf8)
        guard bytes.count > 65, bytes[64] == UInt8(ascii: "."),
              bytes[..<64].allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        let rest = String(decoding: bytes[65...], as: UTF8.self)
        return (folder.map { "\($0)/\(rest)" } ?? rest, String(decoding: bytes[..<64], as: UTF8.self))
    }

    /// The hashed-bin layout a snapshot lists (its role names other than targets and bins),
    /// or nil when they are not exactly one `HashedBins` layout.
    static func layout(of snapshot: Snapshot) -> HashedBins? {
        let names = snapshot.meta.keys.filter { $0 != "targets.json" && $0 != "bins.json" }.map { String($0.dropLast(5)) }
        guard let first = names.first, let dash = first.lastIndex(of: "-") else { return nil }
        let layout = HashedBins(count: names.count, namePrefix: String(first[..<dash]))
        guard names.count >= 2, names.count & (names.count - 1) == 0,
              Set(names) == Set(layout.names) else { return nil }
        return layout
    }
}
