import TUFCanonicalJSON

/// The named roles of a `Delegations`, in priority order: decoded, or (for a client that
/// needs one bin of 16,384) every entry checked by every rule but kept as its parsed JSON, so
/// a lookup by name or by target path builds no `DelegatedRole` at all.
struct DelegatedRoleList: Sendable, Equatable {
    private enum Storage: Sendable {
        case decoded([DelegatedRole])
        case checked([DelegatedRole.Fields])
    }

    private let storage: Storage
    /// Position of each role by the UTF-8 bytes of its name: a lookup by name is one hash,
    /// not a scan (a client or audit walking 16,384 bins did 16,384² comparisons).
    private let index: [ExactKey: Int]

    init(_ roles: [DelegatedRole]) {
        storage = .decoded(roles)
        var index: [ExactKey: Int] = [:]
        // The first position of each name (names are unique where parsed).
        for (i, r) in roles.enumerated() where index[ExactKey(r.name)] == nil { index[ExactKey(r.name)] = i }
        self.index = index
    }

    /// Checks each entry of `entries` (the `roles` array at `context`): the rules of a role
    /// entry, the delegated-name rules, and that no name is listed twice. A malformed entry
    /// anywhere refuses the whole list, as python-tuf (which decodes everything) does.
    /// With `deferred`, the entries are kept as checked JSON rather than decoded.
    init(entries: [JSON], context: String, deferred: Bool) throws(MetadataError) {
        var checked: [DelegatedRole.Fields] = []
        checked.reserveCapacity(entries.count)
        var index: [ExactKey: Int] = [:]
        index.reserveCapacity(entries.count)
        for (i, element) in entries.enumerated() {
            let fields = try FieldReader.inContext(context, ".roles[\(i)]") { (c) throws(MetadataError) in
                try DelegatedRole.Fields(json: element, context: c)
            }
            try RoleName.validateDelegated(fields.name, context: "\(context).roles[\(i)]")
            guard index.updateValue(i, forKey: ExactKey(fields.name)) == nil else {
                throw MetadataError(.malformed, "\(context).roles: role \"\(fields.name)\" is listed twice")
            }
            checked.append(fields)
        }
        storage = deferred ? .checked(checked) : .decoded(checked.map(DelegatedRole.init))
        self.index = index
    }

    /// Every role, decoded (built on each call for a deferred list).
    var all: [DelegatedRole] {
        switch storage {
        case .decoded(let roles): roles
        case .checked(let fields): fields.map(DelegatedRole.init)
        }
    }

    /// Keyids and threshold of the role `name`, if listed.
    func delegation(for name: String) -> (keyIDs: [String], threshold: Int)? {
        guard let i = index[ExactKey(name)] else { return nil }
        switch storage {
        case .decoded(let roles): return (roles[i].keyIDs, roles[i].threshold)
        case .checked(let fields): return (fields[i].keyIDs, fields[i].threshold)
        }
    }

    /// The roles trusted for `targetPath`, in order, with whether each terminates. The path
    /// is hashed at most once, however many hashed bins are consulted.
    func roles(for targetPath: String) -> [(name: String, terminating: Bool)] {
        var digest: String?
        let pathDigest = {
            if let digest { return digest }
            let d = DelegatedRole.pathDigest(targetPath)
            digest = d
            return d
        }
        switch storage {
        case .decoded(let roles):
            return roles.filter { $0.isDelegated(path: targetPath, pathDigest: pathDigest) }.map { ($0.name, $0.terminating) }
        case .checked(let fields):
            // By index: a scan of 16,384 entries should not copy (retain and release) each one.
            var found: [(name: String, terminating: Bool)] = []
            for i in fields.indices where fields[i].isDelegated(path: targetPath, pathDigest: pathDigest) {
                found.append((fields[i].name, fields[i].terminating))
            }
            return found
        }
    }

    static func == (lhs: DelegatedRoleList, rhs: DelegatedRoleList) -> Bool { lhs.all == rhs.all }
}
