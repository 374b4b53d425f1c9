import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// Signing staged metadata: each file is read once, for its review, and the signature is made
/// over that buffer (`PendingSignature`). When the sign comes, the file must still hold the
/// bytes reviewed, or nothing is signed; either way no byte read after the review is signed.
extension Repository {
    /// The review of the staged `role` against the published one, with the bytes it was made from.
    public func review(role: RepositoryRole) throws(RepositoryError) -> PendingSignature {
        let staged = try loadStaged(), published = try loadPublished()
        switch role {
        case .root:
            guard let s = staged.root else { throw RepositoryError(.nothingStaged, "nothing is staged for root") }
            return .root(s.metadata, bytes: s.bytes, published: published.root?.signed, role: .root, file: nil)
        case .targets, .bins:
            guard let s = role == .targets ? staged.targets : staged.bins else { throw RepositoryError(.nothingStaged, "nothing is staged for \(role.rawValue)") }
            // targets delegates to bins (the repository's) and maybe to others; bins only to bin-n.
            let isOwn: (String) -> Bool = role == .targets ? { $0 == "bins" } : { _ in true }
            return .targets(role.rawValue, s.metadata, bytes: s.bytes, published: (role == .targets ? published.targets : published.bins)?.signed,
                                isOwn: isOwn, role: role, file: nil)
        default:
            throw RepositoryError(.invalidArgument, "\(role.rawValue) is an online role: it is signed by generate and timestamp, not staged")
        }
    }

    /// The review of a copied file (an offline machine: nothing published to compare with). A
    /// targets-type file that delegates to bins is the targets role; any other is read as bins,
    /// all of whose delegations are the repository's own.
    public static func review(file: String) throws(RepositoryError) -> PendingSignature {
        let bytes = try FileIO.read(file)
        do {
            let envelope = try Envelope(bytes: bytes, name: file)
            switch envelope.type {
            case "root"?:
                return .root(try Metadata<Root>(envelope: envelope), bytes: bytes, published: nil, role: nil, file: file)
            case "targets"?:
                let md = try Metadata<Targets>(envelope: envelope)
                let delegatesBins = md.signed.delegations?.roles?.contains { $0.name == "bins" } == true
                return .targets("targets (\(file))", md, bytes: bytes, published: nil,
                                    isOwn: delegatesBins ? { $0 == "bins" } : { _ in true }, role: nil, file: file)
            default: throw RepositoryError(.invalidArgument, "\(file): only root and targets metadata are signed offline")
            }
        } catch let e as MetadataError { throw RepositoryError(.invalidMetadata, e.message) } catch let e as RepositoryError { throw e } catch {
            throw RepositoryError(.invalidMetadata, "\(file): \(error)")
        }
    }

    /// Adds `signer`'s signature over the reviewed bytes to the staged role, then publishes
    /// whatever is complete. Refuses when the staged file changed since the review (a merge,
    /// another signer, an edit: review it again) or the key is not one of the role's.
    public func sign(_ pending: PendingSignature, signer: any Signer, now: Expiry) throws(RepositoryError) -> StageOutcome {
        guard let role = pending.role else {
            throw RepositoryError(.invalidArgument, "\(pending.file ?? "the file") is a copied file: sign it with signFile")
        }
        try pending.review.requireSignable()
        return try locked { () throws(RepositoryError) -> StageOutcome in
            let staged = try loadStaged()
            let current = role == .root ? staged.root?.bytes : (role == .targets ? staged.targets : staged.bins)?.bytes
            guard current == pending.bytes else {
                throw RepositoryError(.invalidMetadata, "the staged \(role.rawValue) changed after its review; nothing signed (review it again)")
            }
            let keys = try signingKeys(for: role, staged: staged, published: try loadPublished())
            let entry = SignerEntry(signer)
            guard keys.contains(where: { $0.keyIDs.contains(entry.keyID) }) else {
                throw RepositoryError(.notAuthorized, "key \(entry.keyID) is not one of the keys of \(role.rawValue)")
            }
            try store.write([(RepositoryLayout.staged(role), try pending.signed(by: signer))])
            return try publishStaged(signers: [entry], now: now)
        }
    }

    /// Reviews the staged `role` and signs it (for scripts and tests: no one reads the review).
    public func sign(role: RepositoryRole, signer: any Signer, now: Expiry) throws(RepositoryError) -> StageOutcome {
        try sign(review(role: role), signer: signer, now: now)
    }

    /// Signs a reviewed copy of a staged file in place (an operator on an offline machine) and
    /// returns its role type. The repository is not consulted: copy the file back to
    /// `REPO/staged/` afterwards. Refuses when the file no longer holds the bytes reviewed.
    public static func signFile(_ pending: PendingSignature, signer: any Signer,
                                durability: RepositoryStore.Durability = .batch) throws(RepositoryError) -> String {
        guard let file = pending.file else { throw RepositoryError(.invalidArgument, "the staged role is signed with Repository.sign") }
        try pending.review.requireSignable()
        // A check only: what is signed and written is the reviewed buffer, whatever is read here.
        guard try FileIO.read(file) == pending.bytes else {
            throw RepositoryError(.invalidMetadata, "\(file) changed after its review; nothing signed (review it again)")
        }
        let out = try pending.signed(by: signer)
        try RepositoryStore(root: FileSystem.parent(file), durability: durability).write([(FileSystem.splitLast(file).name, out)])
        return pending.type
    }

    /// Reviews `file` and signs it in place (for scripts and tests: no one reads the review).
    public static func signFile(_ file: String, signer: any Signer) throws(RepositoryError) -> String {
        try signFile(review(file: file), signer: signer)
    }
}
