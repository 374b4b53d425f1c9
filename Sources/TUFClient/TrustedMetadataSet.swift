import TUFMetadata

// Section numbers in this file are those of the TUF specification 1.0.31, section 5
// (the detailed client workflow).

/// The client's trusted metadata: raw bytes go in, and come out as verified metadata only if
/// they pass every check of the TUF client workflow (specification section 5) against what is
/// already trusted. Pure: no I/O and no clock; the reference time is fixed at init. A call
/// made before what it depends on is `.wrongOrder`, distinct from bad data.
public struct TrustedMetadataSet: Sendable {
    /// What `updateTimestamp` did with a valid timestamp.
    public enum TimestampUpdate: Sendable, Equatable {
        /// The new timestamp is trusted now.
        case updated
        /// Same version as the trusted one: the trusted one is kept (5.4.3.1).
        case unchanged
    }

    /// The time expiry is checked against.
    public let referenceTime: Expiry
    /// False only for a repository checking the chain it is about to publish, which may
    /// lawfully keep a role that has expired (every other check still applies).
    public let checksExpiry: Bool
    /// The trusted root; not checked for expiry until `updateTimestamp` (intermediate roots may be expired).
    public private(set) var root: Metadata<Root>
    public private(set) var timestamp: Metadata<Timestamp>?
    public private(set) var snapshot: Metadata<Snapshot>?
    /// Trusted targets roles by name (`targets` and delegated roles).
    var targetsRoles: [String: TrustedTargets] = [:]
    /// The root the set was created with, to detect rotated timestamp and snapshot keys.
    private let initialRoot: Root

    /// A verified targets role and the delegators its signatures have been checked against.
    struct TrustedTargets: Sendable {
        var metadata: Metadata<Targets>
        var signedBytes: [UInt8]
        var verifiedBy: Set<String>
    }

    /// Starts from a trusted root (shipped with the client or saved by an earlier run); it must
    /// be signed by a threshold of its own root keys. `checkExpiry: false` skips every expiry
    /// check (5.3.10, 5.4.4, 5.5.6, 5.6.5): for the repository's self-check only, never a client.
    public init(rootBytes: some Collection<UInt8>, referenceTime: Expiry, checkExpiry: Bool = true) throws(ClientError) {
        self.referenceTime = referenceTime
        self.checksExpiry = checkExpiry
        let (envelope, root) = try Self.parse(Root.self, rootBytes, name: "root")
        do {
            try RoleKeys(root: root.signed, .root).require("trusted root", signedBytes: envelope.signedBytes, signatures: root.signatures)
        } catch { throw ClientError(error) }
        self.root = root
        self.initialRoot = root.signed
    }

    /// The trusted top-level targets role.
    public var targets: Metadata<Targets>? { targetsRoles["targets"]?.metadata }

    /// The trusted targets role `name` (top-level or delegated), if loaded.
    public func targets(_ name: String) -> Metadata<Targets>? { targetsRoles[name]?.metadata }

    /// True when the current root changed the timestamp or snapshot keys of the root this set
    /// started from: the caller must then discard its saved timestamp and snapshot (5.3.11).
    public var requiresFastForwardRecovery: Bool {
        [RoleType.timestamp, .snapshot].contains { type in
            guard let old = initialRoot.roles[type], let new = root.signed.roles[type] else { return true }
            return old.threshold != new.threshold || Set(old.keyIDs) != Set(new.keyIDs)
                || old.keyIDs.contains { initialRoot.keys[$0] != root.signed.keys[$0] }
        }
    }

    /// The first trusted role (root, timestamp, snapshot, then targets roles by name) that has
    /// expired by `time`, as "role vN"; nil when none has. A long-running client (the index of
    /// `tuf-verify serve`) asks this with the current time before it uses metadata it verified
    /// earlier: what was valid at `referenceTime` may have expired since (freeze attack).
    public func firstExpired(at time: Expiry) -> String? {
        if root.signed.common.isExpired(at: time) { return "root v\(root.signed.version)" }
        if let timestamp, timestamp.signed.common.isExpired(at: time) { return "timestamp v\(timestamp.signed.version)" }
        if let snapshot, snapshot.signed.common.isExpired(at: time) { return "snapshot v\(snapshot.signed.version)" }
        // The first by name, so the answer does not depend on dictionary order.
        var first: (name: String, version: Int64)?
        for (name, role) in targetsRoles where role.metadata.signed.common.isExpired(at: time) && (first.map { name < $0.name } ?? true) {
            first = (name, role.metadata.signed.version)
        }
        return first.map { "\($0.name) v\($0.version)" }
    }

    // MARK: - 5.3 root

    /// Verifies root version N+1 against the trusted root N and makes it trusted.
    @discardableResult
    public mutating func updateRoot(_ bytes: some Collection<UInt8>) throws(ClientError) -> Metadata<Root> {
        guard timestamp == nil else {
            throw ClientError(.wrongOrder, "root cannot be updated after timestamp was loaded")
        }
        let (envelope, newRoot) = try Self.parse(Root.self, bytes, name: "root")
        let expected = root.signed.version + 1
        do {
            // 5.3.4: a threshold of the trusted root's root keys must sign the new root…
            try RoleKeys(root: root.signed, .root).require("root v\(newRoot.signed.version) (by the keys of trusted root v\(root.signed.version))",
                                                           signedBytes: envelope.signedBytes, signatures: newRoot.signatures)
            // …and a threshold of its own root keys.
            try RoleKeys(root: newRoot.signed, .root).require("root v\(newRoot.signed.version) (by its own keys)",
                                                              signedBytes: envelope.signedBytes, signatures: newRoot.signatures)
        } catch { throw ClientError(error) }
        // 5.3.5: the new version must be exactly N+1 (no rollback, no skipped version).
        guard newRoot.signed.version == expected else {
            let code: ClientError.Code = newRoot.signed.version <= root.signed.version ? .rollback : .versionMismatch
            throw ClientError(code, "root: expected version \(expected), got \(newRoot.signed.version)")
        }
        // 5.3.6: an intermediate root's expiry is not checked; 5.3.7: trust it.
        root = newRoot
        return newRoot
    }

    // MARK: - 5.4 timestamp

    /// Verifies a timestamp against the final root and the trusted timestamp.
    @discardableResult
    public mutating func updateTimestamp(_ bytes: some Collection<UInt8>) throws(ClientError) -> TimestampUpdate {
        try updateTimestamp(Candidate(parsing: bytes, name: "timestamp"))
    }

    /// `updateTimestamp` for metadata offered already parsed.
    @_spi(Publication) @discardableResult
    public mutating func updateTimestamp(_ candidate: Candidate<Timestamp, some Collection<UInt8>>) throws(ClientError) -> TimestampUpdate {
        guard snapshot == nil else {
            throw ClientError(.wrongOrder, "timestamp cannot be updated after snapshot was loaded")
        }
        // 5.3.10: the final root must not be expired (freeze attack).
        guard !isExpired(root.signed.common) else {
            throw ClientError(.expired, "root v\(root.signed.version) expired at \(root.signed.expires)")
        }
        let parsed = try candidate.parsed(), new = parsed.metadata
        // 5.4.2: signed by a threshold of the root's timestamp keys.
        try parsed.require(RoleKeys(root: root.signed, .timestamp), "timestamp")
        if let trusted = timestamp {
            // 5.4.3.1: the version must not go back (rollback attack)…
            if new.signed.version < trusted.signed.version {
                throw ClientError(.rollback, "timestamp: version \(new.signed.version) is lower than trusted version \(trusted.signed.version)")
            }
            // …and an equal version changes nothing: keep the trusted timestamp.
            if new.signed.version == trusted.signed.version { return .unchanged }
            // 5.4.3.2: the snapshot version it lists must not go back either.
            if new.signed.snapshotMeta.version < trusted.signed.snapshotMeta.version {
                throw ClientError(.rollback, "timestamp: snapshot version \(new.signed.snapshotMeta.version) is lower than trusted snapshot version \(trusted.signed.snapshotMeta.version)")
            }
        }
        // Kept even when expired, so a newer timestamp can still be checked against it;
        // 5.4.4 then rejects it as final, and the snapshot cannot load.
        timestamp = new
        try checkFinalTimestamp()
        return .updated
    }

    // 5.4.4: the trusted timestamp must not be expired (freeze attack).
    private func checkFinalTimestamp() throws(ClientError) {
        guard let timestamp else { throw ClientError(.wrongOrder, "timestamp has not been loaded") }
        guard !isExpired(timestamp.signed.common) else {
            throw ClientError(.expired, "timestamp v\(timestamp.signed.version) expired at \(timestamp.signed.expires)")
        }
    }

    // MARK: - 5.5 snapshot

    /// Verifies a snapshot against the timestamp, the root and the trusted snapshot. With
    /// `trusted` (bytes this client saved after verifying them earlier) the timestamp's hash
    /// and length are not checked, so a saved snapshot can serve as the baseline for rollback
    /// checks even when the timestamp moved on.
    @discardableResult
    public mutating func updateSnapshot(_ bytes: some Collection<UInt8>, trusted: Bool = false) throws(ClientError) -> Metadata<Snapshot> {
        try updateSnapshot(Candidate(parsing: bytes, name: "snapshot"), trusted: trusted)
    }

    /// `updateSnapshot` for metadata offered already parsed.
    @_spi(Publication) @discardableResult
    public mutating func updateSnapshot(_ candidate: Candidate<Snapshot, some Collection<UInt8>>, trusted: Bool = false) throws(ClientError) -> Metadata<Snapshot> {
        guard timestamp != nil else { throw ClientError(.wrongOrder, "snapshot cannot be loaded before timestamp") }
        guard targetsRoles.isEmpty else { throw ClientError(.wrongOrder, "snapshot cannot be updated after targets were loaded") }
        // 5.4.4: no snapshot is loaded under an expired timestamp.
        try checkFinalTimestamp()
        let meta = timestamp!.signed.snapshotMeta
        // 5.5.2: length and hashes as the timestamp lists them (when it does).
        if !trusted {
            try LengthAndHashes.verify(candidate.bytes, length: meta.length, hashes: meta.hashes, name: "snapshot")
        }
        let parsed = try candidate.parsed(), new = parsed.metadata
        // 5.5.3: signed by a threshold of the root's snapshot keys.
        try parsed.require(RoleKeys(root: root.signed, .snapshot), "snapshot")
        // 5.5.5: no targets role of the trusted snapshot may be removed or go back in version.
        if let old = snapshot {
            for (file, oldMeta) in old.signed.meta.sorted(by: { $0.key < $1.key }) {
                guard let newMeta = new.signed.meta[file] else {
                    throw ClientError(.missingRole, "snapshot v\(new.signed.version) no longer lists \(file) (rollback)")
                }
                if newMeta.version < oldMeta.version {
                    throw ClientError(.rollback, "snapshot: \(file) version \(newMeta.version) is lower than trusted version \(oldMeta.version)")
                }
            }
        }
        // Kept even when it is not valid as final (expired, or older than the timestamp says),
        // so that a newer snapshot is still checked against it for rollback.
        snapshot = new
        try checkFinalSnapshot()
        return new
    }

    private func checkFinalSnapshot() throws(ClientError) {
        guard let snapshot, let timestamp else { throw ClientError(.wrongOrder, "snapshot has not been loaded") }
        // 5.5.6: the snapshot must not be expired (freeze attack).
        guard !isExpired(snapshot.signed.common) else {
            throw ClientError(.expired, "snapshot v\(snapshot.signed.version) expired at \(snapshot.signed.expires)")
        }
        // 5.5.4: its version must be the one the timestamp lists (mix-and-match).
        guard snapshot.signed.version == timestamp.signed.snapshotMeta.version else {
            throw ClientError(.versionMismatch, "snapshot: version \(snapshot.signed.version) differs from version \(timestamp.signed.snapshotMeta.version) in timestamp")
        }
    }

    // MARK: - 5.6 targets and delegated roles

    /// Verifies the top-level targets role.
    @discardableResult
    public mutating func updateTargets(_ bytes: some Collection<UInt8>) throws(ClientError) -> Metadata<Targets> {
        try updateDelegatedTargets(bytes, role: "targets", delegator: "root")
    }

    /// Verifies targets role `role` as delegated by `delegator` (`root` for top-level
    /// `targets`). A role already trusted through another delegator is verified again against
    /// this one, so the threshold is always the one of the delegator on the current path.
    @discardableResult
    public mutating func updateDelegatedTargets(_ bytes: some Collection<UInt8>, role: String, delegator: String) throws(ClientError) -> Metadata<Targets> {
        try updateDelegatedTargets(Candidate(parsing: bytes, name: role), role: role, delegator: delegator)
    }

    /// `updateDelegatedTargets` for metadata offered already parsed.
    @_spi(Publication) @discardableResult
    public mutating func updateDelegatedTargets(_ candidate: Candidate<Targets, some Collection<UInt8>>, role: String,
                                                delegator: String) throws(ClientError) -> Metadata<Targets> {
        guard let snapshot else { throw ClientError(.wrongOrder, "\(role) cannot be loaded before snapshot") }
        // 5.5.6/5.5.4: only under a snapshot valid as final.
        try checkFinalSnapshot()
        let isTopLevel = role == "targets" && delegator == "root"
        let delegatorTargets: Metadata<Targets>?
        if isTopLevel {
            delegatorTargets = nil
        } else {
            guard let d = targetsRoles[delegator]?.metadata else {
                throw ClientError(.wrongOrder, "\(role) cannot be loaded before its delegator \(delegator)")
            }
            delegatorTargets = d
        }
        let file = "\(role).json"
        guard let meta = snapshot.signed.meta[file] else {
            throw ClientError(.missingRole, "snapshot v\(snapshot.signed.version) does not list \(file)")
        }
        // 5.6.2: length and hashes as the snapshot lists them (when it does).
        try LengthAndHashes.verify(candidate.bytes, length: meta.length, hashes: meta.hashes, name: role)
        // 5.6.3: signed by a threshold of the delegator's keys for this role, checked before
        // the payload is decoded: an unsigned 16,384-bin role costs no role decoding. Every
        // delegation entry is still checked (a malformed one anywhere refuses the role), but
        // only the ones a search reaches are built.
        let keys = try delegateKeys(role, delegator: delegator, delegatorTargets: delegatorTargets)
        let parsed = try candidate.parsedVerified(by: keys, role: "\(role) (delegated by \(delegator))"), new = parsed.metadata
        // 5.6.4: its version must be the one the snapshot lists (mix-and-match, rollback).
        guard new.signed.version == meta.version else {
            let code: ClientError.Code = new.signed.version < meta.version ? .rollback : .versionMismatch
            throw ClientError(code, "\(role): version \(new.signed.version) differs from version \(meta.version) in snapshot")
        }
        // 5.6.5: it must not be expired (freeze attack).
        guard !isExpired(new.signed.common) else {
            throw ClientError(.expired, "\(role) v\(new.signed.version) expired at \(new.signed.expires)")
        }
        if var existing = targetsRoles[role], existing.signedBytes == parsed.signedBytes {
            existing.verifiedBy.insert(delegator)
            targetsRoles[role] = existing
            return existing.metadata
        }
        targetsRoles[role] = TrustedTargets(metadata: new, signedBytes: parsed.signedBytes, verifiedBy: [delegator])
        return new
    }

    /// The trusted role `role`, if its signatures also satisfy `delegator` (verifying again
    /// when it was first reached through another delegator). Nil when not loaded yet.
    public mutating func trustedTargets(_ role: String, delegator: String) throws(ClientError) -> Metadata<Targets>? {
        guard var entry = targetsRoles[role] else { return nil }
        if entry.verifiedBy.contains(delegator) { return entry.metadata }
        let delegatorTargets: Metadata<Targets>?
        if role == "targets" && delegator == "root" {
            delegatorTargets = nil
        } else {
            guard let d = targetsRoles[delegator]?.metadata else {
                throw ClientError(.wrongOrder, "\(role) cannot be checked before its delegator \(delegator)")
            }
            delegatorTargets = d
        }
        let keys = try delegateKeys(role, delegator: delegator, delegatorTargets: delegatorTargets)
        do { try keys.require("\(role) (delegated by \(delegator))", signedBytes: entry.signedBytes, signatures: entry.metadata.signatures) } catch {
            throw ClientError(error)
        }
        entry.verifiedBy.insert(delegator)
        targetsRoles[role] = entry
        return entry.metadata
    }

    /// The keys `delegator` (root, for top-level targets) trusts `role` with.
    private func delegateKeys(_ role: String, delegator: String, delegatorTargets: Metadata<Targets>?) throws(ClientError) -> RoleKeys {
        guard let delegatorTargets else { return RoleKeys(root: root.signed, .targets) }
        guard let keys = RoleKeys(delegator: delegatorTargets.signed, role) else {
            throw ClientError(.missingRole, "\(role): not delegated by \(delegator)")
        }
        return keys
    }

    private func isExpired(_ common: SignedCommon) -> Bool { checksExpiry && common.isExpired(at: referenceTime) }

    // MARK: - parsing

    private static func parse<P: SignedPayload>(_: P.Type, _ bytes: some Collection<UInt8>, name: String) throws(ClientError) -> (Envelope, Metadata<P>) {
        let envelope = try envelope(bytes, name: name)
        do { return (envelope, try Metadata<P>(envelope: envelope)) } catch { throw ClientError(error) }
    }

    /// The parsed envelope of `bytes`, with its canonical signed bytes.
    private static func envelope(_ bytes: some Collection<UInt8>, name: String) throws(ClientError) -> Envelope {
        do { return try Envelope(bytes: bytes, name: name) } catch { throw ClientError(error) }
    }
}
