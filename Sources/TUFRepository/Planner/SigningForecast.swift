import TUFMetadata

/// The signatures a plan will carry, known before any key is used: each signer signs every
/// role whose keys (or, during a root rotation, the previous root's keys) list its keyid
/// (`Repository.sign`). So the planner can tell before signing whether a role will meet its
/// threshold, and what each client will see between two writes.
struct SigningForecast {
    /// The keyids of the keys the given signers hold.
    let signerKeyIDs: Set<String>

    /// The keyids that will sign a role planned with `keys` (and `previous`).
    func signatures(_ keys: RoleKeys, also previous: RoleKeys?) -> Set<String> {
        signerKeyIDs.intersection(keys.keyIDs + (previous?.keyIDs ?? []))
    }

    /// How many distinct keys of `keys` signatures by `ids` count for, each key material
    /// once as `RoleKeys.verifies` counts it.
    static func provided(_ keys: RoleKeys, by ids: Set<String>) -> Int {
        Set(keys.keyIDs.filter(ids.contains).compactMap { keys.keys[$0]?.publicKey.material }).count
    }

    /// Throws `.missingKey` when the signers cannot meet `keys`' threshold for `role`.
    func requireSignable(_ role: String, _ keys: RoleKeys) throws(RepositoryError) {
        let provided = Self.provided(keys, by: signerKeyIDs)
        if provided < keys.threshold { throw Self.missingKey(role, keys, provided: provided) }
    }

    /// The error for a role the given keys cannot sign (before signing, or after it: `Repository.sign`).
    static func missingKey(_ role: String, _ keys: RoleKeys, provided: Int) -> RepositoryError {
        RepositoryError(.missingKey, """
            \(role) must be re-signed and needs \(keys.threshold) of the keys \(keys.keyIDs.joined(separator: ", ")); \
            the keys given provide \(provided) distinct (pass them with --key)
            """)
    }
}
