#!/usr/bin/env python3
"""Checks keys and signatures written by Swift TUFCrypto with pyca/cryptography and
securesystemslib. Usage: check_keys.py DIR

DIR holds manifest.json (a list of {name, keytype, scheme, public, pem, encrypted,
signature}), message.bin, the PEM files, and a file `passphrase` for the encrypted ones
(kept out of argv so it never shows in a process listing). Exits 0 when every key loads,
securesystemslib derives the same keytype, scheme and public value, and every signature
verifies; otherwise prints what failed and exits 1.
"""
import json
import pathlib
import sys

from cryptography.hazmat.primitives.serialization import load_pem_private_key
from securesystemslib.signer import Signature, SSlibKey


def check(directory, entry, message, passphrase):
    pem = (directory / entry["pem"]).read_bytes()
    private_key = load_pem_private_key(pem, password=passphrase if entry["encrypted"] else None)
    derived = SSlibKey.from_crypto(private_key.public_key())
    problems = []
    for field, ours in [("keytype", derived.keytype), ("scheme", derived.scheme), ("public", derived.keyval["public"])]:
        if ours != entry[field]:
            problems.append(f"{field}: securesystemslib {ours!r} != Swift {entry[field]!r}")
    # Verify with the key as Swift declared it in its JSON form.
    declared = SSlibKey.from_dict(
        "swift", {"keytype": entry["keytype"], "scheme": entry["scheme"], "keyval": {"public": entry["public"]}}
    )
    try:
        declared.verify_signature(Signature("swift", entry["signature"]), message)
    except Exception as error:  # noqa: BLE001 - report any failure of verification
        problems.append(f"signature does not verify: {type(error).__name__}: {error}")
    return problems


def main():
    directory = pathlib.Path(sys.argv[1])
    entries = json.loads((directory / "manifest.json").read_text())
    message = (directory / "message.bin").read_bytes()
    passphrase = (directory / "passphrase").read_bytes()
    failed = False
    for entry in entries:
        try:
            problems = check(directory, entry, message, passphrase)
        except Exception as error:  # noqa: BLE001 - a key that fails to load is a failure
            problems = [f"{type(error).__name__}: {error}"]
        status = "ok" if not problems else "FAIL"
        print(f"{status} {entry['name']} ({entry['pem']})")
        for problem in problems:
            print(f"    {problem}")
        failed = failed or bool(problems)
    if not entries:
        print("FAIL: empty manifest")
        failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
