import TUFClient
import TUFCrypto
import TUFFileSystem
import TUFMetadata

extension Repository {
    /// Audits the published repository (`RepositoryAudit`): one line per fault; empty when the
    /// repository is sound.
    public func audit(now: Expiry) throws(RepositoryError) -> [String] { RepositoryAudit(layout: layout, now: now).run() }
}

/// `tuf-repo verify`: the published repository replayed through the client's own trusted set
/// (TUFClient's `TrustedMetadataSet`, spec 5.3–5.6), as a fresh client trusting version 1 of
/// root would: the root chain, timestamp, snapshot, targets, bins and every bin at `now`. Then
/// each target lies in its bin and every target served from `targets/` has its signed length
/// and hashes. The tool and the client cannot disagree: one set of rules. It reads the folder
/// and changes nothing.
struct RepositoryAudit {
    let layout: RepositoryLayout
    let now: Expiry

    func run() -> [String] {
        var faults: [String] = []
        func read(_ name: String) -> [UInt8]? {
            do {
                guard let bytes = try FileIO.readIfPresent(layout.absolute(RepositoryLayout.metadata(name))) else { faults.append("\(name): missing"); return nil }
                return bytes
            } catch { faults.append(error.message); return nil }
        }
        func fault(_ name: String, _ error: ClientError) {
            faults.append("\(name): \(error.code == .expired ? "expired" : error.attack): \(error.message)")
        }

        // 5.3: the root chain, from version 1.
        let rootVersions = FileSystem.list(layout.metadataDirectory).compactMap { n -> Int64? in
            n.hasSuffix(".root.json") ? Int64(n.dropLast(".root.json".count)) : nil
        }.sorted()
        guard !rootVersions.isEmpty else { return ["metadata/: no N.root.json is published"] }
        guard let first = read("1.root.json") else { return faults }
        var trusted: TrustedMetadataSet
        do { trusted = try TrustedMetadataSet(rootBytes: first, referenceTime: now) } catch {
            fault("1.root.json", error)
            return faults
        }
        for (i, v) in rootVersions.enumerated().dropFirst() {
            guard v == Int64(i + 1) else { faults.append("\(v).root.json: version \(i + 1) is missing from the root chain"); break }
            guard let bytes = read("\(v).root.json") else { break }
            do { try trusted.updateRoot(bytes) } catch { fault("\(v).root.json", error); break }
        }
        let root = trusted.root.signed
        if read("root.json") != read("\(root.version).root.json") { faults.append("root.json: differs from \(root.version).root.json") }

        // 5.4–5.6: the top of the chain; a fault here ends the audit, as it ends a refresh.
        guard let bins = auditTopLevel(&trusted, read: read, fault: fault), let d = bins.signed.delegations else { return faults }
        // One lookup per target, not a scan of every bin (16384 of them).
        let named = Dictionary((d.roles ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        func holds(_ name: String, _ target: String) -> Bool {
            if let s = d.succinctRoles { return s.roleName(for: target) == name }
            return named[name]?.isDelegated(path: target) ?? false
        }
        for name in d.succinctRoles?.roleNames ?? (d.roles ?? []).map(\.name) {
            guard let version = trusted.snapshot?.signed.meta(forRole: name)?.version else {
                faults.append("snapshot: does not list \(name).json")
                continue
            }
            let file = "\(version).\(name).json"
            guard let bytes = read(file) else { continue }
            do {
                let bin = try trusted.updateDelegatedTargets(bytes, role: name, delegator: "bins")
                for (target, info) in bin.signed.targets.sorted(by: { $0.key < $1.key }) {
                    if !holds(name, target) {
                        faults.append("\(name): lists \(target), which belongs to another bin")
                    }
                    faults += checkServedTarget(target, info)
                }
            } catch { fault(file, error) }
        }
        return faults
    }

    /// Timestamp, snapshot, targets and bins through `trusted`; the bins role, or nil after a fault.
    private func auditTopLevel(_ trusted: inout TrustedMetadataSet, read: (String) -> [UInt8]?,
                               fault: (String, ClientError) -> Void) -> Metadata<Targets>? {
        var file = "timestamp.json"
        do throws(ClientError) {
            guard let ts = read(file) else { return nil }
            try trusted.updateTimestamp(ts)
            let sv = trusted.timestamp!.signed.snapshotMeta.version
            file = "\(sv).snapshot.json"
            guard let snap = read(file) else { return nil }
            try trusted.updateSnapshot(snap)
            for (role, delegator) in [("targets", "root"), ("bins", "targets")] {
                guard let v = trusted.snapshot?.signed.meta(forRole: role)?.version else {
                    throw ClientError(.missingRole, "the snapshot does not list \(role).json")
                }
                file = "\(v).\(role).json"
                guard let bytes = read(file) else { return nil }
                try trusted.updateDelegatedTargets(bytes, role: role, delegator: delegator)
            }
            return trusted.targets("bins")
        } catch {
            fault(file, error)
            return nil
        }
    }

    /// A target served from `targets/` (plain and hash-prefixed names) against its signed
    /// length and hashes; pages must be there, distribution files may live on the index's own
    /// file host instead.
    func checkServedTarget(_ target: String, _ file: TargetFile) -> [String] {
        guard let sha = file.hashes["sha256"] else { return ["\(target): no sha256 hash"] }
        var faults: [String] = []
        var found = false
        for c in [RepositoryLayout.target(target), RepositoryLayout.hashPrefixedTarget(target, sha256: sha)] {
            guard let bytes = try? FileIO.readIfPresent(layout.absolute(c)) else { continue }
            found = true
            // Length and hashes apart, so that the audit names every way the bytes differ.
            for (length, hashes) in [(file.length, nil), (nil, file.hashes)] as [(Int64?, [String: String]?)] {
                do { try LengthAndHashes.check(bytes, length: length, hashes: hashes, name: c) } catch {
                    faults.append(error.message)
                }
            }
        }
        if !found, target.hasPrefix("simple/") { faults.append("\(RepositoryLayout.target(target)): missing") }
        return faults
    }
}
