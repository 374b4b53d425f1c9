/// The fuzz targets. Each takes arbitrary bytes; bad input must come back as an ordinary
/// error of the code under test, and a broken invariant as a `FuzzFailure`. The libFuzzer
/// executables (Tests/Fuzz) crash on a failure; the replay test (TUFClientTests) reports it.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// JSONParser, then the canonical and python-tuf encodings must read back as the same value.
    case canonicalJSON = "canonical-json"
    /// Metadata of every role type, signatures against a fixed root, re-encoding, and the
    /// client's TrustedMetadataSet fed the input as root/timestamp/snapshot/targets.
    case metadata
    /// One PEP 691 project page, as the index-snapshot reader checks it.
    case indexPage = "index-page"
    /// PEM private keys (plain and encrypted PKCS#8, traditional) and public keys.
    case pem

    /// Runs the target on one input.
    public func run(_ bytes: [UInt8]) throws(FuzzFailure) {
        switch self {
        case .canonicalJSON: try CanonicalJSONFuzz.run(bytes)
        case .metadata: try MetadataFuzz.run(bytes)
        case .indexPage: try IndexPageFuzz.run(bytes)
        case .pem: try PEMFuzz.run(bytes)
        }
    }

    /// The libFuzzer entry: runs the target and crashes on a failure, so libFuzzer keeps the input.
    public func runOrCrash(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do { try run(bytes) } catch { fatalError("\(rawValue): \(error)") }
        return 0
    }
}

/// A broken invariant: the input was accepted, but what came out of it is wrong.
public struct FuzzFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Throws a `FuzzFailure` with `message` unless `condition` holds.
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(FuzzFailure) {
    if !condition { throw FuzzFailure(message()) }
}
