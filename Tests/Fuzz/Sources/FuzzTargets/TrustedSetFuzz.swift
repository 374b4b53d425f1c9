import TUFClient
import TUFCrypto
import TUFMetadata

/// Feeds the client's `TrustedMetadataSet`, trusting the fixture root, with the input split
/// at NUL bytes (which no JSON document holds) into up to six documents, each routed by its
/// `_type`. A document is tried as it is; when that fails and it decodes, it is re-signed with
/// the fixture key of its role and tried again, so the checks after the signatures are reached.
/// A role that a document needs first (the timestamp for a snapshot…) comes from the fixtures.
enum TrustedSetFuzz {
    static let keys: [RoleType: PrivateKey] = {
        var keys: [RoleType: PrivateKey] = [:]
        for (role, pem) in [(RoleType.root, FuzzFixtures.rootKeyPEM), (.timestamp, FuzzFixtures.timestampKeyPEM),
                            (.snapshot, FuzzFixtures.snapshotKeyPEM), (.targets, FuzzFixtures.targetsKeyPEM)] {
            do { keys[role] = try PrivateKey(pemRepresentation: pem, passphrase: nil) } catch { fatalError("fixture key: \(error)") }
        }
        return keys
    }()

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        var set: TrustedMetadataSet
        do { set = try TrustedMetadataSet(rootBytes: FuzzFixtures.root, referenceTime: FuzzFixtures.referenceTime) } catch {
            fatalError("fixture root is not trusted: \(error)")
        }
        for segment in bytes.split(separator: 0, maxSplits: 5, omittingEmptySubsequences: true) {
            let document = Array(segment)
            guard let type = (try? Envelope(bytes: document, name: "fuzz"))?.type else { continue }
            switch type {
            case "root":
                let before = set.root.signed.version
                if update(document, Root.self, { (d) throws(ClientError) in try set.updateRoot(d) }) {
                    try require(set.root.signed.version == before + 1, "root: trusted version \(set.root.signed.version) after \(before)")
                }
            case "timestamp":
                let before = set.timestamp?.signed
                if update(document, Timestamp.self, { (d) throws(ClientError) in try set.updateTimestamp(d) }), let before {
                    let now = set.timestamp!.signed
                    try require(now.version >= before.version && now.snapshotMeta.version >= before.snapshotMeta.version,
                                "timestamp: rolled back from v\(before.version) to v\(now.version)")
                }
            case "snapshot":
                if set.timestamp == nil { _ = try? set.updateTimestamp(FuzzFixtures.timestamp) }
                if update(document, Snapshot.self, { (d) throws(ClientError) in try set.updateSnapshot(d) }) {
                    let snapshot = set.snapshot!.signed
                    try require(snapshot.version == set.timestamp!.signed.snapshotMeta.version, "snapshot: version differs from the timestamp's")
                    try require(!snapshot.common.isExpired(at: set.referenceTime), "snapshot: trusted while expired")
                }
            case "targets":
                if set.timestamp == nil { _ = try? set.updateTimestamp(FuzzFixtures.timestamp) }
                if set.snapshot == nil { _ = try? set.updateSnapshot(FuzzFixtures.snapshot) }
                if let trusted = set.targets, let role = trusted.signed.delegations?.roles?.first?.name {
                    if update(document, Targets.self, { (d) throws(ClientError) in try set.updateDelegatedTargets(d, role: role, delegator: "targets") }) {
                        try requireListed(set, role)
                    }
                } else if update(document, Targets.self, { (d) throws(ClientError) in try set.updateTargets(d) }) {
                    try requireListed(set, "targets")
                }
            default:
                continue
            }
        }
    }

    /// A trusted targets role has the version that the snapshot lists and is not expired.
    static func requireListed(_ set: TrustedMetadataSet, _ role: String) throws(FuzzFailure) {
        guard let targets = set.targets(role)?.signed else { throw FuzzFailure("\(role): accepted but not trusted") }
        try require(set.snapshot?.signed.meta(forRole: role)?.version == targets.version, "\(role): version differs from the snapshot's")
        try require(!targets.common.isExpired(at: set.referenceTime), "\(role): trusted while expired")
    }

    /// Tries `document`, then its re-signed form; true when one was accepted.
    static func update<P: SignedPayload>(_ document: [UInt8], _: P.Type,
                                         _ apply: ([UInt8]) throws(ClientError) -> Void) -> Bool {
        if (try? apply(document)) != nil { return true }
        guard var metadata = try? Metadata<P>(bytes: document), let key = keys[P.type] else { return false }
        guard (try? metadata.sign(with: key)) != nil else { return false }
        return (try? apply(metadata.encoded())) != nil
    }
}
