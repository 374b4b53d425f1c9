"""Signs requests with botocore's own SigV4 signers, for the Swift signer to compare against.

Takes one JSON document as its argument:
  {"region", "service", "access", "secret", "token" (or null), "time" (seconds since the epoch),
   "requests": [{"method", "url", "headers": [[name, value], ...], "body": text}]}
and prints a JSON list, one object per request: {"authorization", "x-amz-date",
"x-amz-content-sha256" (S3 only)}. The clock botocore reads is pinned to "time".
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main() -> None:
    spec = json.loads(sys.argv[1])
    pinned = datetime.datetime.fromtimestamp(spec["time"], datetime.timezone.utc).replace(tzinfo=None)
    botocore.auth.get_current_datetime = lambda *args, **kwargs: pinned
    credentials = Credentials(spec["access"], spec["secret"], spec.get("token"))
    signer_type = botocore.auth.S3SigV4Auth if spec["service"] == "s3" else botocore.auth.SigV4Auth
    out = []
    for r in spec["requests"]:
        request = AWSRequest(method=r["method"], url=r["url"], data=r["body"].encode())
        for name, value in r["headers"]:
            request.headers[name] = value
        signer_type(credentials, spec["service"], spec["region"]).add_auth(request)
        out.append({k: request.headers.get(k) for k in ("Authorization", "X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token")})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
