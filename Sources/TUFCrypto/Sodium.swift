import CSodium

/// The one-time libsodium initialisation.
enum Sodium {
    // sodium_init picks CPU-specific implementations and seeds randombytes; it must run before
    // any other call. A static let is initialised once, thread-safely, on first use.
    private static let initialized: Bool = sodium_init() >= 0

    /// Call before any libsodium function.
    @inline(__always)
    static func ensureInitialized() {
        precondition(initialized, "libsodium failed to initialise")
    }
}
