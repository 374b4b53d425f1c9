import Foundation
import TUFMetadata

/// Parsed metadata and the exact bytes it was read from (or will be written as): what the
/// planner reads and the self-check verifies.
struct LoadedMetadata<P: SignedPayload> {
    var metadata: Metadata<P> { didSet { memo = SignedBytesMemo() } }
    var bytes: [UInt8]
    var signed: P { metadata.signed }
    /// The canonical bytes of `signed`, encoded once per value: a run checks the same
    /// 2.6 MB bins role in several places (its load, the planner, the chain self-check).
    var signedBytes: [UInt8] { memo.value { metadata.signedBytes() } }
    private var memo = SignedBytesMemo()

    /// `keys.verifies` over these signatures, checked once per keys: ed25519 hashes the
    /// whole message, and the load, the role choice, the planner and the chain self-check
    /// all ask about the same multi-megabyte bins and snapshot roles.
    func verification(under keys: RoleKeys) -> VerificationResult {
        memo.verification(keys) { keys.verifies(signedBytes: signedBytes, signatures: metadata.signatures) }
    }

    init(metadata: Metadata<P>, bytes: [UInt8]) {
        self.metadata = metadata
        self.bytes = bytes
    }

    /// Metadata just signed over `signedBytes` (its canonical bytes, so they are not encoded again).
    init(signed metadata: Metadata<P>, signedBytes: [UInt8]) {
        self.init(metadata: metadata, bytes: metadata.encoded())
        _ = memo.value { signedBytes }
    }
}

/// The memo behind `LoadedMetadata.signedBytes` (a class, so a copy of the value shares it
/// until the metadata changes; locked, so a copy read from two threads stays sound).
final class SignedBytesMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var bytes: [UInt8]?
    /// Results by the exact keys (ids, threshold and key material) they were checked under.
    private var verified: [(keys: RoleKeys, result: VerificationResult)] = []

    /// The result for `keys`, computed once (`make` runs unlocked: it reads `value` itself).
    func verification(_ keys: RoleKeys, _ make: () -> VerificationResult) -> VerificationResult {
        if let known = lock.withLock({ verified.first { $0.keys == keys }?.result }) { return known }
        let result = make()
        lock.withLock { verified.append((keys, result)) }
        return result
    }

    func value(_ make: () -> [UInt8]) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        if let bytes { return bytes }
        let made = make()
        bytes = made
        return made
    }
}
