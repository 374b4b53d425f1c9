#!/usr/bin/env python3
"""Checks with python-tuf a repository's metadata written by swift-tuf.

Usage: check_metadata.py DIR

DIR holds metadata files as a repository serves them: root.json and/or N.root.json,
targets.json, snapshot.json, timestamp.json (each possibly also as N.<role>.json) and
<role>.json / N.<role>.json for delegated targets roles. Every *.json in DIR must be one.

For each file, with python-tuf's Metadata API:
  - it parses (Metadata.from_bytes) and its `signed` is an object without duplicate keys
    or floats, whose canonical JSON equals that of python-tuf's model of it (so no field,
    known or unknown, is lost or changed by the round trip);
  - the role its name says is the role it holds, and N.<role>.json holds version N;
  - its signatures meet the threshold of its delegator, via verify_delegate: each root by
    itself and by the previous root version, targets/snapshot/timestamp by the newest root,
    delegated roles by the targets role that names them (by name or succinct_roles);
  - timestamp and snapshot list the version (and length and hashes, when given) of the
    snapshot, targets and delegated files present.
Expiry is not checked. Prints one line per file; exits 0 when all pass, 1 otherwise (with a
line naming the failing file and the reason), 2 on a usage error.
"""

import json
import re
import sys
from pathlib import Path

from securesystemslib.formats import encode_canonical
from tuf.api.metadata import Metadata, Root, Snapshot, Targets, Timestamp

TOP_LEVEL = {"root": Root, "targets": Targets, "snapshot": Snapshot, "timestamp": Timestamp}


class Failure(Exception):
    """A check that failed; the message says which and why."""


class File:
    """One metadata file: its name, bytes, the role and version its name claims, and md."""

    def __init__(self, path):
        self.path = path
        self.name = path.name
        self.raw = path.read_bytes()
        match = re.fullmatch(r"(?:([1-9][0-9]*)\.)?(.+)\.json", self.name)
        self.name_version = int(match.group(1)) if match.group(1) else None
        self.role = match.group(2)
        self.md = None
        self.note = ""

    def load(self):
        try:
            self.md = Metadata.from_bytes(self.raw)
        except Exception as e:  # noqa: BLE001 - any parse error is reported as such
            raise Failure(f"python-tuf cannot parse it: {type(e).__name__}: {e}") from e
        check_signed_round_trip(self.raw, self.md)
        expected = TOP_LEVEL.get(self.role, Targets)
        if not isinstance(self.md.signed, expected):
            raise Failure(f"holds a {self.md.signed.type!r} role, expected {expected.type!r}")
        if self.name_version is not None and self.name_version != self.md.signed.version:
            raise Failure(f"file name says version {self.name_version}, "
                          f"signed says {self.md.signed.version}")

    @property
    def version(self):
        return self.md.signed.version


def check_signed_round_trip(raw, md):
    """The canonical JSON of `signed` as written equals that of python-tuf's model of it."""

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise Failure(f"duplicate key in an object: {sorted(keys)}")
        return dict(pairs)

    def no_float(text):
        raise Failure(f"number {text} is not an integer")

    try:
        document = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates,
                              parse_float=no_float, parse_constant=no_float)
    except (UnicodeDecodeError, ValueError) as e:
        raise Failure(f"not strict JSON: {e}") from e
    written = encode_canonical(document["signed"]).encode("utf-8")
    modelled = encode_canonical(md.signed.to_dict()).encode("utf-8")
    if written != modelled:
        raise Failure("canonical JSON of `signed` changes on a python-tuf round trip "
                      f"({len(written)} bytes written, {len(modelled)} after)")
    if modelled != md.signed_bytes:
        raise Failure("python-tuf signs different bytes than the canonical JSON of `signed`")


def verify(delegator_file, role, file):
    """delegator_file's role grants `role` a threshold that file's signatures meet."""
    delegator = delegator_file.md.signed
    try:
        delegator.verify_delegate(role, file.md.signed_bytes, file.md.signatures)
    except Exception as e:  # noqa: BLE001 - UnsignedMetadataError, ValueError for unknown role
        raise Failure(f"signatures do not meet the threshold of {role!r} set by "
                      f"{delegator_file.name}: {e}") from e
    result = delegator.get_verification_result(role, file.md.signed_bytes, file.md.signatures)
    return (f"by {len(result.signed)} key(s), threshold {result.threshold} "
            f"of {delegator_file.name}")


def current(files):
    """The file a client would use: the unversioned name if present, else the highest version."""
    unversioned = [f for f in files if f.name_version is None]
    return unversioned[0] if unversioned else max(files, key=lambda f: f.version)


def check_meta(listing_file, meta_name, meta, files_by_name):
    """A snapshot/timestamp entry agrees with the listed file, when that file is in DIR."""
    role = meta_name[: -len(".json")]
    present = files_by_name.get(role)
    if not present:
        return
    listed = [f for f in present if f.version == meta.version]
    if not listed:
        raise Failure(f"{listing_file.name} lists {meta_name} version {meta.version}, "
                      f"DIR has versions {sorted({f.version for f in present})}")
    for f in listed:
        try:
            meta.verify_length_and_hashes(f.raw)
        except Exception as e:  # noqa: BLE001 - LengthOrHashMismatchError
            raise Failure(f"{listing_file.name} entry for {meta_name} does not match "
                          f"{f.name}: {e}") from e


def check_repository(directory):
    """Checks every file; returns (lines to print, failures as (file name, reason))."""
    files, failures = [], []
    for path in sorted(directory.glob("*.json")):
        f = File(path)
        try:
            f.load()
            files.append(f)
        except Failure as e:
            failures.append((f.name, str(e)))
    if not files and not failures:
        failures.append((str(directory), "no *.json metadata files"))
    by_role = {}
    for f in files:
        by_role.setdefault(f.role, []).append(f)

    done = {}  # file name -> note

    def attempt(file, check):
        try:
            done[file.name] = check()
        except Failure as e:
            failures.append((file.name, str(e)))
            done[file.name] = None

    # Root: each version by itself, and by the previous version (5.3.4 of the spec).
    roots = sorted(by_role.get("root", []), key=lambda f: (f.version, f.name_version is None))
    if not roots:
        failures.append(("root.json", "no root metadata in DIR"))
    by_version = {}
    for f in roots:
        def check_root(f=f):
            notes = [verify(f, "root", f)]
            previous = by_version.get(f.version - 1)
            if previous is not None:
                notes.append(verify(previous, "root", f))
            elif f.version > 1 and f.name_version is not None:
                raise Failure(f"root version {f.version - 1} is missing, "
                              "so the rotation cannot be checked")
            return "root v%d, signed %s" % (f.version, " and ".join(notes))
        attempt(f, check_root)
        by_version.setdefault(f.version, f)
    trusted = max(roots, key=lambda f: f.version) if roots else None

    # Top-level roles, by the newest root.
    for role in ("timestamp", "snapshot", "targets"):
        for f in by_role.get(role, []):
            if trusted is not None:
                attempt(f, lambda f=f, role=role:
                        f"{role} v{f.version}, signed {verify(trusted, role, f)}")

    # Delegated targets roles, walking down from the top-level targets role.
    queue = [current(by_role["targets"])] if by_role.get("targets") else []
    reached = {"root", "targets", "snapshot", "timestamp"}
    while queue:
        delegator = queue.pop(0)
        delegations = delegator.md.signed.delegations
        if delegations is None:
            continue
        if delegations.roles is not None:
            names = list(delegations.roles)
        else:
            names = [r for r in by_role if delegations.succinct_roles.is_delegated_role(r)]
        for name in names:
            if name in reached or name not in by_role:
                continue
            reached.add(name)
            for f in by_role[name]:
                attempt(f, lambda f=f, name=name, d=delegator:
                        f"delegated role {name!r} v{f.version}, signed {verify(d, name, f)}")
            queue.append(current(by_role[name]))
    for role, role_files in by_role.items():
        if role not in reached:
            for f in role_files:
                failures.append((f.name, f"no role in DIR delegates to {role!r}"))

    # Version and hash listings of timestamp and snapshot.
    listings = [(f, {"snapshot.json": f.md.signed.snapshot_meta})
                for f in by_role.get("timestamp", [])]
    listings += [(f, f.md.signed.meta) for f in by_role.get("snapshot", [])]
    for f, metas in listings:
        for meta_name, meta in metas.items():
            try:
                check_meta(f, meta_name, meta, by_role)
            except Failure as e:
                failures.append((f.name, str(e)))

    lines = [f"ok   {name}: {note}" for name, note in sorted(done.items()) if note]
    return lines, failures


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    directory = Path(sys.argv[1])
    if not directory.is_dir():
        print(f"check_metadata: {directory} is not a directory", file=sys.stderr)
        sys.exit(2)
    lines, failures = check_repository(directory)
    for line in lines:
        print(line)
    for name, reason in failures:
        print(f"FAIL {name}: {reason}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
