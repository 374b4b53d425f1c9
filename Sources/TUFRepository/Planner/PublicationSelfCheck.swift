import TUFClient
import TUFMetadata

/// The last check before the first write: every state a client can see while a signed plan
/// is written verifies by the client's rules. The chain once the plan is written, walked
/// from the published root (so the new root's signatures by the old one are checked too),
/// and the state between the root and the timestamp writes: the new chain under the old
/// root (root last) or the published chain under the new root (root first). The planner
/// chose the order from the signatures it foresaw; a failure here means a signature or a
/// listing differs from what it foresaw, and nothing is written.
enum PublicationSelfCheck {
    static func verify(_ plan: PublicationPlan, _ signed: SignedPublication, published: PublishedChain, at time: Expiry) throws(ClientError) {
        let roles = plan.roles
        guard let timestamp = signed.timestamp ?? published.timestamp, let snapshot = signed.snapshot ?? published.snapshot else {
            throw ClientError(.missingRole, "nothing is published yet and no timestamp was signed")
        }
        let oldRoot = roles.newRoot == nil ? nil : published.root
        let after = PublicationChain(root: oldRoot ?? roles.root, newRoot: oldRoot == nil ? nil : roles.newRoot, timestamp: timestamp,
                                     snapshot: snapshot, targets: roles.targets, bins: roles.bins)
        try after.verify(at: time)
        guard let oldRoot, let newRoot = roles.newRoot else { return }
        switch plan.rootPlacement {
        case .afterTimestamp?:
            var midway = after
            midway.newRoot = nil
            try midway.verify(at: time)
        case .beforeTimestamp?:
            guard var rootFirst = PublicationChain(published: published) else { return }
            rootFirst.root = oldRoot
            rootFirst.newRoot = newRoot
            try rootFirst.verify(at: time)
        case nil:
            return
        }
    }
}
