import TUFCanonicalJSON
import TUFMetadata

/// One role as `status` reports it.
public struct RoleStatus: Sendable, Equatable {
    public var role: String
    public var version: Int64
    public var expires: Expiry
    public var keyIDs: [String]
    public var threshold: Int
    /// Keyids whose signatures verify.
    public var signedBy: [String]
    /// True when the role expires within its refresh window.
    public var expiringSoon: Bool
    /// Seconds until it expires (negative once expired).
    public var secondsLeft: Int64 = 0

    public var json: JSON {
        .object(JSONObject([
            .init(key: "role", value: .string(role)), .init(key: "version", value: .int(version)),
            .init(key: "expires", value: .string(expires.iso8601)),
            .init(key: "keyids", value: .array(keyIDs.map { .string($0) })), .init(key: "threshold", value: .int(Int64(threshold))),
            .init(key: "signed_by", value: .array(signedBy.map { .string($0) })), .init(key: "expiring_soon", value: .bool(expiringSoon)),
            .init(key: "seconds_left", value: .int(secondsLeft)), .init(key: "days_left", value: .int(Repository.daysLeft(secondsLeft))),
            .init(key: "signatures_needed", value: .int(Int64(signaturesNeeded))),
            .init(key: "can_still_sign", value: .array(canStillSign.map { .string($0) })),
        ]))
    }

    /// How many more distinct keys must sign to meet the threshold.
    public var signaturesNeeded: Int { max(0, threshold - signedBy.count) }
    /// The listed keys that have not signed yet.
    public var canStillSign: [String] { keyIDs.filter { !signedBy.contains($0) } }
}

/// The state of a repository: published roles, a summary of the bins, staged roles.
public struct RepositoryStatus: Sendable, Equatable {
    public var published: [RoleStatus] = []
    public var binCount = 0
    public var binVersions: ClosedRange<Int64>?
    public var earliestBinExpiry: Expiry?
    public var binsExpiringSoon = 0
    /// Seconds until the earliest bin expires.
    public var earliestBinSecondsLeft: Int64?
    public var staged: [RoleStatus] = []
    /// Disk used, and what a prune would remove now (`RepositoryStatus+Disk.swift`).
    public var disk = DiskUsage()
    public var retention: Int64 = 0
    public var prunable = PruneReport(dryRun: true)

    /// Roles (and bins) that expire within their refresh window.
    public var expiringSoon: [String] {
        published.filter(\.expiringSoon).map(\.role) + (binsExpiringSoon > 0 ? ["\(binsExpiringSoon) bins"] : [])
    }

    public var json: JSON {
        .object(JSONObject([
            .init(key: "published", value: .array(published.map(\.json))),
            .init(key: "bins", value: .object(JSONObject([
                .init(key: "count", value: .int(Int64(binCount))),
                .init(key: "min_version", value: binVersions.map { .int($0.lowerBound) } ?? .null),
                .init(key: "max_version", value: binVersions.map { .int($0.upperBound) } ?? .null),
                .init(key: "earliest_expiry", value: earliestBinExpiry.map { .string($0.iso8601) } ?? .null),
                .init(key: "expiring_soon", value: .int(Int64(binsExpiringSoon))),
                .init(key: "seconds_left", value: earliestBinSecondsLeft.map { .int($0) } ?? .null),
                .init(key: "days_left", value: earliestBinSecondsLeft.map { .int(Repository.daysLeft($0)) } ?? .null),
            ]))),
            .init(key: "staged", value: .array(staged.map(\.json))),
            .init(key: "disk", value: diskJSON),
            .init(key: "expiring_soon", value: .array(expiringSoon.map { .string($0) })),
        ]))
    }

    /// A human-readable report.
    public var text: String {
        func line(_ r: RoleStatus) -> String {
            "  \(r.role): version \(r.version), expires \(r.expires)\(r.expiringSoon ? " (EXPIRING SOON)" : "") (\(Repository.daysLeft(r.secondsLeft)) days left), signed by \(r.signedBy.count) of \(r.threshold) required (keys: \(r.keyIDs.map { String($0.prefix(8)) }.joined(separator: " ")))"
        }
        var out = "published:\n" + (published.isEmpty ? "  nothing\n" : published.map { line($0) + "\n" }.joined())
        if let v = binVersions, let e = earliestBinExpiry {
            out += "  \(binCount) bins: versions \(v.lowerBound)–\(v.upperBound), earliest expiry \(e), \(binsExpiringSoon) expiring soon\n"
        }
        out += "staged:\n" + (staged.isEmpty ? "  nothing\n" : staged.map { r in
            let missing = r.canStillSign.map { String($0.prefix(16)) }
            return line(r) + (r.signaturesNeeded > 0 ? "; needs \(r.signaturesNeeded) more of: \(missing.joined(separator: " "))" : "; ready") + "\n"
        }.joined())
        out += diskText
        let soon = expiringSoon
        out += soon.isEmpty ? "nothing expires soon\n" : "expiring soon: \(soon.joined(separator: ", "))\n"
        return out
    }
}

extension Repository {
    /// Versions, expiry, keys and signatures of every role, what is staged and what expires soon.
    public func status(now: Expiry) throws(RepositoryError) -> RepositoryStatus {
        let policy = try policy()
        let published = try loadPublished()
        let staged = try loadStaged()
        var s = RepositoryStatus()
        func role<P: SignedPayload>(_ name: String, _ l: LoadedMetadata<P>, _ keys: RoleKeys?, _ r: RepositoryRole) -> RoleStatus {
            let k = keys ?? RoleKeys(keyIDs: [], threshold: 1, keys: [:])
            return RoleStatus(role: name, version: l.signed.version, expires: l.signed.expires, keyIDs: k.keyIDs, threshold: k.threshold,
                              signedBy: k.verifies(signedBytes: l.signedBytes, signatures: l.metadata.signatures).signedBy,
                              expiringSoon: Self.expiresSoon(l.signed.expires, now: now, window: policy.refreshWindow(of: r)),
                              secondsLeft: l.signed.expires.secondsSinceEpoch - now.secondsSinceEpoch)
        }
        if let root = published.root {
            s.published.append(role("root", root, RoleKeys(root: root.signed, .root), .root))
            if let t = published.targets { s.published.append(role("targets", t, RoleKeys(root: root.signed, .targets), .targets)) }
            if let t = published.targets, let b = published.bins { s.published.append(role("bins", b, RoleKeys(delegator: t.signed, "bins"), .bins)) }
            if let x = published.snapshot { s.published.append(role("snapshot", x, RoleKeys(root: root.signed, .snapshot), .snapshot)) }
            if let x = published.timestamp { s.published.append(role("timestamp", x, RoleKeys(root: root.signed, .timestamp), .timestamp)) }
        }
        if let b = published.bins, let snap = published.snapshot {
            let keys = try PublicationPlanner.binKeys(b.signed, policy: policy)
            let cache = try loadBinStates(StateStore.openIfPresent(repository: path), snapshot: snap.signed, binNames: policy.bins.names,
                                          keysOf: { keys[$0] })
            s.binCount = cache.entries.count
            let versions = cache.entries.values.map(\.version)
            if let lo = versions.min(), let hi = versions.max() { s.binVersions = lo...hi }
            s.earliestBinExpiry = cache.entries.values.map(\.expires).min().map(Expiry.init(secondsSinceEpoch:))
            s.earliestBinSecondsLeft = s.earliestBinExpiry.map { $0.secondsSinceEpoch - now.secondsSinceEpoch }
            s.binsExpiringSoon = cache.entries.values.filter {
                Self.expiresSoon(Expiry(secondsSinceEpoch: $0.expires), now: now, window: policy.refreshWindow(of: .binN))
            }.count
        }
        s.disk = try diskUsage()
        s.retention = policy.retention
        s.prunable = try pruneLocked(full: true, dryRun: true, now: now)
        if let r = staged.root {
            // Both thresholds count for a new root; report against its own keys.
            s.staged.append(role("root (staged)", r, RoleKeys(root: r.signed, .root), .root))
            if let old = published.root, r.signed.version > old.signed.version {
                s.staged.append(role("root (staged, by the previous root's keys)", r, RoleKeys(root: old.signed, .root), .root))
            }
        }
        let root = staged.root?.signed ?? published.root?.signed
        if let t = staged.targets, let root { s.staged.append(role("targets (staged)", t, RoleKeys(root: root, .targets), .targets)) }
        if let b = staged.bins, let t = staged.targets?.signed ?? published.targets?.signed {
            s.staged.append(role("bins (staged)", b, RoleKeys(delegator: t, "bins"), .bins))
        }
        return s
    }
}
