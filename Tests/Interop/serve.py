#!/usr/bin/env python3
"""A loopback HTTP server for the end-to-end tests, serving a folder and, on purpose,
tampering with what it serves: the malicious mirror of the threat model.

Usage: serve.py ROOT [--forge-yank URLPATH FILENAME VALUE] [--replace URLPATH FILE]
                     [--endless URLPATH] [--slow URLPATH] [--hold URLPATH FILE] [--status URLPATH CODE]
                     [--redirect URLPATH LOCATION] [--only-user-agent TEXT] [--index-pages]
                     [--keep-alive] [--tls CERTFILE] [--log FILE]

- binds 127.0.0.1 on a free port and prints "PORT <n>" as its first line of stdout;
- serves ROOT as a static mirror (no directory listings, no paths outside ROOT);
- --forge-yank: serves the PEP 691 page at URLPATH with the file FILENAME's "yanked" set to
  VALUE (JSON: true, false or "a reason"), written back in the page's own layout;
- --replace: serves FILE's bytes at URLPATH (replaying an old page or metadata file);
- --endless: serves an endless stream of bytes at URLPATH;
- --slow: serves URLPATH one byte every two seconds (a slow-retrieval attack), for at most
  a minute;
- --hold: serves URLPATH's bytes only once FILE exists (an upstream stalled until the test
  releases it), waiting at most two minutes;
- --status: answers URLPATH with the HTTP status CODE;
- --redirect: answers URLPATH with "302 Found" and the Location header LOCATION (another
  path here, or a URL of another server: a redirect the client must not follow);
- --only-user-agent: tampers only with requests whose User-Agent contains TEXT (a server
  that targets one user); everyone else gets the honest bytes;
- --index-pages: a URL path ending in "/" is served the folder's index.json as a PEP 691
  page (application/vnd.pypi.simple.v1+json), so an installer can use the mirror's
  targets/simple/ as its index directly; the tampering options then name PATH/index.json;
- --keep-alive: speaks HTTP/1.1 with persistent connections, as real mirrors do (the
  default is HTTP/1.0, one connection per request); endless and slow bodies still close;
- --tls: speaks HTTPS with a fresh self-signed certificate for 127.0.0.1 (key made at
  start, never written to disk outside a private temporary folder), whose PEM it writes to
  CERTFILE before printing its port, for a client to trust or to refuse;
- --log: appends one tab-separated line per event to FILE, flushed as it happens, so a test
  can see what the server did: "connected - PORT" when a TCP connection is accepted (PORT:
  the client's), "accepted PATH AGENT" when a request arrives, "tampered PATH
  AGENT" when it is served something other than ROOT's file, "sent PATH N" after each write
  of a slow body (N body bytes so far), "done PATH N" when the response ends (N body bytes
  the socket took, fewer than asked when the client hung up);
- exits when its standard input closes, so a test that dies never leaves it running.
"""

import argparse
import http.server
import json
import os
import sys
import threading
import time
import urllib.parse


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("root")
    p.add_argument("--forge-yank", nargs=3, action="append", default=[], metavar=("URLPATH", "FILENAME", "VALUE"))
    p.add_argument("--replace", nargs=2, action="append", default=[], metavar=("URLPATH", "FILE"))
    p.add_argument("--endless", action="append", default=[], metavar="URLPATH")
    p.add_argument("--slow", action="append", default=[], metavar="URLPATH")
    p.add_argument("--hold", nargs=2, action="append", default=[], metavar=("URLPATH", "FILE"))
    p.add_argument("--status", nargs=2, action="append", default=[], metavar=("URLPATH", "CODE"))
    p.add_argument("--redirect", nargs=2, action="append", default=[], metavar=("URLPATH", "LOCATION"))
    p.add_argument("--keep-alive", action="store_true")
    p.add_argument("--tls", default=None, metavar="CERTFILE")
    p.add_argument("--only-user-agent", default=None)
    p.add_argument("--index-pages", action="store_true")
    p.add_argument("--log", default=None, metavar="FILE")
    return p.parse_args()


ARGS = parse_args()
ROOT = os.path.realpath(ARGS.root)
FORGED = {}
for urlpath, filename, value in ARGS.forge_yank:
    FORGED.setdefault(urlpath, []).append((filename, json.loads(value)))
REPLACED = {urlpath: path for urlpath, path in ARGS.replace}
STATUS = {urlpath: int(code) for urlpath, code in ARGS.status}
REDIRECT = dict(ARGS.redirect)
HELD = {urlpath: path for urlpath, path in ARGS.hold}
LOG_LOCK = threading.Lock()


def log(*fields):
    """One line of --log: the fields, tab-separated."""
    if ARGS.log is None:
        return
    with LOG_LOCK, open(ARGS.log, "a", encoding="utf-8") as f:
        f.write("\t".join(str(x) for x in fields) + "\n")


def forge(raw, changes):
    """The page with the named files' yank state changed, in the page's own JSON layout."""
    page = json.loads(raw)
    for entry in page.get("files", []):
        for filename, value in changes:
            if entry.get("filename") == filename:
                entry["yanked"] = value
    compact = b"\n" not in raw.strip()
    if compact:
        return json.dumps(page, separators=(",", ":")).encode()
    return json.dumps(page, indent=2).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1" if ARGS.keep_alive else "HTTP/1.0"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        log("connected", "-", self.client_address[1])

    def end_without_length(self):
        """Headers of a body that ends when the connection does."""
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()

    def send_bytes(self, data, code=200, content_type=None):
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.write_body(data)

    def write_body(self, data):
        """Writes body bytes, counting what the socket took (for --log)."""
        if getattr(self, "head_only", False):
            return
        self.wfile.write(data)
        self.body_sent += len(data)

    def do_HEAD(self):
        """Headers only, as GET would send them (uv asks before it downloads a wheel)."""
        self.head_only = True
        self.do_GET()

    def do_GET(self):
        path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
        self.page = False
        if ARGS.index_pages and path.endswith("/"):
            path += "index.json"
            self.page = True
        self.body_sent = 0
        try:
            self.respond(path)
        finally:
            log("done", path, self.body_sent)

    def respond(self, path):
        agent = self.headers.get("User-Agent", "")
        log("accepted", path, agent)
        tamper = ARGS.only_user_agent is None or ARGS.only_user_agent in agent
        if tamper and any(path in table for table in (STATUS, REDIRECT, ARGS.endless, ARGS.slow, REPLACED, FORGED)):
            log("tampered", path, agent)
        if tamper and path in STATUS:
            return self.send_bytes(b"", STATUS[path])
        if tamper and path in REDIRECT:
            self.send_response(302)
            self.send_header("Location", REDIRECT[path])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if tamper and path in ARGS.endless:
            self.send_response(200)
            self.end_without_length()
            try:
                chunk = b"\0" * 65536
                for _ in range(100_000):  # bounded: at most about 6.5 GB, then stop
                    self.write_body(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if tamper and path in ARGS.slow:
            self.send_response(200)
            # A complete, honest-looking 30-byte body, just slow: a client without a timeout
            # would accept it after a minute.
            self.send_header("Content-Length", "30")
            self.end_without_length()
            try:
                for _ in range(30):
                    self.write_body(b"x")
                    self.wfile.flush()
                    log("sent", path, self.body_sent)
                    time.sleep(2)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if tamper and path in HELD:
            deadline = time.time() + 120
            while not os.path.exists(HELD[path]) and time.time() < deadline:
                time.sleep(0.05)
            log("released", path, agent)
        if tamper and path in REPLACED:
            with open(REPLACED[path], "rb") as f:
                return self.send_bytes(f.read(), content_type="application/vnd.pypi.simple.v1+json" if self.page else None)
        full = os.path.realpath(os.path.join(ROOT, path.lstrip("/")))
        if not full.startswith(ROOT + os.sep) or not os.path.isfile(full):
            return self.send_bytes(b"not found", 404)
        with open(full, "rb") as f:
            data = f.read()
        if tamper and path in FORGED:
            data = forge(data, FORGED[path])
        self.send_bytes(data, content_type="application/vnd.pypi.simple.v1+json" if self.page else None)


def tls_context(cert_out):
    """A server context with a new self-signed certificate for 127.0.0.1, written to cert_out."""
    import datetime
    import ipaddress
    import ssl
    import tempfile
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    with open(cert_out, "wb") as f:
        f.write(pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with tempfile.TemporaryDirectory() as private:  # load_cert_chain reads files only
        path = os.path.join(private, "server.pem")
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()) + pem)
        context.load_cert_chain(path)
    return context


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if ARGS.tls:
        # The handshake runs in the request's thread; one a client refuses is not an error here.
        server.socket = tls_context(ARGS.tls).wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        server.handle_error = lambda request, address: None
    print(f"PORT {server.server_address[1]}", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the parent closes our stdin or dies
    server.shutdown()


if __name__ == "__main__":
    main()
