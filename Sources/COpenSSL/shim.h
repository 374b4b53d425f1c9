// Only TUFCrypto imports this module: OpenSSL 3 for ECDSA, RSA-PSS, SHA-2 and PKCS#8 PEM.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/err.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>
#include <openssl/bio.h>
#include <openssl/x509.h>
#include <openssl/core_names.h>
#include <openssl/rand.h>
#include <openssl/pkcs12.h>
