#!/usr/bin/env python3
"""Writes Tests/TUFCryptoTests/Fixtures/python-keys.json: keys and signatures made by
pyca/cryptography and securesystemslib, which the Swift tests load, verify and compare.

Run with the interop venv:  /tmp/venv/bin/python Tests/Interop/crypto_vectors.py
Keys are random, so each run writes a different (equally valid) file; commit the output.
"""
import json
import pathlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from securesystemslib.signer import CryptoSigner

MESSAGE = b"swift-tuf interop vector: the quick brown fox"
PASSPHRASE = b"hunter2"
OUT = pathlib.Path(__file__).resolve().parents[1] / "TUFCryptoTests" / "Fixtures" / "python-keys.json"


def pem(key, fmt, encryption=serialization.NoEncryption()):
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption).decode()


def vector(name, private_key):
    signer = CryptoSigner(private_key)  # SSlibKey.from_crypto picks keytype and scheme
    public = signer.public_key
    entry = {
        "name": name,
        "keyid": public.keyid,
        "keytype": public.keytype,
        "scheme": public.scheme,
        "keyval": {"public": public.keyval["public"]},
        "private_pem": pem(private_key, serialization.PrivateFormat.PKCS8),
        # BestAvailableEncryption: PBES2, PBKDF2-HMAC-SHA256 (2048 rounds), AES-256-CBC
        "private_pem_encrypted": pem(
            private_key,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSPHRASE),
        ),
        "signature": signer.sign(MESSAGE).signature,
        "extra_signatures": [],
    }
    if not isinstance(private_key, ed25519.Ed25519PrivateKey):
        # "EC PRIVATE KEY" / "RSA PRIVATE KEY"
        entry["private_pem_traditional"] = pem(private_key, serialization.PrivateFormat.TraditionalOpenSSL)
    if isinstance(private_key, rsa.RSAPrivateKey):
        # CryptoSigner signs PSS with salt length = digest length; a verifier must also accept
        # other salt lengths (securesystemslib verifies with PSS.AUTO).
        max_salt = private_key.sign(
            MESSAGE, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.MAX_LENGTH), hashes.SHA256()
        )
        pkcs1 = private_key.sign(MESSAGE, padding.PKCS1v15(), hashes.SHA256())
        entry["extra_signatures"] = [
            {"scheme": "rsassa-pss-sha256", "note": "PSS salt length MAX_LENGTH", "signature": max_salt.hex()},
            {"scheme": "rsa-pkcs1v15-sha256", "note": "PKCS#1 v1.5", "signature": pkcs1.hex()},
        ]
    return entry


def main():
    vectors = {
        "message_hex": MESSAGE.hex(),
        "passphrase": PASSPHRASE.decode(),
        "keys": [
            vector("ed25519", ed25519.Ed25519PrivateKey.generate()),
            vector("ecdsa-p256", ec.generate_private_key(ec.SECP256R1())),
            vector("ecdsa-p384", ec.generate_private_key(ec.SECP384R1())),
            vector("rsa-3072", rsa.generate_private_key(public_exponent=65537, key_size=3072)),
        ],
    }
    OUT.write_text(json.dumps(vectors, indent=2, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
