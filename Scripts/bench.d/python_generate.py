#!/usr/bin/env python3
"""python-tuf's Metadata API doing what `tuf-repo generate` does, for Scripts/bench: read a
PEP 691 index snapshot, make a target for every distribution file (custom yanked) and page,
write the pages under REPO-style targets/ paths with hash-prefixed copies, put each target
into one of N hashed bins (the bin of the SHA-256 of its path, as PEP 458 and tuf-repo
choose it), sign every bin, the bins delegation, snapshot and timestamp with ed25519 keys,
and write them with consistent-snapshot names.

  python_generate.py full INDEX OUT [--bins N]   everything from scratch
  python_generate.py update INDEX OUT [--projects-from FILE] [--resign-from FILE]
      an incremental update: the projects named in FILE (one a line) changed, were yanked
      in or were removed; re-sign only the bins of the targets added, changed or removed (and the
      bins named in --resign-from, e.g. the ones tuf-repo renewed in the same cycle), then
      snapshot and timestamp. Nothing changed: nothing is written.
  python_generate.py rescan INDEX OUT [--resign-from FILE]
      find the changed projects, then update them (a cron cycle)
  python_generate.py timestamp OUT               refresh the timestamp only
  python_generate.py floor                       imports and exits: the process floor

python-tuf has no state store: what the last publication was is read from OUT itself (the
timestamp, the snapshot it names, the bins to change, and the published page copies, which
hold a project's old targets). A rescan compares each page with its published copy by
stat (size, and an index page newer than its copy), like make; tuf-repo stats each page
against its state store. Keys live in OUT/.bench-keys (throwaway, unencrypted)."""
import hashlib
import json
import os
import posixpath
import sys
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption, PrivateFormat,
                                                          load_pem_private_key)
from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (DelegatedRole, Delegations, MetaFile, Metadata, Snapshot,
                              TargetFile, Targets, Timestamp)

ONLINE = ("bins", "bin-n", "snapshot", "timestamp")
LISTING = "simple/index.json"


def expiry(days):
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(microsecond=0)


class Layout:
    """Bin arithmetic of N hashed bins, named and prefixed as tuf-repo names them."""

    def __init__(self, count):
        self.count = count
        self.bits = count.bit_length() - 1
        self.width = (self.bits + 3) // 4

    def name(self, n):
        return f"bin-{n:0{self.width}x}"

    def of(self, path):
        return int.from_bytes(hashlib.sha256(path.encode()).digest()[:4], "big") >> (32 - self.bits)

    def prefixes(self, n):
        per_bin = (16 ** self.width) // self.count
        return [f"{p:0{self.width}x}" for p in range(n * per_bin, (n + 1) * per_bin)]


def page_targets(path, raw):
    """The page's own target and one per distribution file it lists."""
    targets = {path: TargetFile.from_data(path, raw, ["sha256"])}
    for f in json.loads(raw)["files"]:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), f["url"]))
        extra = {"custom": {"yanked": f["yanked"]}} if f.get("yanked") else {}
        targets[target] = TargetFile(f["size"], {"sha256": f["hashes"]["sha256"]}, target, extra)
    return targets


def read_file(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def publish_page(out, path, raw):
    """A page under its target path and its hash-prefixed name, as tuf-repo publishes it."""
    digest = hashlib.sha256(raw).hexdigest()
    folder = os.path.join(out, "targets", os.path.dirname(path))
    os.makedirs(folder, exist_ok=True)
    for name in (f"{digest}.{os.path.basename(path)}", os.path.basename(path)):
        with open(os.path.join(folder, name), "wb") as f:
            f.write(raw)


def write(md, out, name):
    data = md.to_bytes()
    tmp = os.path.join(out, f".{name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, os.path.join(out, name))
    return data


def save_keys(out):
    folder = os.path.join(out, ".bench-keys")
    os.makedirs(folder, exist_ok=True)
    signers = {}
    for role in ONLINE:
        key = Ed25519PrivateKey.generate()
        with open(os.path.join(folder, f"{role}.pem"), "wb") as f:
            f.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        signers[role] = CryptoSigner(key)
    return signers


def load_keys(out):
    folder = os.path.join(out, ".bench-keys")
    return {role: CryptoSigner(load_pem_private_key(open(os.path.join(folder, f"{role}.pem"), "rb").read(), None))
            for role in ONLINE}


def sign_snapshot_timestamp(out, signers, meta, version, timestamp_version):
    snap = Metadata(Snapshot(version=version, expires=expiry(1), meta=meta))
    snap.sign(signers["snapshot"])
    data = write(snap, out, f"{version}.snapshot.json")
    snapshot_meta = MetaFile(version, len(data), {"sha256": hashlib.sha256(data).hexdigest()})
    ts = Metadata(Timestamp(version=timestamp_version, expires=expiry(1), snapshot_meta=snapshot_meta))
    ts.sign(signers["timestamp"])
    write(ts, out, "timestamp.json")


def full(index, out, count):
    layout = Layout(count)
    os.makedirs(out, exist_ok=True)
    signers = save_keys(out)
    listing = read_file(os.path.join(index, LISTING))
    targets = {LISTING: TargetFile.from_data(LISTING, listing, ["sha256"])}
    publish_page(out, LISTING, listing)
    for project in json.loads(listing)["projects"]:
        path = f"simple/{project['name']}/index.json"
        raw = read_file(os.path.join(index, path))
        targets.update(page_targets(path, raw))
        publish_page(out, path, raw)
    per_bin = [dict() for _ in range(count)]
    for path, t in targets.items():
        per_bin[layout.of(path)][path] = t
    key = signers["bin-n"].public_key
    roles = {layout.name(i): DelegatedRole(layout.name(i), [key.keyid], 1, True, path_hash_prefixes=layout.prefixes(i))
             for i in range(count)}
    delegation = Metadata(Targets(expires=expiry(365), delegations=Delegations({key.keyid: key}, roles=roles)))
    delegation.sign(signers["bins"])
    write(delegation, out, "1.bins.json")
    meta = {"targets.json": MetaFile(1), "bins.json": MetaFile(1)}
    for i in range(count):
        md = Metadata(Targets(version=1, expires=expiry(1), targets=per_bin[i]))
        md.sign(signers["bin-n"])
        write(md, out, f"1.{layout.name(i)}.json")
        meta[f"{layout.name(i)}.json"] = MetaFile(1)
    sign_snapshot_timestamp(out, signers, meta, 1, 1)


def changed_targets(index, out, names):
    """(old, new) targets of the changed projects and of the listing when it changed, and
    the pages to publish. Old targets come from the published copies."""
    old, new, pages = {}, {}, {}
    paths = [f"simple/{n}/index.json" for n in names]
    if stat_changed(index, out, LISTING):
        paths.append(LISTING)
    for path in paths:
        before = read_file(os.path.join(out, "targets", path))
        after = read_file(os.path.join(index, path))
        if before == after:
            continue
        if path == LISTING:
            if before is not None:
                old[path] = TargetFile.from_data(path, before, ["sha256"])
            new[path] = TargetFile.from_data(path, after, ["sha256"])
        else:
            if before is not None:
                old.update(page_targets(path, before))
            if after is not None:
                new.update(page_targets(path, after))
        pages[path] = after
    return old, new, pages


def update(index, out, names, resign):
    """Re-signs the bins of the changed projects' old and new targets and `resign`."""
    signers = load_keys(out)
    timestamp = Metadata.from_file(os.path.join(out, "timestamp.json"))
    version = timestamp.signed.snapshot_meta.version
    snapshot = Metadata.from_file(os.path.join(out, f"{version}.snapshot.json"))
    count = sum(1 for name in snapshot.signed.meta if name.startswith("bin-"))
    layout = Layout(count)
    old, new, pages = changed_targets(index, out, names) if names else ({}, {}, {})
    # Only a target added, removed or changed moves its bin; a page's other files stay put.
    changed = {}
    for path in old.keys() | new.keys():
        if old.get(path) != new.get(path):
            changed.setdefault(layout.of(path), []).append(path)
    bins = set(changed) | {int(n.split("-")[1], 16) for n in resign}
    if not bins:
        return 0
    verifier = signers["bin-n"].public_key
    for i in sorted(bins):
        role = layout.name(i)
        current = snapshot.signed.meta[f"{role}.json"].version
        md = Metadata.from_file(os.path.join(out, f"{current}.{role}.json"))
        verifier.verify_signature(md.signatures[verifier.keyid], md.signed_bytes)
        held = md.signed.targets
        for path in changed.get(i, []):
            if path in new:
                held[path] = new[path]
            else:
                held.pop(path, None)
        md = Metadata(Targets(version=current + 1, expires=expiry(1), targets=held))
        md.sign(signers["bin-n"])
        write(md, out, f"{current + 1}.{role}.json")
        snapshot.signed.meta[f"{role}.json"] = MetaFile(current + 1)
    for path, raw in pages.items():
        if raw is None:  # a removed project: its page copy goes, so a rescan sees it gone
            os.remove(os.path.join(out, "targets", path))
        else:
            publish_page(out, path, raw)
    sign_snapshot_timestamp(out, signers, snapshot.signed.meta, version + 1, timestamp.signed.version + 1)
    return len(bins)


def stat_changed(index, out, path):
    try:
        page = os.stat(os.path.join(index, path))
    except FileNotFoundError:
        return os.path.exists(os.path.join(out, "targets", path))
    try:
        copy = os.stat(os.path.join(out, "targets", path))
    except FileNotFoundError:
        return True
    return page.st_size != copy.st_size or page.st_mtime_ns > copy.st_mtime_ns


def rescan(index, out):
    """The projects whose page differs from its published copy, plus the removed ones."""
    listing = json.loads(read_file(os.path.join(index, LISTING)))
    names = {p["name"] for p in listing["projects"]}
    changed = [n for n in names if stat_changed(index, out, f"simple/{n}/index.json")]
    if stat_changed(index, out, LISTING):
        before = read_file(os.path.join(out, "targets", LISTING))
        changed += [p["name"] for p in json.loads(before)["projects"] if p["name"] not in names]
    return changed


def refresh_timestamp(out):
    signers = load_keys(out)
    ts = Metadata.from_file(os.path.join(out, "timestamp.json"))
    ts.signed.version += 1
    ts.signed.expires = expiry(1)
    ts.signatures.clear()
    ts.sign(signers["timestamp"])
    write(ts, out, "timestamp.json")


def names_from(flag):
    if flag not in sys.argv:
        return []
    with open(sys.argv[sys.argv.index(flag) + 1]) as f:
        return [line.strip() for line in f if line.strip() and not line.startswith("#")]


def main():
    mode = sys.argv[1]
    if mode == "full":
        full(sys.argv[2], sys.argv[3], int(sys.argv[sys.argv.index("--bins") + 1]) if "--bins" in sys.argv else 16384)
    elif mode == "update":
        print(f"{update(sys.argv[2], sys.argv[3], names_from('--projects-from'), names_from('--resign-from'))} bins signed")
    elif mode == "rescan":
        print(f"{update(sys.argv[2], sys.argv[3], rescan(sys.argv[2], sys.argv[3]), names_from('--resign-from'))} bins signed")
    elif mode == "timestamp":
        refresh_timestamp(sys.argv[2])
    elif mode != "floor":
        sys.exit(f"python_generate.py: unknown mode {mode}")


if __name__ == "__main__":
    main()
