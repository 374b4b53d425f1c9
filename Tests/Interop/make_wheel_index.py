#!/usr/bin/env python3
"""Writes a small PEP 691 index snapshot of real, installable pure-Python wheels, for the
installer tests (pip and uv through `tuf-verify serve`) and the demo.

Usage: make_wheel_index.py OUT [--without-newest]

OUT gets simple/index.json, simple/<project>/index.json and packages/<project>/<wheel>, in
the layout `tuf-repo generate --index` reads:
  - demo-app 1.0, 1.5 and 2.0 (2.0 requires helper-lib and Python >= 3.8);
  - helper-lib 1.0.
--without-newest leaves demo-app 2.0 (and helper-lib) out: the index as it was before the
newest upload. The wheels are deterministic (fixed times and order), so a rerun writes the
same bytes.
"""

import base64
import hashlib
import json
import os
import sys
import zipfile

FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def record_hash(data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def make_wheel(folder, project, version, requires=(), requires_python=None):
    """A py3-none-any wheel whose module reports its version; returns its file name."""
    module = project.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    metadata = [f"Metadata-Version: 2.1", f"Name: {project}", f"Version: {version}",
                f"Summary: {project} {version}, made by the swift-tuf tests"]
    if requires_python:
        metadata.append(f"Requires-Python: {requires_python}")
    metadata += [f"Requires-Dist: {r}" for r in requires]
    files = [
        (f"{module}/__init__.py", f'__version__ = "{version}"\n'.encode()),
        (f"{dist_info}/METADATA", ("\n".join(metadata) + "\n").encode()),
        (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: swift-tuf-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
    ]
    record = "".join(f"{name},{record_hash(data)},{len(data)}\n" for name, data in files) + f"{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode()))
    name = f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(folder, name), "w", zipfile.ZIP_DEFLATED) as z:
        for path, data in files:
            info = zipfile.ZipInfo(path, FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return name


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    out = sys.argv[1]
    newest = "--without-newest" not in sys.argv[2:]
    releases = {"demo-app": [("1.0", (), None), ("1.5", (), None)]}
    if newest:
        releases["demo-app"].append(("2.0", ("helper-lib>=1.0",), ">=3.8"))
        releases["helper-lib"] = [("1.0", (), None)]
    for project, versions in releases.items():
        folder = os.path.join(out, "packages", project)
        os.makedirs(folder, exist_ok=True)
        files = []
        for version, requires, requires_python in versions:
            name = make_wheel(folder, project, version, requires, requires_python)
            with open(os.path.join(folder, name), "rb") as f:
                data = f.read()
            entry = {"filename": name, "hashes": {"sha256": hashlib.sha256(data).hexdigest()}, "size": len(data),
                     "url": f"../../packages/{project}/{name}", "yanked": False}
            if requires_python:
                entry["requires-python"] = requires_python
            files.append(entry)
        write_json(os.path.join(out, "simple", project, "index.json"),
                   {"files": files, "meta": {"api-version": "1.1"}, "name": project, "versions": [v for v, _, _ in versions]})
    write_json(os.path.join(out, "simple", "index.json"),
               {"meta": {"api-version": "1.1"}, "projects": [{"name": p} for p in sorted(releases)]})


if __name__ == "__main__":
    main()
