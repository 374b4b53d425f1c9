import TUFMetadata

/// The top of a repository as a client walks it after updating its root (spec 5.4–5.6):
/// the newest root present, `timestamp.json`, the snapshot it names, and the targets and
/// bins roles that snapshot lists. Pure: bytes and parsed metadata in, a fault out.
struct PublicationChain {
    var root: Root
    var timestamp: Repository.Loaded<Timestamp>
    var snapshot: Repository.Loaded<Snapshot>
    var targets: Repository.Loaded<Targets>
    var bins: Repository.Loaded<Targets>

    /// The first check a client would fail on this chain, or nil when it verifies.
    /// Expiry is not checked: a publication may lawfully keep an unexpired old role.
    func fault() -> String? {
        func signed<P>(_ name: String, _ l: Repository.Loaded<P>, _ keys: RoleKeys?) -> String? {
            guard let keys else { return "\(name) is not delegated" }
            let r = l.verification(under: keys)
            return r.isVerified ? nil : "\(name) version \(l.signed.version) is signed by \(r.signedBy.count) of the \(r.threshold) keys required"
        }
        func listed(_ name: String, _ meta: MetaFile?, _ l: Repository.Loaded<some SignedPayload>) -> String? {
            guard let meta else { return "the snapshot does not list \(name).json" }
            guard meta.version == l.signed.version else { return "\(name): version \(l.signed.version), but version \(meta.version) is listed" }
            return Self.metaFileFault(meta, bytes: l.bytes, name: name)
        }
        // 5.4.2, 5.5.2–5.5.3, 5.6.2–5.6.3: each role signed by its delegator, matching what lists it.
        return signed("timestamp", timestamp, RoleKeys(root: root, .timestamp))
            ?? listed("snapshot", timestamp.signed.snapshotMeta, snapshot)
            ?? signed("snapshot", snapshot, RoleKeys(root: root, .snapshot))
            ?? listed("targets", snapshot.signed.meta(forRole: "targets"), targets)
            ?? signed("targets", targets, RoleKeys(root: root, .targets))
            ?? listed("bins", snapshot.signed.meta(forRole: "bins"), bins)
            ?? signed("bins", bins, RoleKeys(delegator: targets.signed, "bins"))
    }

    /// A length or hash of `meta` that `bytes` do not match, or nil (the core's rule).
    static func metaFileFault(_ meta: MetaFile, bytes: [UInt8], name: String) -> String? {
        do { try LengthAndHashes.check(bytes, length: meta.length, hashes: meta.hashes, name: name) } catch { return error.message }
        return nil
    }
}

/// Where a new root goes among a publication's writes.
enum RootPlacement: Equatable {
    /// After the timestamp: clients holding the old root accept the new timestamp first.
    case afterTimestamp
    /// Before the timestamp: the new root already accepts the published timestamp.
    case beforeTimestamp

    /// The placement that keeps every state between two renames verifiable by a client (one
    /// that holds the old root, and a fresh one that walks to the newest root present), or a
    /// reason why none does. `before` is what is published; `after` what will be.
    static func choose(oldRoot: Root?, newRoot: Root, before: PublicationChain?, after: PublicationChain) -> Result<RootPlacement, RepositoryError> {
        if let fault = after.fault() {
            return .failure(RepositoryError(.verificationFailed, "the new metadata would not verify: \(fault)"))
        }
        guard let oldRoot, let before else { return .success(.beforeTimestamp) }
        var midway = after
        midway.root = oldRoot
        guard let earlyFault = midway.fault() else { return .success(.afterTimestamp) }
        var rootFirst = before
        rootFirst.root = newRoot
        guard let lateFault = rootFirst.fault() else { return .success(.beforeTimestamp) }
        return .failure(RepositoryError(.missingKey, """
            root version \(newRoot.version) cannot be published without breaking clients for a moment: \
            published before the timestamp, \(lateFault) under the new root; after it, \(earlyFault) under \
            root version \(oldRoot.version). Sign the new roles with the old keys too (pass them with --key; \
            for targets, tuf-repo sign targets with an old targets key)
            """))
    }
}
