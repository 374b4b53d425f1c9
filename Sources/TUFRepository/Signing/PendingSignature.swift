import TUFCrypto
import TUFMetadata

/// Staged metadata read once for signing: the bytes read, the metadata parsed from them, the
/// canonical bytes of its `signed` (what the review's digest is of) and the review. Signing
/// takes this value, not a path: the signature is made over these bytes and written with this
/// metadata, so a file swapped after the review cannot be what gets signed (STYLE habit 4).
public struct PendingSignature: Sendable {
    /// What the signer is shown and confirms.
    public let review: SigningReview
    /// The staged role (`Repository.sign`), or nil for a copied file (`Repository.signFile`).
    public let role: RepositoryRole?
    /// The copied file, for `signFile`.
    public let file: String?
    /// The file's bytes as they were read: signing refuses a file that no longer holds them.
    let bytes: [UInt8]
    /// The canonical bytes of `signed`: hashed for the review, and what the signature covers.
    let signedBytes: [UInt8]
    let document: Document

    enum Document: Sendable {
        case root(Metadata<Root>)
        case targets(Metadata<Targets>)
    }

    /// `_type` of the document: root or targets.
    public var type: String {
        switch document {
        case .root: "root"
        case .targets: "targets"
        }
    }

    /// The review of `md`, read from `bytes`; `published` is what it is compared with.
    static func root(_ md: Metadata<Root>, bytes: [UInt8], published: Root?, role: RepositoryRole?, file: String?) -> Self {
        let signed = md.signedBytes()
        let review = SigningReview.root(staged: md, signedBytes: signed, published: published)
        return Self(review: review, role: role, file: file, bytes: bytes, signedBytes: signed, document: .root(md))
    }

    static func targets(_ name: String, _ md: Metadata<Targets>, bytes: [UInt8], published: Targets?, isOwn: (String) -> Bool,
                        role: RepositoryRole?, file: String?) -> Self {
        let signed = md.signedBytes()
        let review = SigningReview.targets(name, staged: md, signedBytes: signed, published: published, isOwn: isOwn)
        return Self(review: review, role: role, file: file, bytes: bytes, signedBytes: signed, document: .targets(md))
    }

    /// The reviewed document with `signer`'s signature over the reviewed bytes (replacing an
    /// earlier one by the same key), encoded to be written; refused when the review refuses.
    func signed(by signer: any Signer) throws(RepositoryError) -> [UInt8] {
        try review.requireSignable()
        do throws(MetadataError) {
            switch document {
            case .root(var md):
                try md.sign(with: signer, signedBytes: signedBytes)
                return md.encoded()
            case .targets(var md):
                try md.sign(with: signer, signedBytes: signedBytes)
                return md.encoded()
            }
        } catch { throw RepositoryError(.badKey, error.message) }
    }
}
