#!/usr/bin/env python3
"""python-tuf's client against a repository made by tuf-repo: refresh, then download and
verify each target, printing one JSON line per target with its signed custom data.

Usage: ngclient_fetch.py --metadata-url URL --targets-url URL --trusted-root FILE
                         --workdir DIR [--no-prefix] TARGET...
Exits 0 when every target verified, 1 naming the failure (class and message) otherwise.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys

from tuf.ngclient import Updater, UpdaterConfig


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--metadata-url", required=True)
    p.add_argument("--targets-url", required=True)
    p.add_argument("--trusted-root", required=True)
    p.add_argument("--workdir", required=True)
    p.add_argument("--no-prefix", action="store_true", help="prefix_targets_with_hash=False")
    p.add_argument("targets", nargs="*")
    a = p.parse_args()

    metadata_dir = os.path.join(a.workdir, "metadata")
    download_dir = os.path.join(a.workdir, "downloads")
    os.makedirs(metadata_dir, exist_ok=True)
    os.makedirs(download_dir, exist_ok=True)
    if not os.path.exists(os.path.join(metadata_dir, "root.json")):
        shutil.copyfile(a.trusted_root, os.path.join(metadata_dir, "root.json"))

    config = UpdaterConfig(prefix_targets_with_hash=not a.no_prefix)
    # The trusted root was copied into metadata_dir above; bootstrap=None reads it from there.
    updater = Updater(metadata_dir, a.metadata_url, download_dir, a.targets_url, config=config, bootstrap=None)
    try:
        updater.refresh()
        for target in a.targets:
            info = updater.get_targetinfo(target)
            if info is None:
                raise LookupError(f"{target}: not found in any targets role")
            local = os.path.join(download_dir, target.replace("/", "%2F"))
            path = updater.download_target(info, local)
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            print(json.dumps({"path": target, "length": info.length, "sha256": digest,
                              "custom": info.unrecognized_fields.get("custom")}), flush=True)
    except Exception as e:  # noqa: BLE001 - the test reads the class and message
        print(f"FAIL {type(e).__name__}: {e}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
