import TUFMetadata

/// Finds the trusted description of a target path by walking the delegation graph from the
/// top-level `targets` role (5.6.7): pre-order depth-first, children in listed order, a
/// terminating delegation ends the search past it, each role visited once, and at most
/// `maxRolesVisited` roles consulted. Pure: roles are obtained through `loadRole`, so a
/// caller can fetch and verify them lazily.
public struct DelegationSearch: Sendable {
    /// python-tuf's `max_delegations` default.
    public static let defaultMaxRolesVisited = 32

    /// How many roles one search may consult.
    public var maxRolesVisited: Int

    public init(maxRolesVisited: Int = DelegationSearch.defaultMaxRolesVisited) {
        self.maxRolesVisited = maxRolesVisited
    }

    /// The result of a search: the target (if any) and the role that lists it.
    public struct Found: Sendable, Equatable {
        public let targetFile: TargetFile
        public let role: String
    }

    /// Searches for `targetPath`. `loadRole(role, delegator)` must return the verified
    /// targets role `role` as delegated by `delegator` (`root` for `targets`).
    public func find(_ targetPath: String,
                     loadRole: (_ role: String, _ delegator: String) async throws(ClientError) -> Targets) async throws(ClientError) -> Found? {
        // A stack of (role, delegator); the top is the next role in pre-order.
        var stack: [(role: String, delegator: String)] = [("targets", "root")]
        var visited = Set<String>()
        var remaining = maxRolesVisited
        while remaining > 0, let (role, delegator) = stack.popLast() {
            // A role already consulted is skipped: this breaks cycles and repeated paths.
            guard visited.insert(role).inserted else { continue }
            remaining -= 1
            let targets = try await loadRole(role, delegator)
            if let file = targets.targets[targetPath] {
                return Found(targetFile: file, role: role)
            }
            guard let delegations = targets.delegations else { continue }
            var children: [(role: String, delegator: String)] = []
            for (name, terminating) in delegations.rolesFor(targetPath: targetPath) {
                children.append((name, role))
                // A terminating role is the last one tried for this path: nothing else that
                // is still pending (siblings after it, or roles elsewhere) is consulted.
                if terminating { stack.removeAll(); break }
            }
            stack.append(contentsOf: children.reversed())
        }
        return nil
    }
}
