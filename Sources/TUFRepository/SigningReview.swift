import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// What a signer is about to sign, against what is published: the review `tuf-repo sign`
/// prints before it signs. Pure: two parsed roles in, lines out. The digest is the SHA-256 of
/// the exact bytes the signature covers (the canonical JSON of `signed`), so the key holders
/// of a ceremony can compare one number aloud.
public struct SigningReview: Sendable, Equatable {
    public var role: String
    public var sha256: String
    public var version: (old: Int64?, new: Int64)
    public var expires: (old: String?, new: String)
    /// One line a change: keys added and removed, thresholds, delegations, target counts.
    public var changes: [String]

    public static func == (a: Self, b: Self) -> Bool {
        a.role == b.role && a.sha256 == b.sha256 && a.version == b.version && a.expires == b.expires && a.changes == b.changes
    }

    /// A key as a reviewer reads it: the keyid's first 16 hex digits and the key type.
    public static func short(_ id: String, _ key: Key?) -> String {
        "\(id.prefix(16)) (\(key.map { "\($0.keytype)/\($0.scheme)" } ?? "unknown key"))"
    }

    /// Without `published` (an offline copy), every key and threshold reads as added.
    public static func root(staged: Metadata<Root>, published: Root?) -> SigningReview {
        let s = staged.signed
        var changes: [String] = []
        for type in RoleType.allCases {
            let new = s.roles[type], old = published?.roles[type]
            let newIDs = Set(new?.keyIDs ?? []), oldIDs = Set(old?.keyIDs ?? [])
            for id in newIDs.subtracting(oldIDs).sorted() { changes.append("\(type.rawValue): key added \(short(id, s.keys[id]))") }
            for id in oldIDs.subtracting(newIDs).sorted() { changes.append("\(type.rawValue): key removed \(short(id, published?.keys[id]))") }
            if let n = new, n.threshold != old?.threshold {
                changes.append("\(type.rawValue): threshold \(old.map { "\($0.threshold)" } ?? "none") → \(n.threshold) of \(n.keyIDs.count) keys")
            }
        }
        return make("root", staged, published?.common, changes)
    }

    public static func targets(_ name: String, staged: Metadata<Targets>, published: Targets?) -> SigningReview {
        let s = staged.signed
        var changes: [String] = []
        let newTargets = Set(s.targets.keys), oldTargets = Set(published?.targets.keys ?? [:].keys)
        let addedTargets = newTargets.subtracting(oldTargets).count, removedTargets = oldTargets.subtracting(newTargets).count
        let changedTargets = newTargets.intersection(oldTargets).filter { s.targets[$0] != published?.targets[$0] }.count
        if addedTargets + removedTargets + changedTargets > 0 || published == nil {
            changes.append("targets: \(s.targets.count) listed (\(addedTargets) added, \(removedTargets) removed, \(changedTargets) changed)")
        }
        let d = s.delegations, o = published?.delegations
        let newKeys = Set(d?.keys.keys.map { $0 } ?? []), oldKeys = Set(o?.keys.keys.map { $0 } ?? [])
        for id in newKeys.subtracting(oldKeys).sorted() { changes.append("delegation keys: added \(short(id, d?.keys[id]))") }
        for id in oldKeys.subtracting(newKeys).sorted() { changes.append("delegation keys: removed \(short(id, o?.keys[id]))") }
        if let sr = d?.succinctRoles, sr != o?.succinctRoles {
            changes.append("succinct delegation: \(1 << sr.bitLength) bins \(sr.namePrefix)-*, \(sr.threshold) of \(sr.keyIDs.count) keys")
        } else if d?.succinctRoles == nil, o?.succinctRoles != nil {
            changes.append("succinct delegation removed")
        }
        var newRoles: [String: DelegatedRole] = [:], oldRoles: [String: DelegatedRole] = [:]
        for r in d?.roles ?? [] { newRoles[r.name] = r }
        for r in o?.roles ?? [] { oldRoles[r.name] = r }
        let added = Set(newRoles.keys).subtracting(oldRoles.keys).sorted()
        let removed = Set(oldRoles.keys).subtracting(newRoles.keys).sorted()
        let changed = Set(newRoles.keys).intersection(oldRoles.keys).filter { newRoles[$0] != oldRoles[$0] }.sorted()
        func summary(_ names: [String]) -> String { names.count <= 6 ? names.joined(separator: ", ") : names.prefix(3).joined(separator: ", ") + ", … (\(names.count))" }
        if !added.isEmpty { changes.append("delegated roles added: \(summary(added))") }
        if !removed.isEmpty { changes.append("delegated roles removed: \(summary(removed))") }
        if !changed.isEmpty { changes.append("delegated roles changed (keys, threshold or paths): \(summary(changed))") }
        return make(name, staged, published?.common, changes)
    }

    private static func make<P: SignedPayload>(_ role: String, _ staged: Metadata<P>, _ old: SignedCommon?, _ changes: [String]) -> SigningReview {
        SigningReview(role: role, sha256: Hex.encode(Hash.digest(.sha256, staged.signedBytes())),
                      version: (old?.version, staged.signed.common.version),
                      expires: (old?.expires.iso8601, staged.signed.common.expires.iso8601), changes: changes)
    }

    /// The review as a reviewer reads it.
    public var text: String {
        var out = ["review of \(role) to sign:",
                   "  version: \(version.old.map { "\($0) → " } ?? "")\(version.new)",
                   "  expires: \(expires.old.map { "\($0) → " } ?? "")\(expires.new)"]
        out += changes.isEmpty ? ["  no key, threshold, delegation or target changes"] : changes.map { "  " + $0 }
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
        ]))
    }
}

extension Repository {
    /// The review of the staged `role` against the published one.
    public func review(role: RepositoryRole) throws(RepositoryError) -> SigningReview {
        let staged = try loadStaged(), published = try loadPublished()
        switch role {
        case .root:
            guard let s = staged.root else { throw RepositoryError(.nothingStaged, "nothing is staged for root") }
            return .root(staged: s.metadata, published: published.root?.signed)
        case .targets, .bins:
            guard let s = role == .targets ? staged.targets : staged.bins else { throw RepositoryError(.nothingStaged, "nothing is staged for \(role.rawValue)") }
            return .targets(role.rawValue, staged: s.metadata, published: (role == .targets ? published.targets : published.bins)?.signed)
        default:
            throw RepositoryError(.invalidArgument, "\(role.rawValue) is an online role: it is signed by generate and timestamp, not staged")
        }
    }

    /// The review of a copied file (an offline machine: nothing published to compare with).
    public static func review(file: String) throws(RepositoryError) -> SigningReview {
        let bytes = try FileIO.read(file)
        do {
            let envelope = try Envelope(bytes: bytes, name: file)
            switch envelope.type {
            case "root"?: return .root(staged: try Metadata<Root>(envelope: envelope), published: nil)
            case "targets"?: return .targets("targets (\(file))", staged: try Metadata<Targets>(envelope: envelope), published: nil)
            default: throw RepositoryError(.invalidArgument, "\(file): only root and targets metadata are signed offline")
            }
        } catch let e as MetadataError { throw RepositoryError(.invalidMetadata, e.message) } catch let e as RepositoryError { throw e } catch {
            throw RepositoryError(.invalidMetadata, "\(file): \(error)")
        }
    }
}
