#!/usr/bin/env python3
"""python-tuf's Metadata API doing what `tuf-repo generate` does, for Scripts/bench: read a
PEP 691 index snapshot, make a target for every distribution file (custom yanked) and page,
write the pages under REPO-style targets/ paths with hash-prefixed copies,
put each into one of N hashed bins, sign every bin, the bins delegation, snapshot and
timestamp with ed25519 keys, and write them with consistent-snapshot names.

  python_generate.py full INDEX OUT [--bins N]      everything from scratch
  python_generate.py incremental INDEX OUT          re-read the index, re-sign only the bins
                                                     whose targets changed, then snapshot
                                                     and timestamp (state kept in OUT)
  python_generate.py timestamp OUT                  refresh the timestamp only
  python_generate.py refresh OUT                    re-sign every bin (no content change),
                                                     then snapshot and timestamp: the daily
                                                     refresh of bins that all expire together
Prints "seconds <n>" for the timed part."""
import hashlib
import json
import os
import pickle
import posixpath
import sys
import time
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat,
                                                          load_pem_private_key)
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (DelegatedRole, Delegations, MetaFile, Metadata, Snapshot,
                              TargetFile, Targets, Timestamp)


def expiry(days):
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(microsecond=0)


def read_index(index, pages=None):
    """Target path -> TargetFile for every page and distribution file; the pages' bytes
    go into `pages` when given (to be published under REPO/targets)."""
    targets = {}
    listing = os.path.join(index, "simple", "index.json")
    raw = open(listing, "rb").read()
    targets["simple/index.json"] = TargetFile.from_data("simple/index.json", raw, ["sha256"])
    if pages is not None:
        pages["simple/index.json"] = raw
    for project in json.loads(raw)["projects"]:
        path = f"simple/{project['name']}/index.json"
        raw = open(os.path.join(index, path), "rb").read()
        targets[path] = TargetFile.from_data(path, raw, ["sha256"])
        if pages is not None:
            pages[path] = raw
        for f in json.loads(raw)["files"]:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), f["url"]))
            extra = {"custom": {"yanked": f["yanked"]}} if f.get("yanked") else {}
            targets[target] = TargetFile(f["size"], {"sha256": f["hashes"]["sha256"]}, target, extra)
    return targets


def publish_pages(pages, out, only=None):
    """Pages under their target paths and hash-prefixed names, as tuf-repo publishes them."""
    for path, raw in pages.items():
        if only is not None and path not in only:
            continue
        digest = hashlib.sha256(raw).hexdigest()
        folder = os.path.join(out, "targets", os.path.dirname(path))
        os.makedirs(folder, exist_ok=True)
        for name in (os.path.basename(path), f"{digest}.{os.path.basename(path)}"):
            with open(os.path.join(folder, name), "wb") as f:
                f.write(raw)


def bin_of(path, bits):
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:4], "big") >> (32 - bits)


def write(md, out, name):
    data = md.to_bytes()
    tmp = os.path.join(out, f".{name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, os.path.join(out, name))
    return data


def sign_bins(state, out, changed):
    signer = state["signers"]["bin-n"]
    for i in changed:
        name = f"bin-{i:04x}"
        version = state["versions"].get(name, 0) + 1
        md = Metadata(Targets(version=version, expires=expiry(1), targets=state["bins"][i]))
        md.sign(signer)
        write(md, out, f"{version}.{name}.json")
        state["versions"][name] = version


def sign_snapshot_timestamp(state, out):
    meta = {"targets.json": MetaFile(1), "bins.json": MetaFile(1)}
    for name, v in state["versions"].items():
        meta[f"{name}.json"] = MetaFile(v)
    state["snapshot_version"] = state.get("snapshot_version", 0) + 1
    snap = Metadata(Snapshot(version=state["snapshot_version"], expires=expiry(1), meta=meta))
    snap.sign(state["signers"]["snapshot"])
    data = write(snap, out, f"{state['snapshot_version']}.snapshot.json")
    refresh_timestamp(state, out, MetaFile(state["snapshot_version"], len(data), {"sha256": hashlib.sha256(data).hexdigest()}))


def refresh_timestamp(state, out, snapshot_meta=None):
    state["timestamp_version"] = state.get("timestamp_version", 0) + 1
    ts = Metadata(Timestamp(version=state["timestamp_version"], expires=expiry(1),
                            snapshot_meta=snapshot_meta or state["snapshot_meta"]))
    ts.sign(state["signers"]["timestamp"])
    write(ts, out, "timestamp.json")
    state["snapshot_meta"] = ts.signed.snapshot_meta


def full(index, out, bins):
    bits = bins.bit_length() - 1
    os.makedirs(out, exist_ok=True)
    keys = {r: Ed25519PrivateKey.generate() for r in ("bins", "bin-n", "snapshot", "timestamp")}
    signers = {r: CryptoSigner(k) for r, k in keys.items()}
    pages = {}
    targets = read_index(index, pages)
    publish_pages(pages, out)
    per_bin = [dict() for _ in range(bins)]
    for path, t in targets.items():
        per_bin[bin_of(path, bits)][path] = t
    state = {"signers": signers, "bins": per_bin, "bits": bits, "versions": {},
             "page_hashes": {p: targets[p].hashes["sha256"] for p in pages},
             "keys": {r: k.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()) for r, k in keys.items()}}
    key = signers["bin-n"].public_key
    width = 4
    roles = {f"bin-{i:04x}": DelegatedRole(f"bin-{i:04x}", [key.keyid], 1, True,
                                            path_hash_prefixes=[f"{i:0{width}x}"]) for i in range(bins)}
    delegation = Metadata(Targets(expires=expiry(365), delegations=Delegations({key.keyid: key}, roles=roles)))
    delegation.sign(signers["bins"])
    write(delegation, out, "1.bins.json")
    sign_bins(state, out, range(bins))
    sign_snapshot_timestamp(state, out)
    return state


def incremental(index, out, state):
    pages = {}
    targets = read_index(index, pages)
    publish_pages(pages, out, only={p for p, t in targets.items() if p in pages and state["page_hashes"].get(p) != t.hashes["sha256"]})
    per_bin = [dict() for _ in range(len(state["bins"]))]
    for path, t in targets.items():
        per_bin[bin_of(path, state["bits"])][path] = t
    changed = [i for i in range(len(per_bin)) if per_bin[i] != state["bins"][i]]
    state["page_hashes"] = {p: targets[p].hashes["sha256"] for p in pages}
    state["bins"] = per_bin
    sign_bins(state, out, changed)
    sign_snapshot_timestamp(state, out)
    return len(changed)


def main():
    mode = sys.argv[1]
    out = sys.argv[3] if mode not in ("timestamp", "refresh") else sys.argv[2]
    state_file = os.path.join(out, ".bench-state.pickle")
    # Timed from here, after imports (and, below, after loading the saved state), which
    # favours python-tuf: the tuf-repo figures are whole-process wall times.
    start = time.perf_counter()
    if mode == "full":
        bins = int(sys.argv[sys.argv.index("--bins") + 1]) if "--bins" in sys.argv else 16384
        state = full(sys.argv[2], out, bins)
    else:
        with open(state_file, "rb") as f:
            state = pickle.load(f)
        state["signers"] = {r: CryptoSigner(load_pem_private_key(pem, None)) for r, pem in state["keys"].items()}
        start = time.perf_counter()
        if mode == "incremental":
            incremental(sys.argv[2], out, state)
        elif mode == "refresh":
            sign_bins(state, out, range(len(state["bins"])))
            sign_snapshot_timestamp(state, out)
        else:
            refresh_timestamp(state, out)
    elapsed = time.perf_counter() - start
    state.pop("signers")
    with open(state_file, "wb") as f:
        pickle.dump(state, f)
    print(f"seconds {elapsed:.3f}")


if __name__ == "__main__":
    main()
