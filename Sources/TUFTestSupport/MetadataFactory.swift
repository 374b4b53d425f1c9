import TUFCanonicalJSON
import TUFCrypto
import TUFMetadata

/// Builds small signed metadata sets from test keys, for tests of the model and the client.
public enum MetadataFactory {
    /// A fixed reference time (2026-01-01T00:00:00Z) and expiries relative to it.
    public static let now = Expiry(iso8601: "2026-01-01T00:00:00Z")!
    public static let farFuture = Expiry(iso8601: "2030-01-01T00:00:00Z")!

    /// A root whose four roles each use the given test keys and thresholds.
    public static func root(version: Int64 = 1, expires: Expiry = farFuture,
                            keys: [RoleType: [String]] = [.root: ["ed1"], .targets: ["ed2"], .snapshot: ["ed3"], .timestamp: ["ed4"]],
                            thresholds: [RoleType: Int] = [:]) -> Root {
        var allKeys: [String: Key] = [:]
        var roles: [RoleType: Role] = [:]
        for type in RoleType.allCases {
            let names = keys[type] ?? []
            for n in names { allKeys[TestKeys.keyID(n)] = TestKeys.publicKey(n) }
            roles[type] = Role(keyIDs: names.map(TestKeys.keyID), threshold: thresholds[type] ?? 1)
        }
        return Root(common: SignedCommon(version: version, expires: expires), keys: allKeys, roles: roles)
    }

    /// `payload` signed by the named test keys.
    public static func signed<P: SignedPayload>(_ payload: P, by names: [String]) -> Metadata<P> {
        var md = Metadata(signed: payload)
        let bytes = md.signedBytes()
        for n in names {
            do { try md.sign(with: TestKeys.key(n), signedBytes: bytes) } catch { fatalError("\(error)") }
        }
        return md
    }

    /// The file bytes of `payload` signed by the named test keys.
    public static func bytes<P: SignedPayload>(_ payload: P, by names: [String]) -> [UInt8] {
        signed(payload, by: names).encoded()
    }
}
