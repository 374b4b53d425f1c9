import TUFCrypto
import TUFMetadata

/// The key checks of a signing review. A keyid names a key only by convention: a client counts
/// the key listed under it, so a staged role that keeps a keyid and swaps the key under it
/// changes who can sign as much as one that adds a key. Keys are therefore compared by what
/// they are, and the repository's own keys must be listed under their own keyids.
enum KeyReview {
    /// How a reviewer tells two keys apart: type and scheme, and the first 16 hex digits of the
    /// SHA-256 of the decoded public key (`PublicKey.material`).
    static func fingerprint(_ key: Key) -> String {
        DisplayText.escaped("\(key.keytype)/\(key.scheme)") + " " + String(Hex.encode(Hash.digest(.sha256, key.publicKey.material)).prefix(16))
    }

    /// One line for each keyid listed in both `new` and `old` with a different key, old and
    /// new side by side; `label` names what uses the keyid.
    static func changedKeys(_ new: [String: Key], _ old: [String: Key], label: (String) -> String) -> [String] {
        new.keys.sorted().compactMap { id in
            guard let n = new[id], let o = old[id], n != o else { return nil }
            let before = fingerprint(o), after = fingerprint(n)
            let note = before == after ? " (same key material, written differently)" : ""
            return "\(label(id)): key \(DisplayText.escaped(String(id.prefix(16)))) changed: \(before) → \(after)\(note)"
        }
    }

    /// Why a keyid of `ids` cannot be signed: it lists a key whose keyid is another (spec 4.2:
    /// a keyid is the SHA-256 of the key's canonical JSON). For the repository's own keys a
    /// mismatch is a swap in disguise or a file written by hand, and is never signed.
    static func foreignKeyIDs(_ keys: [String: Key], of ids: Set<String>, in role: String) -> [String] {
        ids.sorted().compactMap { id in
            guard let key = keys[id], key.keyID != id else { return nil }
            return "\(DisplayText.escaped(role)): keyid \(DisplayText.escaped(id)) lists a key whose keyid is \(key.keyID); "
                + "the repository's own keys must be listed under their keyids (the SHA-256 of the key's canonical JSON)"
        }
    }

    /// `foreignKeyIDs` for the keys of delegations: a mismatch for a key of the roles `isOwn`
    /// names or of succinct roles is refused; for any other key it is a warning (a delegation
    /// to another party is signed as that party wrote it).
    static func foreignKeyIDs(_ d: Delegations?, isOwn: (String) -> Bool, in role: String) -> (refused: [String], warnings: [String]) {
        guard let d else { return ([], []) }
        var own = Set(d.succinctRoles?.keyIDs ?? [])
        for r in d.roles ?? [] where isOwn(r.name) { own.formUnion(r.keyIDs) }
        let warnings = d.keys.keys.sorted().compactMap { id -> String? in
            guard !own.contains(id), let key = d.keys[id], key.keyID != id else { return nil }
            return "delegation key \(DisplayText.escaped(String(id.prefix(16)))) is listed under a keyid that is not its key's "
                + "(\(key.keyID.prefix(16))); only roles of other parties use it"
        }
        return (foreignKeyIDs(d.keys, of: own, in: role), warnings)
    }
}
