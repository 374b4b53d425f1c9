#!/usr/bin/env python3
"""python-tuf / securesystemslib side of Scripts/bench: prints "name value unit" lines
with the same names as tuf-bench."""
import json
import sys
import time

from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import Metadata
from tuf.api.serialization.json import CanonicalJSONSerializer


def rate(body):
    """Best of five windows of at least 0.3 s, as tuf-bench measures."""
    best = 0.0
    for _ in range(5):
        runs, total = 0, 0.0
        while total < 0.3:
            start = time.perf_counter()
            body()
            total += time.perf_counter() - start
            runs += 1
        best = max(best, runs / total)
    return best


def report(name, value, unit):
    print(f"{name} {value:.1f} {unit}")


def bench_json(path):
    data = open(path, "rb").read()
    mb = len(data) / 1e6
    value = json.loads(data)
    report("json.decode", mb * rate(lambda: json.loads(data)), "MB/s")
    report("json.canonical_encode", mb * rate(lambda: encode_canonical(value)), "MB/s")
    report("json.decode_encode", mb * rate(lambda: encode_canonical(json.loads(data))), "MB/s")
    report("metadata.parse_targets", rate(lambda: Metadata.from_bytes(data)), "files/s")
    serializer = CanonicalJSONSerializer()
    report("metadata.parse_canonical", rate(lambda: serializer.serialize(Metadata.from_bytes(data).signed)), "files/s")


def bench_ed25519():
    signer = CryptoSigner.generate_ed25519()
    message = b"a" * 256
    sig = None

    def sign():
        nonlocal sig
        for _ in range(100):
            sig = signer.sign(message)

    report("ed25519.sign", rate(sign) * 100, "ops/s")
    key = signer.public_key

    def verify():
        for _ in range(100):
            key.verify_signature(sig, message)

    report("ed25519.verify", rate(verify) * 100, "ops/s")


if __name__ == "__main__":
    {"json": lambda: bench_json(sys.argv[2]), "ed25519": bench_ed25519}[sys.argv[1]]()
