// Only TUFCrypto imports this module: libsodium for ed25519 and blake2b.
#include <sodium.h>
