#!/usr/bin/env python3
"""Builds a fresh TUF repository with python-tuf's Metadata API, for the end-to-end test of
tuf-verify against python-made metadata served over HTTP on loopback.

Usage: make_python_repo.py OUTDIR

Unlike make_fixtures.py (fixed keys, fixed dates, committed output) this makes new throwaway
ed25519 keys and dates relative to now on every run, so the repository is always current.
What it writes:

  OUTDIR/trusted-root.json      root v1, the root the client is initialised with
  OUTDIR/repo/metadata/         1.root.json, 2.root.json (root key rotated; v2 signed by the
                                old and the new key), N.targets.json, N.packages.json,
                                N.snapshot.json, timestamp.json (v2), unversioned copies
  OUTDIR/repo/targets/          every target at its path and, as consistent snapshots need,
                                a copy named dir/<sha256>.name
  OUTDIR/attacks/               validly signed or tampered files a malicious mirror may serve:
      timestamp-rollback.json   timestamp v1 (a rollback from v2)
      timestamp-expired.json    timestamp v3, expired (a freeze)
      targets-tampered.json     1.targets.json with a target hash changed, old signature kept
  OUTDIR/manifest.json          {"targets": {path: {"sha256", "length", "role"}}, "expires", ...}

Targets: top-level `hello.txt`, `docs/read me+notes.txt` (a name that needs quoting in a URL),
the PEP 691 page `simple/demo/index.json`; the delegated role `packages` (paths `packages/*`)
signs two distribution files, one yanked with a reason in `custom.yanked`.
"""

import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)

HASHES = ["sha256", "sha512"]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_python_repo.py OUTDIR")
    out = Path(sys.argv[1])
    metadata_dir = out / "repo" / "metadata"
    targets_dir = out / "repo" / "targets"
    attacks_dir = out / "attacks"
    for d in (metadata_dir, targets_dir, attacks_dir):
        d.mkdir(parents=True, exist_ok=True)

    now = datetime.now(timezone.utc).replace(microsecond=0)
    valid = now + timedelta(days=7)
    expired = now - timedelta(days=1)
    keys = {name: CryptoSigner.generate_ed25519()
            for name in ("root", "root-2", "targets", "snapshot", "timestamp", "packages")}

    def signed_bytes(payload, *signers):
        md = Metadata(payload)
        for signer in signers:
            md.sign(signer, append=True)
        return md.to_bytes()

    def write_metadata(names, data):
        for name in names:
            (metadata_dir / name).write_bytes(data)

    # Root v1, then v2 with the root key rotated (signed by both, as 5.3.4 asks).
    root = Root(version=1, expires=valid, consistent_snapshot=True)
    for role in ("root", "targets", "snapshot", "timestamp"):
        root.add_key(keys[role].public_key, role)
    root_v1 = signed_bytes(root, keys["root"])
    write_metadata(["1.root.json"], root_v1)
    (out / "trusted-root.json").write_bytes(root_v1)
    root.version = 2
    root.revoke_key(keys["root"].public_key.keyid, "root")
    root.add_key(keys["root-2"].public_key, "root")
    write_metadata(["2.root.json", "root.json"], signed_bytes(root, keys["root"], keys["root-2"]))

    # Targets.
    wheel_new = b"demo 1.0 distribution (made by make_python_repo.py)\n"
    wheel_old = b"demo 0.9 distribution (made by make_python_repo.py)\n"
    files = [
        ("packages/demo-1.0.tar.gz", wheel_new, None),
        ("packages/demo-0.9.tar.gz", wheel_old, "broken build"),
    ]
    page = {"meta": {"api-version": "1.1"}, "name": "demo", "versions": ["0.9", "1.0"],
            "files": [{"filename": path.rsplit("/", 1)[1], "url": f"../../{path}",
                       "hashes": {"sha256": hashlib.sha256(data).hexdigest()},
                       "size": len(data), "yanked": reason if reason else False}
                      for path, data, reason in files]}
    top_level = [
        ("hello.txt", b"hello from python-tuf\n"),
        ("docs/read me+notes.txt", b"a target whose name needs quoting\n"),
        ("simple/demo/index.json", json.dumps(page, indent=2).encode() + b"\n"),
    ]
    manifest = {"expires": valid.isoformat(), "targets": {}}

    def add_target(role_md, role, path, data, custom=None):
        info = TargetFile.from_data(path, data, HASHES)
        if custom is not None:
            info.unrecognized_fields["custom"] = custom
        role_md.targets[path] = info
        digest = hashlib.sha256(data).hexdigest()
        directory, _, name = path.rpartition("/")
        for served in (path, f"{directory}/{digest}.{name}" if directory else f"{digest}.{name}"):
            target = targets_dir / served
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        manifest["targets"][path] = {"sha256": digest, "length": len(data), "role": role}

    targets = Targets(version=1, expires=valid)
    for path, data in top_level:
        add_target(targets, "targets", path, data)
    packages = Targets(version=1, expires=valid)
    for path, data, reason in files:
        add_target(packages, "packages", path, data, {"yanked": reason if reason else False})
    targets.delegations = Delegations(keys={}, roles={
        "packages": DelegatedRole(name="packages", keyids=[], threshold=1, terminating=True,
                                  paths=["packages/*"]),
    })
    targets.add_key(keys["packages"].public_key, "packages")

    targets_bytes = signed_bytes(targets, keys["targets"])
    write_metadata(["1.targets.json", "targets.json"], targets_bytes)
    write_metadata(["1.packages.json", "packages.json"], signed_bytes(packages, keys["packages"]))

    # The same targets metadata with one hash changed: its signature no longer matches.
    forged = json.loads(targets_bytes)
    forged["signed"]["targets"]["hello.txt"]["hashes"]["sha256"] = "00" * 32
    (attacks_dir / "targets-tampered.json").write_bytes(
        json.dumps(forged, separators=(",", ":"), sort_keys=True).encode())

    snapshot = Snapshot(version=1, expires=valid, meta={
        "targets.json": MetaFile(version=1), "packages.json": MetaFile(version=1)})
    snapshot_bytes = signed_bytes(snapshot, keys["snapshot"])
    write_metadata(["1.snapshot.json", "snapshot.json"], snapshot_bytes)
    snapshot_meta = MetaFile(version=1, length=len(snapshot_bytes),
                             hashes={"sha256": hashlib.sha256(snapshot_bytes).hexdigest()})

    def timestamp(version, expires):
        return signed_bytes(Timestamp(version=version, expires=expires, snapshot_meta=snapshot_meta),
                            keys["timestamp"])

    write_metadata(["timestamp.json"], timestamp(2, valid))
    (attacks_dir / "timestamp-rollback.json").write_bytes(timestamp(1, valid))
    (attacks_dir / "timestamp-expired.json").write_bytes(timestamp(3, expired))

    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
