/// The roles of the PEP 458 layout, as the policy and the command line name them.
public enum RepositoryRole: String, Sendable, CaseIterable, Comparable {
    case root, targets, bins
    /// Every hashed bin role (`bin-0000`…), which share keys and policy.
    case binN = "bin-n"
    case snapshot, timestamp

    /// True for the roles whose keys stay on the index server and sign unattended.
    public var isOnline: Bool { self == .binN || self == .snapshot || self == .timestamp }

    /// PEP 458's expiry: a year for the offline roles, a day for the online ones.
    public var defaultExpiry: Int64 { isOnline ? 86_400 : 365 * 86_400 }

    /// Re-sign an online role when it expires within this window (a quarter of a day).
    public var defaultRefreshWindow: Int64 { isOnline ? 6 * 3_600 : 30 * 86_400 }

    /// Reads `root`, `targets`, `bins`, `bin-n`, `snapshot` or `timestamp`.
    public init(parsing text: String) throws(RepositoryError) {
        guard let role = RepositoryRole(rawValue: text) else {
            throw RepositoryError(.invalidArgument,
                                  "unknown role \"\(text)\"; expected one of \(RepositoryRole.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = role
    }

    public static func < (a: RepositoryRole, b: RepositoryRole) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
