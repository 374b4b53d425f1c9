import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// What a signer is about to sign, against what is published: the review `tuf-repo sign`
/// prints before it signs. Pure: two parsed roles and the canonical bytes to sign in, lines
/// out. The digest is the SHA-256 of exactly those bytes (the canonical JSON of `signed`,
/// which the signature covers), so the key holders of a ceremony can compare one number aloud.
/// Keys are compared by keyid and by material: a keyid that stays while its key changes is a
/// key change as much as an added one. A keyid of the repository's own roles that is not its
/// key's keyid is a `refusal` (`KeyReview`): the review shows it, and signing refuses.
public struct SigningReview: Sendable, Equatable {
    public var role: String
    public var sha256: String
    public var version: (old: Int64?, new: Int64)
    public var expires: (old: String?, new: String)
    /// One line a change: keys added, removed and changed, thresholds, delegations, target counts.
    public var changes: [String]
    /// How many of `changes` are keys added, removed, or with new material under their keyid.
    public var keyChanges: Int
    /// What is signed as it is but deserves a look: keyids of foreign delegations that are not their key's.
    public var warnings: [String]
    /// Why this cannot be signed (keyids of the repository's own keys that are not their key's);
    /// `Repository.sign` and `signFile` refuse a review that has any.
    public var refusals: [String]

    public static func == (a: Self, b: Self) -> Bool {
        a.role == b.role && a.sha256 == b.sha256 && a.version == b.version && a.expires == b.expires && a.changes == b.changes
            && a.keyChanges == b.keyChanges && a.warnings == b.warnings && a.refusals == b.refusals
    }

    /// A key as a reviewer reads it: the keyid's first 16 hex digits and the key type.
    public static func short(_ id: String, _ key: Key?) -> String {
        "\(DisplayText.escaped(String(id.prefix(16)))) (\(key.map { DisplayText.escaped("\($0.keytype)/\($0.scheme)") } ?? "unknown key"))"
    }

    /// The review of a root to sign; without `published` (an offline copy), every key and
    /// threshold reads as added. Every key of root is the repository's own.
    public static func root(staged: Metadata<Root>, signedBytes: [UInt8], published: Root?) -> SigningReview {
        let s = staged.signed
        var changes: [String] = [], keyChanges = 0
        for type in RoleType.allCases {
            let new = s.roles[type], old = published?.roles[type]
            let newIDs = Set(new?.keyIDs ?? []), oldIDs = Set(old?.keyIDs ?? [])
            let added = newIDs.subtracting(oldIDs).sorted(), removed = oldIDs.subtracting(newIDs).sorted()
            for id in added { changes.append("\(type.rawValue): key added \(short(id, s.keys[id]))") }
            for id in removed { changes.append("\(type.rawValue): key removed \(short(id, published?.keys[id]))") }
            keyChanges += added.count + removed.count
            if let n = new, n.threshold != old?.threshold {
                changes.append("\(type.rawValue): threshold \(old.map { "\($0.threshold)" } ?? "none") → \(n.threshold) of \(n.keyIDs.count) keys")
            }
        }
        let swapped = KeyReview.changedKeys(s.keys, published?.keys ?? [:]) { id in
            let users = RoleType.allCases.filter { s.roles[$0]?.keyIDs.contains(id) == true }.map(\.rawValue)
            return users.isEmpty ? "root (unused key)" : users.joined(separator: ", ")
        }
        changes += swapped
        keyChanges += swapped.count
        return make("root", staged, signedBytes, published?.common, changes, keyChanges: keyChanges, warnings: [],
                    refusals: KeyReview.foreignKeyIDs(s.keys, of: Set(s.keys.keys), in: "root"))
    }

    /// The review of targets metadata to sign. `isOwn` tells which delegated roles are the
    /// repository's own (bins for targets, every bin-n for bins; succinct roles always are):
    /// their keyids must be their keys' keyids; another delegation's odd keyid is a warning.
    public static func targets(_ name: String, staged: Metadata<Targets>, signedBytes: [UInt8], published: Targets?,
                               isOwn: (String) -> Bool) -> SigningReview {
        let s = staged.signed
        var changes = targetCounts(s, published)
        let d = s.delegations, o = published?.delegations
        let keyIDs = KeyReview.foreignKeyIDs(d, isOwn: isOwn, in: name)
        let newKeys = Set(d?.keys.keys.map { $0 } ?? []), oldKeys = Set(o?.keys.keys.map { $0 } ?? [])
        let added = newKeys.subtracting(oldKeys).sorted(), removed = oldKeys.subtracting(newKeys).sorted()
        for id in added { changes.append("delegation keys: added \(short(id, d?.keys[id]))") }
        for id in removed { changes.append("delegation keys: removed \(short(id, o?.keys[id]))") }
        let swapped = KeyReview.changedKeys(d?.keys ?? [:], o?.keys ?? [:]) { _ in "delegation keys" }
        changes += swapped
        changes += delegationChanges(d, o)
        return make(name, staged, signedBytes, published?.common, changes, keyChanges: added.count + removed.count + swapped.count,
                    warnings: keyIDs.warnings, refusals: keyIDs.refused)
    }

    private static func targetCounts(_ s: Targets, _ published: Targets?) -> [String] {
        let newTargets = Set(s.targets.keys), oldTargets = Set(published?.targets.keys ?? [:].keys)
        let addedTargets = newTargets.subtracting(oldTargets).count, removedTargets = oldTargets.subtracting(newTargets).count
        let changedTargets = newTargets.intersection(oldTargets).filter { s.targets[$0] != published?.targets[$0] }.count
        guard addedTargets + removedTargets + changedTargets > 0 || published == nil else { return [] }
        return ["targets: \(s.targets.count) listed (\(addedTargets) added, \(removedTargets) removed, \(changedTargets) changed)"]
    }

    private static func delegationChanges(_ d: Delegations?, _ o: Delegations?) -> [String] {
        var changes: [String] = []
        if let sr = d?.succinctRoles, sr != o?.succinctRoles {
            changes.append("succinct delegation: \(1 << sr.bitLength) bins \(DisplayText.escaped(sr.namePrefix))-*, \(sr.threshold) of \(sr.keyIDs.count) keys")
        } else if d?.succinctRoles == nil, o?.succinctRoles != nil {
            changes.append("succinct delegation removed")
        }
        var newRoles: [String: DelegatedRole] = [:], oldRoles: [String: DelegatedRole] = [:]
        for r in d?.roles ?? [] { newRoles[r.name] = r }
        for r in o?.roles ?? [] { oldRoles[r.name] = r }
        let added = Set(newRoles.keys).subtracting(oldRoles.keys).sorted()
        let removed = Set(oldRoles.keys).subtracting(newRoles.keys).sorted()
        let changed = Set(newRoles.keys).intersection(oldRoles.keys).filter { newRoles[$0] != oldRoles[$0] }.sorted()
        func summary(_ names: [String]) -> String {
            DisplayText.escaped(names.count <= 6 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + ", … (\(names.count))")
        }
        if !added.isEmpty { changes.append("delegated roles added: \(summary(added))") }
        if !removed.isEmpty { changes.append("delegated roles removed: \(summary(removed))") }
        if !changed.isEmpty { changes.append("delegated roles changed (keys, threshold or paths): \(summary(changed))") }
        return changes
    }

    private static func make<P: SignedPayload>(_ role: String, _ staged: Metadata<P>, _ signedBytes: [UInt8], _ old: SignedCommon?,
                                               _ changes: [String], keyChanges: Int, warnings: [String], refusals: [String]) -> SigningReview {
        SigningReview(role: role, sha256: Hex.encode(Hash.digest(.sha256, signedBytes)),
                      version: (old?.version, staged.signed.common.version),
                      expires: (old?.expires.iso8601, staged.signed.common.expires.iso8601), changes: changes,
                      keyChanges: keyChanges, warnings: warnings, refusals: refusals)
    }

    /// Throws the first refusal, if any: what `sign` and `signFile` check before signing.
    public func requireSignable() throws(RepositoryError) {
        if let first = refusals.first {
            throw RepositoryError(.invalidMetadata, "\(first); nothing signed" + (refusals.count > 1 ? " (and \(refusals.count - 1) more)" : ""))
        }
    }

    /// The review as a reviewer reads it.
    public var text: String {
        var out = ["review of \(DisplayText.escaped(role)) to sign:",
                   "  version: \(version.old.map { "\($0) → " } ?? "")\(version.new)",
                   "  expires: \(expires.old.map { "\($0) → " } ?? "")\(expires.new)"]
        if changes.isEmpty {
            out.append("  no key, threshold, delegation or target changes")
        } else {
            out.append("  \(changes.count) change(s), \(keyChanges) of them to keys:")
            out += changes.map { "  " + $0 }
        }
        out += warnings.map { "  warning: " + $0 }
        out += refusals.map { "  refused: " + $0 }
        out.append("  SHA-256 of the bytes to sign: \(sha256)")
        return out.joined(separator: "\n")
    }

    public var json: JSON {
        .object(JSONObject([
            .init(key: "role", value: .string(role)),
            .init(key: "sha256", value: .string(sha256)),
            .init(key: "version", value: .int(version.new)),
            .init(key: "previous_version", value: version.old.map { JSON.int($0) } ?? .null),
            .init(key: "expires", value: .string(expires.new)),
            .init(key: "previous_expires", value: expires.old.map { JSON.string($0) } ?? .null),
            .init(key: "changes", value: .array(changes.map { .string($0) })),
            .init(key: "key_changes", value: .int(Int64(keyChanges))),
            .init(key: "warnings", value: .array(warnings.map { .string($0) })),
            .init(key: "refusals", value: .array(refusals.map { .string($0) })),
        ]))
    }
}
