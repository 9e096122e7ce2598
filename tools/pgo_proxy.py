#!/usr/bin/env python3
"""tools/pgo_proxy.py VEIL: the proxy's part of a profile-guided build's
training (tools/pgo.sh). Runs the instrumented VEIL as a proxy (one worker,
its defaults: full inspection, the redacted access log with bodies) in
front of a small upstream on loopback, sends it keep-alive traffic of the
kinds bench/proxy.sh times (JSON GETs and POSTs of 1 KiB and 16 KiB, sparse
and dense personal data, form bodies, a bad request), then stops it with
SIGTERM, so that it exits and writes its profiles.

The bodies are generated here from a seed of their own, not from the
benchmarks' data.
"""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REQUESTS = int(os.environ.get("PGO_PROXY_REQUESTS", "3000"))


def record(rng, dense):
    r = {"id": rng.randrange(10**6), "sku": "SKU-%05d" % rng.randrange(10**5),
         "created_at": "2026-%02d-%02dT%02d:%02d:00Z" % (rng.randrange(1, 13), rng.randrange(1, 29),
                                                         rng.randrange(24), rng.randrange(60)),
         "title": rng.choice(["Canvas Tote", "Trail Runner", "Wool Beanie", "Rain Shell"]),
         "price": rng.randrange(100, 99999) / 100, "active": rng.random() < 0.5,
         "note": rng.choice(["ships tomorrow", "back in stock", "gift wrap requested"])}
    if dense or rng.random() < 0.1:
        r["email"] = "user%d@example.org" % rng.randrange(10**4)
        r["phone"] = "+1 415 555 %04d" % rng.randrange(10**4)
    if dense:
        r["card"] = "4111 1111 1111 1111"
    return r


def body(rng, size, dense):
    items, out = [], b""
    while len(out) < size:
        items.append(record(rng, dense))
        out = json.dumps({"items": items}).encode()
    return out


class Upstream(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # (its head and body are two writes: without this, each response
    # waited for the proxy's delayed ACK)
    disable_nagle_algorithm = True
    docs = {}

    def do_GET(self):
        data = self.docs.get(self.path, self.docs["/1k"])
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, proc):
    end = time.time() + 30
    while time.time() < end:
        if proc.poll() is not None:
            raise SystemExit("pgo_proxy: veil exited with %d" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("pgo_proxy: nothing listens on %d" % port)


def main():
    veil = sys.argv[1]
    rng = random.Random(2)
    Upstream.docs = {"/1k": body(rng, 1024, False), "/16k": body(rng, 16384, False),
                     "/dense": body(rng, 1024, True)}
    posts = [("application/json", body(rng, 1024, False)),
             ("application/json", body(rng, 16384, False)),
             ("application/json", body(rng, 1024, True)),
             ("application/x-www-form-urlencoded",
              b"name=Jane+Roe&email=jane.roe%40example.org&note=call+me&phone=%2B1+415+555+0100")]
    up = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=up.serve_forever, daemon=True).start()
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="veil-pgo-")
    log = os.path.join(tmp, "access.log")
    proc = subprocess.Popen([veil, "run", "--listen", "127.0.0.1:%d" % port,
                             "--upstream", "http://127.0.0.1:%d" % up.server_address[1],
                             "--workers", "1", "--access-log", log],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        done = 0
        for k in range(REQUESTS):
            kind = k % 8
            if kind < 4:
                path = ["/1k", "/16k", "/dense", "/1k?email=jane.roe@example.org"][kind]
                conn.request("GET", path, headers={"Host": "api.test"})
            else:
                ctype, data = posts[kind - 4]
                conn.request("POST", "/in", body=data,
                             headers={"Host": "api.test", "Content-Type": ctype})
            resp = conn.getresponse()
            resp.read()
            done += 1
        conn.close()
        # A request veil refuses (a 400 and its log record).
        with socket.create_connection(("127.0.0.1", port), 5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            s.recv(4096)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise SystemExit("pgo_proxy: veil did not stop on SIGTERM")
        up.shutdown()
    with open(log, "rb") as f:
        records = f.read().count(b"\n")
    shutil.rmtree(tmp, ignore_errors=True)
    print("pgo_proxy: %d exchanges, %d log records, veil exited %d" % (done, records, rc))
    return 0 if rc == 0 and records >= done else 1


if __name__ == "__main__":
    sys.exit(main())
