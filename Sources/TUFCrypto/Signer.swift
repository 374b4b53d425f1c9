/// Anything that can sign TUF metadata: a `PrivateKey` in memory today, an HSM later.
public protocol Signer: Sendable {
    /// The public key whose signatures this signer makes.
    var publicKey: PublicKey { get }
    /// A signature over `message` in the encoding of `publicKey.scheme`.
    func sign(_ message: [UInt8]) throws(CryptoError) -> [UInt8]
}
