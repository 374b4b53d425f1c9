#!/usr/bin/env python3
"""Which bins a tuf-repo run re-signed, so that python-tuf's side of a cron row can re-sign
the same ones (Scripts/bench).

  changed_bins.py current REPO          prints the path of REPO's current snapshot
  changed_bins.py diff BEFORE AFTER     prints each bin role whose version differs (one a line)
"""
import json
import os
import sys


def current(repo):
    with open(os.path.join(repo, "metadata", "timestamp.json")) as f:
        version = json.load(f)["signed"]["meta"]["snapshot.json"]["version"]
    return os.path.join(repo, "metadata", f"{version}.snapshot.json")


def versions(path):
    with open(path) as f:
        meta = json.load(f)["signed"]["meta"]
    return {name[:-len(".json")]: m["version"] for name, m in meta.items() if name.startswith("bin-")}


if __name__ == "__main__":
    if sys.argv[1] == "current":
        print(current(sys.argv[2]))
    else:
        before, after = versions(sys.argv[2]), versions(sys.argv[3])
        for role in sorted(after):
            if before.get(role) != after[role]:
                print(role)
