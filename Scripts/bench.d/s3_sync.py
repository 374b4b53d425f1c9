#!/usr/bin/env python3
"""Copies a finished repository folder into a bucket the way `aws s3 sync` does: list what the
bucket holds under the prefix, then PUT every file of metadata/ and targets/ it lacks (or
holds at another size), 16 at a time with botocore's connection pool. The baseline of
`Scripts/bench s3`: publishing after the fact, in no particular order (which is what TUF's
order forbids: a client may see timestamp.json before the files it names).

Usage: s3_sync.py ENDPOINT BUCKET PREFIX FOLDER   (credentials from AWS_* variables)
Prints the number of objects put.
"""

import os
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def main():
    endpoint, bucket, prefix, folder = sys.argv[1:5]
    s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(max_pool_connections=16))
    held = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/"):
        for o in page.get("Contents", []):
            held[o["Key"]] = o["Size"]
    todo = []
    for top in ("metadata", "targets"):
        for root, _, files in os.walk(os.path.join(folder, top)):
            for name in files:
                if name.startswith("."):
                    continue
                path = os.path.join(root, name)
                key = prefix + "/" + os.path.relpath(path, folder)
                if held.get(key) != os.path.getsize(path):
                    todo.append((key, path))

    def put(item):
        key, path = item
        with open(path, "rb") as f:
            s3.put_object(Bucket=bucket, Key=key, Body=f.read())

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(put, todo))
    print(len(todo))


if __name__ == "__main__":
    main()
