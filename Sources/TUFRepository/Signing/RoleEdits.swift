import TUFMetadata

/// The rules of editing role metadata, apart from any repository: the key lists a role may
/// get, the `targets` → `bins` delegation, and which version of a delegator a rotation edits.
/// `init`, `rotate` and `renew` share them.
enum RoleEdits {
    /// Rejects a key list or threshold that could never verify, and a list that holds one key
    /// material twice (same keyid, or another spelling of the key): it would count as two keys.
    static func checkKeys(_ keys: [Key], threshold: Int, role: String) throws(RepositoryError) {
        guard !keys.isEmpty else { throw RepositoryError(.invalidArgument, "\(role): at least one key is needed") }
        var seen: [[UInt8]: String] = [:]
        for k in keys {
            if let first = seen[k.publicKey.material] {
                throw RepositoryError(.invalidArgument, first == k.keyID
                    ? "\(role): key \(first) is given twice"
                    : "\(role): keys \(first) and \(k.keyID) are the same key written two ways; list it once")
            }
            seen[k.publicKey.material] = k.keyID
        }
        guard threshold >= 1, threshold <= keys.count else {
            throw RepositoryError(.invalidArgument, "\(role): the threshold must be from 1 to the number of keys (\(keys.count)), is \(threshold)")
        }
    }

    /// The `targets` → `bins` delegation: every path (all sixteen first hex digits of the path hash,
    /// because `*` does not cross `/` in TUF path patterns).
    static func binsDelegation(keys: [Key], threshold: Int) -> Delegations {
        Delegations(keys: Dictionary(keys.map { ($0.keyID, $0) }, uniquingKeysWith: { a, _ in a }),
                    roles: [DelegatedRole(name: "bins", keyIDs: keys.map(\.keyID), threshold: threshold, terminating: false,
                                          pathHashPrefixes: (0..<16).map { String($0, radix: 16) })])
    }

    /// The metadata of a delegator to edit for a rotation: the staged copy when one is under
    /// way, else the published one with its version bumped; its expiry renewed either way.
    static func nextToStage<P: SignedPayload>(_ staged: LoadedMetadata<P>?, _ published: LoadedMetadata<P>?, role: String,
                                              expires: Expiry) throws(RepositoryError) -> P {
        var payload: P
        if let staged { payload = staged.signed } else {
            guard let published else { throw RepositoryError(.notInitialized, "no published \(role) to rotate") }
            payload = published.signed
            payload.version += 1
        }
        payload.expires = expires
        return payload
    }
}
