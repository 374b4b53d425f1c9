import TUFCrypto
import TUFFileSystem
import TUFMetadata

/// The check of `sign --merge`: copies signed elsewhere (`sign --file`) against the staged
/// role, all or nothing, apart from the repository that stages and publishes the result.
enum SignatureMerge {
    /// Checks every copy against the staged role and adds their new signatures to `staged`
    /// (in memory). Throws, naming the copy, at the first fault.
    static func add<P: SignedPayload>(into staged: inout LoadedMetadata<P>, role: RepositoryRole, copies: [String],
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
