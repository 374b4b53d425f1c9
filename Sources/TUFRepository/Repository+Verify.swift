import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

extension Repository {
    /// Audits the published repository as a client would (spec 5.3–5.6): the root chain from
    /// version 1, then timestamp, snapshot, targets, bins and every bin, checking signatures
    /// against thresholds, versions, hashes and lengths, expiry at `now`, that each target
    /// lies in its bin, and the bytes of every target served from `targets/`.
    /// Returns one line per fault; empty when the repository is sound.
    public func audit(now: Expiry) throws(RepositoryError) -> [String] {
        var faults: [String] = []
        let metadataDir = path + "/metadata"
        func fault(_ s: String) { faults.append(s) }
        func loadOrFault<P: SignedPayload>(_ type: P.Type, _ name: String) -> Loaded<P>? {
            do {
                guard let l = try load(type, Self.metadataPath(name)) else { fault("\(name): missing"); return nil }
                return l
            } catch { fault(error.message); return nil }
        }
        func check(_ name: String, _ keys: RoleKeys, _ md: some MetadataLike, expectedVersion: Int64? = nil) {
            let r = keys.verifies(signedBytes: md.canonical, signatures: md.sigs)
            if !r.isVerified { fault("\(name): signed by \(r.signedBy.count) of the \(r.threshold) keys required") }
            if md.expiry <= now { fault("\(name): expired at \(md.expiry)") }
            if let v = expectedVersion, v != md.ver { fault("\(name): version \(md.ver), but the snapshot lists version \(v)") }
        }

        // 5.3: the root chain.
        let rootVersions = FileIO.list(metadataDir).compactMap { n -> Int64? in
            guard n.hasSuffix(".root.json") else { return nil }
            return Int64(n.dropLast(".root.json".count))
        }.sorted()
        guard !rootVersions.isEmpty else { return ["metadata/: no N.root.json is published"] }
        var trusted: Root?
        for (i, v) in rootVersions.enumerated() {
            if v != Int64(i + 1) { fault("\(v).root.json: the root versions are not 1, 2, 3…; version \(i + 1) is missing"); break }
            guard let r = loadOrFault(Root.self, "\(v).root.json") else { break }
            if r.signed.version != v { fault("\(v).root.json: holds version \(r.signed.version)") }
            let bytes = r.metadata.signedBytes()
            if let t = trusted, !RoleKeys(root: t, .root).verifies(signedBytes: bytes, signatures: r.metadata.signatures).isVerified {
                fault("\(v).root.json: not signed by a threshold of version \(v - 1)'s root keys")
            }
            if !RoleKeys(root: r.signed, .root).verifies(signedBytes: bytes, signatures: r.metadata.signatures).isVerified {
                fault("\(v).root.json: not signed by a threshold of its own root keys")
            }
            trusted = r.signed
        }
        guard let root = trusted else { return faults }
        if root.expires <= now { fault("root: version \(root.version) expired at \(root.expires)") }
        if let latest = try? FileIO.read(metadataDir + "/\(root.version).root.json"),
           (try? FileIO.read(metadataDir + "/root.json")) != latest {
            fault("root.json: differs from \(root.version).root.json")
        }

        // 5.4: timestamp.
        guard let ts = loadOrFault(Timestamp.self, "timestamp.json") else { return faults }
        check("timestamp.json", RoleKeys(root: root, .timestamp), ts)
        let sv = ts.signed.snapshotMeta.version
        guard let snap = loadOrFault(Snapshot.self, "\(sv).snapshot.json") else { return faults }
        // 5.5.2: the snapshot matches the timestamp's hashes and length.
        checkMetaFile(ts.signed.snapshotMeta, bytes: snap.bytes, name: "\(sv).snapshot.json", fault: fault)
        check("\(sv).snapshot.json", RoleKeys(root: root, .snapshot), snap, expectedVersion: sv)

        // 5.6: targets, bins, and every bin.
        func delegated(_ name: String, _ keys: RoleKeys?) -> Loaded<Targets>? {
            guard let meta = snap.signed.meta(forRole: name) else { fault("snapshot: does not list \(name).json"); return nil }
            guard let keys else { fault("\(name): not delegated"); return nil }
            guard let l = loadOrFault(Targets.self, "\(meta.version).\(name).json") else { return nil }
            checkMetaFile(meta, bytes: l.bytes, name: "\(meta.version).\(name).json", fault: fault)
            check("\(meta.version).\(name).json", keys, l, expectedVersion: meta.version)
            return l
        }
        guard let targets = delegated("targets", RoleKeys(root: root, .targets)),
              let bins = delegated("bins", RoleKeys(delegator: targets.signed, "bins")),
              let d = bins.signed.delegations else { return faults }
        let names: [String] = d.succinctRoles?.roleNames ?? (d.roles ?? []).map(\.name)
        let roleByName = Dictionary((d.roles ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // One lookup per bin (Delegations.delegation(for:) scans the role list).
        func keys(of name: String) -> RoleKeys {
            if let s = d.succinctRoles { return RoleKeys(keyIDs: s.keyIDs, threshold: s.threshold, keys: d.keys) }
            let r = roleByName[name]!
            return RoleKeys(keyIDs: r.keyIDs, threshold: r.threshold, keys: d.keys)
        }
        for name in names {
            guard let bin = delegated(name, keys(of: name)) else { continue }
            for (target, file) in bin.signed.targets {
                let inBin = d.succinctRoles.map { $0.roleName(for: target) == name } ?? roleByName[name]!.isDelegated(path: target)
                if !inBin { fault("\(name): lists \(target), which belongs to another bin") }
                checkTargetFile(target, file, fault: fault)
            }
        }
        return faults
    }

    func checkMetaFile(_ meta: MetaFile, bytes: [UInt8], name: String, fault: (String) -> Void) {
        if let length = meta.length, length != Int64(bytes.count) { fault("\(name): \(bytes.count) bytes, expected \(length)") }
        for (alg, digest) in meta.hashes ?? [:] {
            guard let a = HashAlgorithm(rawValue: alg) else { continue }
            if Hex.encode(Hash.digest(a, bytes)) != digest { fault("\(name): \(alg) hash mismatch") }
        }
    }

    /// Checks a target served from `targets/` (plain and hash-prefixed names); the pages must be
    /// there, distribution files may live on the index's own file host instead.
    func checkTargetFile(_ target: String, _ file: TargetFile, fault: (String) -> Void) {
        guard let sha = file.hashes["sha256"] else { fault("\(target): no sha256 hash"); return }
        let candidates = [target, Self.hashPrefixed(target, sha256: sha)]
        var found = false
        for c in candidates {
            guard let bytes = try? FileIO.readIfPresent(path + "/targets/" + c) else { continue }
            found = true
            if Int64(bytes.count) != file.length { fault("targets/\(c): \(bytes.count) bytes, the metadata says \(file.length)") }
            for (alg, digest) in file.hashes {
                guard let a = HashAlgorithm(rawValue: alg) else { continue }
                if Hex.encode(Hash.digest(a, bytes)) != digest { fault("targets/\(c): \(alg) hash mismatch") }
            }
        }
        if !found, target.hasPrefix("simple/") { fault("targets/\(target): missing") }
    }
}

/// The parts of `Metadata<P>` the audit checks, whatever the payload.
protocol MetadataLike {
    var canonical: [UInt8] { get }
    var sigs: [Signature] { get }
    var expiry: Expiry { get }
    var ver: Int64 { get }
}

extension Repository.Loaded: MetadataLike {
    var canonical: [UInt8] { metadata.signedBytes() }
    var sigs: [Signature] { metadata.signatures }
    var expiry: Expiry { metadata.signed.expires }
    var ver: Int64 { metadata.signed.version }
}
