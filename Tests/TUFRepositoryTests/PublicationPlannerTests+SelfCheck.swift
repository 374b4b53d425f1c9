import Foundation
import Testing
import TUFClient
import TUFCrypto
import TUFMetadata
@testable import TUFRepository
import TUFTestSupport

/// The self-check walks a chain through the client's own rules (`TrustedMetadataSet`) and
/// refuses what a client would, with the client's error code.
extension PublicationPlannerTests {
    enum ChainFault: String, CaseIterable {
        case snapshotHash, snapshotVersion, binsVersion, binsThreshold
    }

    func signed<P: SignedPayload>(_ payload: P, by key: String) throws -> LoadedMetadata<P> {
        var md = Metadata(signed: payload)
        try md.sign(with: TestKeys.key(key))
        return LoadedMetadata(metadata: md, bytes: md.encoded())
    }

    /// A timestamp one version up that lists `snapshot` as `meta`, signed by the timestamp key.
    func timestamp(_ chain: PublicationChain, listing meta: MetaFile) throws -> LoadedMetadata<Timestamp> {
        var t = chain.timestamp.signed
        t.version += 1
        t.snapshotMeta = meta
        return try signed(t, by: "ed8")
    }

    @Test(arguments: [(ChainFault.snapshotHash, ClientError.Code.hashMismatch), (.snapshotVersion, .versionMismatch),
                      (.binsVersion, .rollback), (.binsThreshold, .thresholdNotMet)])
    func theSelfCheckRefusesWhatAClientWouldWithItsCode(fault: ChainFault, code: ClientError.Code) throws {
        let i = try inputs()
        var chain = try #require(PublicationChain(published: i.published))
        try chain.verify(at: Fixture.now)
        let snapshotVersion = chain.snapshot.signed.version
        switch fault {
        case .snapshotHash:
            let other = MetaFile(version: snapshotVersion, describing: chain.snapshot.bytes + [0x0a], hashAlgorithms: [.sha256])
            chain.timestamp = try timestamp(chain, listing: MetaFile(version: snapshotVersion, length: nil, hashes: other.hashes))
        case .snapshotVersion:
            chain.timestamp = try timestamp(chain, listing: MetaFile(version: snapshotVersion + 1))
        case .binsVersion:
            var s = chain.snapshot.signed
            s.version += 1
            s.meta["bins.json"] = MetaFile(version: chain.bins.signed.version + 1)
            chain.snapshot = try signed(s, by: "ed7")
            chain.timestamp = try timestamp(chain, listing: MetaFile(version: s.version, describing: chain.snapshot.bytes, hashAlgorithms: [.sha256]))
        case .binsThreshold:
            var md = chain.bins.metadata
            md.signatures = []
            chain.bins = LoadedMetadata(metadata: md, bytes: md.encoded())
        }
        let refused = #expect(throws: ClientError.self) { try chain.verify(at: Fixture.now) }
        #expect(refused?.code == code)
    }

    /// Expiry is not checked: a publication may keep a role that has expired.
    @Test func theSelfCheckDoesNotCheckExpiry() throws {
        let i = try inputs()
        let chain = try #require(PublicationChain(published: i.published))
        try chain.verify(at: Fixture.now.adding(seconds: 20 * 365 * 86_400))
    }
}
