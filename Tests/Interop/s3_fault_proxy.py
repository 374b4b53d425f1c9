#!/usr/bin/env python3
"""A loopback HTTP proxy between the S3 client under test and a real S3 server, that fails
chosen requests on purpose: the store's faults of the threat model, on demand.

Usage: s3_fault_proxy.py UPSTREAM_PORT [--fail N[-M]:STATUS:CODE] [--drop N[-M]]
                         [--delay N[-M]:SECONDS] [--log FILE]

- binds 127.0.0.1 on a free port and prints "PORT <n>" as its first line of stdout;
- counts the requests it receives from 1, over all connections; N-M is a range of them;
- --fail: answers request N with STATUS and an S3 error document whose Code is CODE
  (503:SlowDown, 500:InternalError, 403:AccessDenied), without forwarding it;
- --drop: reads request N's head, then resets the connection without an answer (a
  connection dropped mid-request);
- --delay: waits SECONDS before forwarding request N;
- every other request goes to 127.0.0.1:UPSTREAM_PORT unchanged (the Host header too, so
  the signature the client made for the proxy's address is what the server checks), one
  connection per request: both sides get "Connection: close";
- --log: appends "N<TAB>METHOD<TAB>PATH<TAB>ACTION" per request, flushed as it happens
  (ACTION: forwarded, failed, dropped, delayed), so a test counts the attempts;
- exits when its standard input closes, so a test that dies never leaves it running.
"""

import argparse
import os
import socket
import socketserver
import struct
import sys
import threading
import time

HEAD_LIMIT = 64 << 10


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("upstream", type=int)
    p.add_argument("--fail", action="append", default=[], metavar="N[-M]:STATUS:CODE")
    p.add_argument("--drop", action="append", default=[], metavar="N[-M]")
    p.add_argument("--delay", action="append", default=[], metavar="N[-M]:SECONDS")
    p.add_argument("--log")
    return p.parse_args()


def numbers(spec):
    first, _, last = spec.partition("-")
    return range(int(first), int(last or first) + 1)


def plan(args):
    """Request number -> (action, detail)."""
    rules = {}
    for spec in args.fail:
        n, status, code = spec.split(":", 2)
        for i in numbers(n):
            rules[i] = ("failed", (int(status), code))
    for spec in args.drop:
        for i in numbers(spec):
            rules[i] = ("dropped", None)
    for spec in args.delay:
        n, seconds = spec.split(":", 1)
        for i in numbers(n):
            rules[i] = ("delayed", float(seconds))
    return rules


def read_request(sock):
    """(head bytes, body bytes) of one request, or None when the client closed first."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > HEAD_LIMIT:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head, body


def closing(head):
    """The head with its Connection header replaced by "Connection: close"."""
    lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
    return b"\r\n".join(lines + [b"Connection: close"])


def error_answer(status, code):
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>injected by the fault proxy</Message></Error>").encode()
    head = (f"HTTP/1.1 {status} Injected\r\nContent-Type: application/xml\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    return head + body


def forward(upstream, head, body):
    with socket.create_connection(("127.0.0.1", upstream)) as up:
        up.sendall(closing(head) + b"\r\n\r\n" + body)
        answer = b""
        while True:
            chunk = up.recv(65536)
            if not chunk:
                break
            answer += chunk
    top, sep, rest = answer.partition(b"\r\n\r\n")
    return closing(top) + sep + rest if sep else answer


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        request = read_request(self.request)
        if request is None:
            return
        head, body = request
        with self.server.lock:
            self.server.count += 1
            n = self.server.count
        action, detail = self.server.rules.get(n, ("forwarded", None))
        method, path = (head.split(b"\r\n", 1)[0].decode("latin-1").split(" ") + ["", ""])[:2]
        self.server.log(f"{n}\t{method}\t{path}\t{action}")
        if action == "dropped":
            # SO_LINGER 0: close sends a reset, as a crashed peer or a load balancer does.
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if action == "failed":
            self.request.sendall(error_answer(*detail))
            return
        if action == "delayed":
            time.sleep(detail)
        self.request.sendall(forward(self.server.upstream, head, body))


class Proxy(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, args):
        super().__init__(("127.0.0.1", 0), Handler)
        self.upstream = args.upstream
        self.rules = plan(args)
        self.count = 0
        self.lock = threading.Lock()
        self.log_file = open(args.log, "a", buffering=1) if args.log else None

    def log(self, line):
        if self.log_file:
            with self.lock:
                self.log_file.write(line + "\n")
                self.log_file.flush()


def main():
    args = parse_args()
    proxy = Proxy(args)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    print(f"PORT {proxy.server_address[1]}", flush=True)
    sys.stdin.read()
    os._exit(0)


if __name__ == "__main__":
    main()
