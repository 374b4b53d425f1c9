#!/usr/bin/env python3
"""Writes a PEP 458 'bins' targets metadata file delegating to N hashed-bin roles (path
hash prefixes), signed with a fresh ed25519 key: the JSON benchmark's input. python-tuf
writes it, so both sides read the same bytes."""
import sys

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import DelegatedRole, Delegations, Metadata, Targets

out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 16384
signer = CryptoSigner.generate_ed25519()
key = signer.public_key
width = len(f"{count - 1:x}")
roles = {}
for i in range(count):
    name = f"bin-{i:0{width}x}"
    roles[name] = DelegatedRole(name, [key.keyid], 1, False, path_hash_prefixes=[f"{i:0{width}x}"])
md = Metadata(Targets(version=1, delegations=Delegations({key.keyid: key}, roles=roles)))
md.sign(signer)
md.to_file(out)
