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
                let merged = try mergeSignatures(into: &s, role: role, copies: copies, keys: keys, now: now, as: Root.self)
                return try finishMerge(s.metadata.encoded(), role: role, merged, now: now)
            case .targets, .bins:
                guard var s = role == .targets ? staged.targets : staged.bins else {
                    throw RepositoryError(.nothingStaged, "nothing is staged for \(role.rawValue)")
                }
                let merged = try mergeSignatures(into: &s, role: role, copies: copies, keys: keys, now: now, as: Targets.self)
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

    /// Checks every copy against the staged role and adds their new signatures to `staged`
    /// (in memory). Throws, naming the copy, at the first fault.
    private func mergeSignatures<P: SignedPayload>(into staged: inout LoadedMetadata<P>, role: RepositoryRole, copies: [String],
                                                   keys: [RoleKeys], now: Expiry, as: P.Type) throws(RepositoryError) -> (added: [String], present: [String]) {
        let name = role.rawValue
        if staged.signed.expires.secondsSinceEpoch <= now.secondsSinceEpoch {
            throw RepositoryError(.invalidMetadata, "the staged \(name) expired at \(staged.signed.expires.iso8601); renew it (tuf-repo renew \(name)) and sign again")
        }
        let stagedBytes = staged.signedBytes
        var keyOf: [String: RoleKeys] = [:]
        for k in keys { for id in k.keyIDs where keyOf[id] == nil && k.keys[id] != nil { keyOf[id] = k } }
        var signatures = staged.metadata.signatures
        var have = Set(signatures.map(\.keyID))
        var added: [String] = [], present: [String] = []
        for copy in copies {
            let bytes = try FileIO.read(copy)
            let envelope: Envelope
            do { envelope = try Envelope(bytes: bytes, name: copy) } catch {
                throw RepositoryError(.invalidMetadata, "\(copy): not TUF metadata: \(error.message)")
            }
            guard envelope.type == P.type.rawValue else {
                throw RepositoryError(.invalidMetadata, "\(copy): is \(envelope.type.map { "\($0) metadata" } ?? "metadata of no type"), not the staged \(name)")
            }
            let md: Metadata<P>
            do { md = try Metadata<P>(envelope: envelope) } catch {
                throw RepositoryError(.invalidMetadata, "\(copy): \(error.message)")
            }
            let copyBytes = md.signedBytes()
            guard copyBytes == stagedBytes else {
                let detail = md.signed.version != staged.signed.version
                    ? "it is version \(md.signed.version), the staged \(name) is version \(staged.signed.version)"
                    : "SHA-256 of its signed bytes \(Hex.encode(Hash.digest(.sha256, copyBytes))), of the staged \(name)'s \(Hex.encode(Hash.digest(.sha256, stagedBytes)))"
                throw RepositoryError(.invalidMetadata, "\(copy): its signed part differs from the staged \(name) (\(detail)); nothing merged")
            }
            for sig in md.signatures {
                guard let k = keyOf[sig.keyID] else {
                    throw RepositoryError(.notAuthorized, "\(copy): signature by key \(sig.keyID), which is not a key of \(name); nothing merged")
                }
                let one = RoleKeys(keyIDs: [sig.keyID], threshold: 1, keys: k.keys)
                guard one.verifies(signedBytes: stagedBytes, signatures: [sig]).isVerified else {
                    throw RepositoryError(.verificationFailed, "\(copy): the signature by key \(sig.keyID) does not verify over the staged \(name); nothing merged")
                }
                if have.contains(sig.keyID) {
                    if !present.contains(sig.keyID) && !added.contains(sig.keyID) { present.append(sig.keyID) }
                    continue
                }
                have.insert(sig.keyID)
                signatures.append(sig)
                added.append(sig.keyID)
            }
        }
        staged.metadata.signatures = signatures
        return (added, present)
    }
}
