import TUFMetadata

extension TrustedMetadataSet {
    /// One metadata file offered to the set: the bytes (checked against the length and hashes
    /// that list them before they are parsed), and what they parse to with the check of its
    /// signatures, which the caller may give already (`init(bytes:metadata:signedBytes:verification:)`).
    public struct Candidate<P: SignedPayload, Bytes: Collection<UInt8>> {
        let bytes: Bytes
        private let name: String
        private let given: Parsed?

        /// The metadata, its canonical `signed` bytes, and how its signatures verify under some keys.
        struct Parsed {
            let metadata: Metadata<P>
            let signedBytes: [UInt8]
            let verification: (RoleKeys) -> VerificationResult

            /// Throws `.thresholdNotMet` naming `role` unless `keys` verify the signatures.
            func require(_ keys: RoleKeys, _ role: String) throws(ClientError) {
                do { try verification(keys).require(role) } catch { throw ClientError(error) }
            }
        }

        /// `bytes`, parsed as metadata of type `P` when the set needs it (`.malformed` otherwise).
        init(parsing bytes: Bytes, name: String) {
            self.bytes = bytes; self.name = name; self.given = nil
        }

        /// Metadata the caller parsed from `bytes`, whose canonical `signed` is `signedBytes`;
        /// `verification` must give what `RoleKeys.verifies` gives over them (the repository's
        /// self-check remembers it for its multi-megabyte roles instead of checking again).
        @_spi(Publication)
        public init(bytes: Bytes, metadata: Metadata<P>, signedBytes: [UInt8], verification: @escaping (RoleKeys) -> VerificationResult) {
            self.bytes = bytes; self.name = String(describing: P.type)
            self.given = Parsed(metadata: metadata, signedBytes: signedBytes, verification: verification)
        }

        /// What the bytes parse to.
        func parsed() throws(ClientError) -> Parsed {
            if let given { return given }
            let envelope: Envelope, metadata: Metadata<P>
            do {
                envelope = try Envelope(bytes: bytes, name: name)
                metadata = try Metadata<P>(envelope: envelope)
            } catch { throw ClientError(error) }
            let signedBytes = envelope.signedBytes, signatures = metadata.signatures
            return Parsed(metadata: metadata, signedBytes: signedBytes) { $0.verifies(signedBytes: signedBytes, signatures: signatures) }
        }
    }
}

extension TrustedMetadataSet.Candidate where P == Targets {
    /// `parsed()` for a targets role whose signatures must verify under `keys` (5.6.3): bytes
    /// are checked before the payload is decoded, and its delegations are decoded on demand
    /// (each entry still checked), so a bad 16,384-bin role costs no role decoding.
    func parsedVerified(by keys: RoleKeys, role: String) throws(ClientError) -> Parsed {
        if given != nil {
            let p = try parsed()
            try p.require(keys, role)
            return p
        }
        let envelope: Envelope
        do { envelope = try Envelope(bytes: bytes, name: name) } catch { throw ClientError(error) }
        let signedBytes = envelope.signedBytes, signatures = envelope.signatures
        let result = keys.verifies(signedBytes: signedBytes, signatures: signatures)
        do { try result.require(role) } catch { throw ClientError(error) }
        let metadata: Metadata<Targets>
        do { metadata = try Metadata(deferringRolesOf: envelope) } catch { throw ClientError(error) }
        return Parsed(metadata: metadata, signedBytes: signedBytes) { $0 == keys ? result : $0.verifies(signedBytes: signedBytes, signatures: signatures) }
    }
}
