import COpenSSL

extension OpenSSLKey {
    /// Signs with EVP_DigestSign: DER signatures for ECDSA; PSS with salt length = digest length.
    func sign(_ message: [UInt8], scheme: SignatureScheme) throws(CryptoError) -> [UInt8] {
        guard let digest = scheme.digest, let ctx = EVP_MD_CTX_new() else {
            throw CryptoError(.signingFailed, "no OpenSSL signer for this scheme")
        }
        defer { EVP_MD_CTX_free(ctx) }
        var pctx: OpaquePointer? = nil
        guard EVP_DigestSignInit(ctx, &pctx, digest.md, nil, pkey) == 1, let pctx,
              Self.configurePadding(pctx, scheme: scheme, digest: digest, signing: true) else {
            throw CryptoError(.signingFailed, "signing setup: \(OpenSSLError.drain())")
        }
        var length = 0
        guard EVP_DigestSign(ctx, nil, &length, message, message.count) == 1 else {
            throw CryptoError(.signingFailed, "signature size: \(OpenSSLError.drain())")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(ctx, &signature, &length, message, message.count) == 1 else {
            throw CryptoError(.signingFailed, "signing: \(OpenSSLError.drain())")
        }
        signature.removeLast(signature.count - length)  // ECDSA DER signatures vary in length
        return signature
    }

    /// Verifies with EVP_DigestVerify; false for a bad signature and for any garbage.
    func verify(_ signature: [UInt8], message: UnsafeBufferPointer<UInt8>, scheme: SignatureScheme) -> Bool {
        guard let digest = scheme.digest, !signature.isEmpty, let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        var pctx: OpaquePointer? = nil
        let ok = EVP_DigestVerifyInit(ctx, &pctx, digest.md, nil, pkey) == 1
            && pctx.map { Self.configurePadding($0, scheme: scheme, digest: digest, signing: false) } == true
            && EVP_DigestVerify(ctx, signature, signature.count, message.baseAddress, message.count) == 1
        if !ok { OpenSSLError.clear() }  // leave no stale reasons for the next caller on this thread
        return ok
    }

    /// Sets RSA padding; nothing to do for ECDSA.
    private static func configurePadding(_ pctx: OpaquePointer, scheme: SignatureScheme, digest: SignatureScheme.Digest, signing: Bool) -> Bool {
        switch scheme {
        case .rsaPSS:
            // securesystemslib's CryptoSigner signs with PSS.DIGEST_LENGTH and MGF1 over the same
            // hash; its SSlibKey verifies with PSS.AUTO. Other signers (go-tuf) may pick another
            // salt length, so verification accepts any, as securesystemslib does.
            return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1
                && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, signing ? RSA_PSS_SALTLEN_DIGEST : RSA_PSS_SALTLEN_AUTO) == 1
                && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, digest.md) == 1
        case .rsaPKCS1v15:
            return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1
        case .ecdsa, .ed25519:
            return true
        }
    }
}
