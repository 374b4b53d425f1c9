import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// Every role type's `Metadata` decode, signature checks against the fixed fixture root,
/// and re-encoding; then the client's trusted set (`TrustedSetFuzz`).
enum MetadataFuzz {
    static let trustedRoot: Root = {
        do { return try Metadata<Root>(bytes: FuzzFixtures.root).signed } catch { fatalError("fixture root: \(error)") }
    }()

    static func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        try decode(Root.self, bytes)
        try decode(Timestamp.self, bytes)
        try decode(Snapshot.self, bytes)
        try decode(Targets.self, bytes)
        try TrustedSetFuzz.run(bytes)
    }

    static func decode<P: SignedPayload>(_: P.Type, _ bytes: [UInt8]) throws(FuzzFailure) {
        guard let envelope = try? Envelope(bytes: bytes, name: "fuzz"),
              let metadata = try? Metadata<P>(envelope: envelope) else { return }
        // What is verified is the canonical form of `signed` as read; the model must give the
        // same JSON back (unknown fields kept), or re-signing would sign other bytes.
        try require(metadata.signed.json == envelope.signedJSON, "\(P.type): the model does not keep `signed` as read")
        try require(metadata.signedBytes() == envelope.signedBytes, "\(P.type): canonical bytes of the model differ from the input's")
        // Signatures: garbage must only ever fail to verify.
        _ = RoleKeys(root: trustedRoot, P.type).verifies(signedBytes: envelope.signedBytes, signatures: metadata.signatures)
        if let root = metadata.signed as? Root {
            _ = RoleKeys(root: root, .root).verifies(signedBytes: envelope.signedBytes, signatures: metadata.signatures)
        }
        if let targets = metadata.signed as? Targets, let roles = targets.delegations?.roles {
            for role in roles.prefix(4) {
                _ = RoleKeys(delegator: targets, role.name)?.verifies(signedBytes: envelope.signedBytes, signatures: metadata.signatures)
            }
        }
        // What we write must read back as the same metadata.
        for style in [PythonJSONEncoder.Style.compact, .pretty] {
            let written = metadata.encoded(style: style)
            let back: Metadata<P>
            do { back = try Metadata<P>(bytes: written) } catch {
                throw FuzzFailure("\(P.type): written metadata (\(style)) does not read back: \(error)")
            }
            try require(back == metadata, "\(P.type): written metadata (\(style)) reads back different")
            try require(back.signedBytes() == envelope.signedBytes, "\(P.type): canonical bytes change through writing (\(style))")
        }
    }
}
