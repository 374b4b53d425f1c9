import TUFCanonicalJSON
import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// What a merge of signed copies did.
public struct MergeOutcome: Sendable, Equatable {
    /// Keyids whose signatures the merge added to the staged role (new ones only).
    public var added: [String]
    /// Keyids the copies carried that the staged role already had (counted once).
    public var alreadyPresent: [String]
    public var outcome: StageOutcome
}

extension Repository {
    /// Gathers into the staged `role` the signatures of `copies`, files signed with
    /// `sign --file` on other machines, then publishes whatever is complete.
    ///
    /// All or nothing: every copy is checked before anything is written, and one bad copy
    /// refuses the whole merge, naming the file. A copy is refused when it is not metadata of
    /// the role's type, when its `signed` part differs from the staged one by even one byte
    /// (compared on the canonical bytes that signatures cover, so another version, role or
    /// repository is refused too), or when any of its signatures comes from a key the role
    /// does not list (for root: the new and the published root's keys) or does not verify.
    /// A key seen twice counts once; merging the same copy again adds nothing.
    public func merge(role: RepositoryRole, copies: [String], now: Expiry) throws(RepositoryError) -> MergeOutcome {
        guard !copies.isEmpty else { throw RepositoryError(.invalidArgument, "give at least one signed copy to merge") }
        return try locked { () throws(RepositoryError) -> MergeOutcome in
            let staged = try loadStaged()
            let keys = try signingKeys(for: role, staged: staged, published: try loadPublished())
            switch role {
            case .root:
                guard var s = staged.root else { throw RepositoryError(.nothingStaged, "nothing is staged for root") }
                let merged = try SignatureMerge.add(into: &s, role: role, copies: copies, keys: keys, now: now, as: Root.self)
                return try finishMerge(s.metadata.encoded(), role: role, merged, now: now)
            case .targets, .bins:
                guard var s = role == .targets ? staged.targets : staged.bins else {
                    throw RepositoryError(.nothingStaged, "nothing is staged for \(role.rawValue)")
                }
                let merged = try SignatureMerge.add(into: &s, role: role, copies: copies, keys: keys, now: now, as: Targets.self)
                return try finishMerge(s.metadata.encoded(), role: role, merged, now: now)
            default:
                throw RepositoryError(.invalidArgument, "\(role.rawValue) is an online role: it is signed by generate and timestamp, not staged")
            }
        }
    }

    private func finishMerge(_ bytes: [UInt8], role: RepositoryRole, _ merged: (added: [String], present: [String]),
                             now: Expiry) throws(RepositoryError) -> MergeOutcome {
        if !merged.added.isEmpty { try store.write([(RepositoryLayout.staged(role), bytes)]) }
        let outcome = try publishStaged(signers: [], now: now)
        return MergeOutcome(added: merged.added, alreadyPresent: merged.present, outcome: outcome)
    }
}
