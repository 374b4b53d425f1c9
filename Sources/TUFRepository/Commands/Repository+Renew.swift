import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// One offline role's expiry, as `check-expiry` reports it.
public struct ExpiryEntry: Sendable, Equatable {
    public var role: String
    /// True for a staged (not yet published) version.
    public var staged: Bool
    public var version: Int64
    public var expires: Expiry
    public var secondsLeft: Int64
    /// True when it expires within the window asked about (or has expired).
    public var due: Bool

    public var json: JSON {
        .object(JSONObject([
            .init(key: "role", value: .string(role)), .init(key: "staged", value: .bool(staged)),
            .init(key: "version", value: .int(version)), .init(key: "expires", value: .string(expires.iso8601)),
            .init(key: "seconds_left", value: .int(secondsLeft)), .init(key: "days_left", value: .int(Repository.daysLeft(secondsLeft))),
            .init(key: "due", value: .bool(due)),
        ]))
    }
}

extension Repository {
    /// Whole days left, rounded down (negative once expired).
    public static func daysLeft(_ seconds: Int64) -> Int64 {
        seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
    }

    /// Stages a new version of the offline `role` (root, targets or bins) with the same content
    /// and a new expiry: `expires` seconds from `now`, or the policy's. A version already staged
    /// keeps its version and content and gets the new expiry (its signatures no longer match
    /// and are dropped). With `signer`, signs it at once and publishes what is then complete.
    public func renew(role: RepositoryRole, expires: Int64?, signer: (any Signer)?, now: Expiry) throws(RepositoryError) -> StageOutcome? {
        guard !role.isOnline else {
            throw RepositoryError(.invalidArgument, "\(role.rawValue) is an online role: generate and timestamp renew it")
        }
        try locked { () throws(RepositoryError) in
            let policy = try policy()
            let staged = try loadStaged(), published = try loadPublished()
            let until = Self.expiry(now, expires ?? policy.expiry(of: role))
            let bytes: [UInt8]
            switch role {
            case .root: bytes = Metadata(signed: try RoleEdits.nextToStage(staged.root, published.root, role: "root", expires: until)).encoded()
            case .targets:
                bytes = Metadata(signed: try RoleEdits.nextToStage(staged.targets, published.targets, role: "targets", expires: until)).encoded()
            default: bytes = Metadata(signed: try RoleEdits.nextToStage(staged.bins, published.bins, role: "bins", expires: until)).encoded()
            }
            try store.write([(RepositoryLayout.staged(role), bytes)])
        }
        guard let signer else { return nil }
        return try sign(role: role, signer: signer, now: now)
    }

    /// The expiry of every offline role, published and staged, against a window of `within`
    /// seconds from `now`.
    public func checkExpiry(within: Int64, now: Expiry) throws(RepositoryError) -> [ExpiryEntry] {
        _ = try policy()
        let published = try loadPublished(), staged = try loadStaged()
        var out: [ExpiryEntry] = []
        func add(_ role: String, _ isStaged: Bool, _ version: Int64?, _ expires: Expiry?) {
            guard let version, let expires else { return }
            let left = expires.secondsSinceEpoch - now.secondsSinceEpoch
            out.append(ExpiryEntry(role: role, staged: isStaged, version: version, expires: expires, secondsLeft: left, due: left <= within))
        }
        add("root", false, published.root?.signed.version, published.root?.signed.expires)
        add("targets", false, published.targets?.signed.version, published.targets?.signed.expires)
        add("bins", false, published.bins?.signed.version, published.bins?.signed.expires)
        add("root", true, staged.root?.signed.version, staged.root?.signed.expires)
        add("targets", true, staged.targets?.signed.version, staged.targets?.signed.expires)
        add("bins", true, staged.bins?.signed.version, staged.bins?.signed.expires)
        return out
    }
}
