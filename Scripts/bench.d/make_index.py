#!/usr/bin/env python3
"""Writes a synthetic PEP 691 index snapshot for the benchmarks: the first N projects of a
TSV of real PyPI names (`name version month`), each with a few releases of an sdist and a
wheel, hashes and sizes made up deterministically from the names, about one file in forty
yanked. Pages are compact JSON as a mirror would write them; no distribution files are
written (the pages carry hashes and sizes). A second call with --touch NAME (or --touch-from FILE) rewrites that
project's page with one more release: the one-project incremental update. Every write makes a new file (a
rename), so a hard-linked copy of a cached index leaves the cache as it was. --yank NAME marks
the project's first unyanked file yanked (a changed page); --remove NAME drops the project
from the list and deletes its page."""
import argparse
import hashlib
import json
import os
import re


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def page(name, releases):
    files = []
    for i in range(releases):
        version = f"1.{i}.0"
        for kind, fname in (("sdist", f"{name}-{version}.tar.gz"),
                            ("wheel", f"{name.replace('-', '_')}-{version}-py3-none-any.whl")):
            digest = hashlib.sha256(f"{fname}:{kind}".encode()).hexdigest()
            size = 1000 + int(digest[:6], 16) % 5_000_000
            yanked = int(digest[6:8], 16) < 7 and (i % 2 == 0 and "broken release" or True)
            files.append({"filename": fname, "hashes": {"sha256": digest}, "size": size,
                          "url": f"../../packages/{digest[:2]}/{digest[2:4]}/{fname}",
                          "requires-python": ">=3.8", "yanked": yanked if yanked else False})
    return {"meta": {"api-version": "1.1"}, "name": name, "files": files,
            "versions": [f"1.{i}.0" for i in range(releases)]}


def write(path, obj):
    """Writes a new file and renames it over the old one: a benchmark's working copy of a
    cached index is hard links into the cache, which an in-place write would change."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tsv")
    p.add_argument("out")
    p.add_argument("--projects", type=int, default=10_000)
    p.add_argument("--releases", type=int, default=3)
    p.add_argument("--touch", help="add a release to this project's page")
    p.add_argument("--touch-from", help="add a release to each project named in this file (one a line)")
    p.add_argument("--yank", help="yank the first unyanked file of this project")
    p.add_argument("--remove", help="remove this project from the index")
    a = p.parse_args()
    if a.yank:
        path = os.path.join(a.out, "simple", normalize(a.yank), "index.json")
        with open(path) as f:
            obj = json.load(f)
        next(f for f in obj["files"] if not f["yanked"])["yanked"] = "yanked by the benchmark"
        write(path, obj)
        return
    if a.remove:
        name = normalize(a.remove)
        listing = os.path.join(a.out, "simple", "index.json")
        with open(listing) as f:
            obj = json.load(f)
        obj["projects"] = [p for p in obj["projects"] if p["name"] != name]
        write(listing, obj)
        folder = os.path.join(a.out, "simple", name)
        os.remove(os.path.join(folder, "index.json"))
        os.rmdir(folder)
        return
    if a.touch or a.touch_from:
        touched = [a.touch] if a.touch else [l.strip() for l in open(a.touch_from) if l.strip()]
        for raw in touched:
            name = normalize(raw)
            path = os.path.join(a.out, "simple", name, "index.json")
            with open(path) as f:
                releases = len(json.load(f)["versions"])
            write(path, page(name, releases + 1))
        return
    names, seen = [], set()
    with open(a.tsv) as f:
        next(f)
        for line in f:
            name = normalize(line.split("\t", 1)[0])
            if name and name not in seen:
                seen.add(name)
                names.append(name)
            if len(names) >= a.projects:
                break
    for name in names:
        write(os.path.join(a.out, "simple", name, "index.json"), page(name, a.releases))
    write(os.path.join(a.out, "simple", "index.json"),
          {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]})
    print(len(names))


if __name__ == "__main__":
    main()
