import CSodium

/// Overwrites the bytes of `bytes` with zeros in a way the optimiser may not drop
/// (`sodium_memzero`), for key bytes and passphrases once they are used.
///
/// This clears one buffer, no more. Swift arrays are copy-on-write: when the storage is
/// shared with another array, writing first makes a private copy and only that copy is cleared,
/// so call this where the array is held alone, at the end of its life. Copies that Swift made
/// earlier (an array that grew and moved, a `String` made from the bytes) are out of reach.
public func secureZero(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { sodium_memzero($0.baseAddress, $0.count) }
}
