#!/usr/bin/env python3
"""bench/proxy_instr.py: instructions per request of `veil run`, counted
by callgrind, for two or more veil binaries in one run. Run by hand, not
in CI:

    bench/proxy_instr.py [--seconds N] [--pii dense|sparse] [--host NAME] NAME=VEIL ...

Why: requests/s and CPU time per request (bench/proxy.sh) move by 20% from
run to run on a shared 2-core machine, which hides a change of 10%. The
instructions veil executes per request do not depend on what else runs,
so two builds (before and after a change) compare within a percent.
They leave out what the kernel does for veil (the syscalls' own cost),
so they complement bench/proxy.sh's figures, never replace them.

Each binary runs under valgrind --tool=callgrind with collection off
while it starts and warms up (500 requests), then on for N seconds of
wrk (one thread, 8 connections); the instructions of all of veil's
threads are divided by the requests wrk completed. The upstream is nginx
answering a 1 KiB JSON document with PII, as in bench/proxy.sh.

KEEP=1 keeps the callgrind files (cg.NAME.SCENARIO in the temporary
directory printed at the end) for callgrind_annotate.

Scenarios (veil's default observe mode unless said): GET 1k, POST 1k,
POST 16k (JSON bodies with PII), and POST 1k with --inspect off (the
proxy core alone). Prints instructions per request per binary and the
ratio of each binary to the first.
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("bench: nothing listens on port %d" % port)


def doc(size, sparse):
    items, i = [], 0
    while True:
        if sparse and i > 0:
            items.append({"id": 100000 + i, "sku": "SKU-%06d" % (i * 7919 % 1000000),
                          "price": "%d.%02d" % (i % 90 + 9, i % 100),
                          "created_at": "2026-12-05T10:%02d:%02dZ" % (i % 60, i * 7 % 60),
                          "status": "shipped", "note": "order shipped to the usual address"})
        elif sparse:
            items.append({"id": 100000, "email": "jane.doe@example.com",
                          "phone": "+1 415 555 0100", "note": "call before delivery"})
        else:
            items.append({"id": i, "name": "Jane Doe", "email": "jane.doe%d@example.com" % i,
                          "card": "4111111111111111", "phone": "+1 415 555 0%03d" % (i % 1000),
                          "note": "order shipped to the usual address"})
        s = json.dumps({"items": items})
        if len(s) >= size:
            items.pop()
            s = json.dumps({"items": items, "pad": ""})
            return json.dumps({"items": items, "pad": "x" * (size - len(s))})
        i += 1


def write_payloads(t, sparse):
    for n, size in (("1k", 1024), ("16k", 16384)):
        path = os.path.join(t, "body%s.json" % n)
        with open(path, "w") as f:
            f.write(doc(size, sparse))
        with open(os.path.join(t, "post%s.lua" % n), "w") as f:
            f.write('local f = io.open("%s", "rb")\n' % path)
            f.write('wrk.method = "POST"\nwrk.body = f:read("*a")\nf:close()\n')
            f.write('wrk.headers["Content-Type"] = "application/json"\n')
    resp = doc(1024, sparse).replace("\\", "\\\\").replace('"', '\\"')
    return resp


def start_upstream(t, resp):
    port = free_port()
    d = os.path.join(t, "up")
    os.makedirs(d)
    with open(os.path.join(d, "nginx.conf"), "w") as f:
        f.write("""worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(d)s; proxy_temp_path %(d)s; fastcgi_temp_path %(d)s;
    uwsgi_temp_path %(d)s; scgi_temp_path %(d)s;
    client_max_body_size 1m; client_body_buffer_size 64k;
    keepalive_requests 1000000;
    server {
        listen 127.0.0.1:%(port)d;
        location / { default_type application/json; return 200 "%(resp)s"; }
    }
}
""" % {"d": d, "port": port, "resp": resp})
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    p = subprocess.Popen([nginx, "-p", d, "-c", os.path.join(d, "nginx.conf")],
                         stderr=subprocess.DEVNULL)
    wait_port(port)
    return p, port


HOST = None  # --host: the Host header wrk sends (else the address it connects to)


def wrk(port, path, script, seconds, conns=8):
    cmd = ["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds]
    if HOST:
        cmd += ["-H", "Host: " + HOST]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + ["http://127.0.0.1:%d%s" % (port, path)],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if bad:
        raise SystemExit("bench: %s non-2xx responses" % bad.group(1))
    return int(m.group(1))


def measure(veil, up_port, t, name, scen, seconds):
    label, path, script, extra = scen
    port = free_port()
    out = os.path.join(t, "cg.%s.%s" % (name, label.replace(" ", "_")))
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
           "--callgrind-out-file=" + out, veil, "run",
           "--listen", "127.0.0.1:%d" % port,
           "--upstream", "http://127.0.0.1:%d" % up_port, "--workers", "1",
           "--access-log", os.path.join(t, "log.%s" % name)] + extra
    p = subprocess.Popen(cmd, stderr=subprocess.DEVNULL)
    try:
        wait_port(port)
        wrk(port, path, script, 2)                  # warm-up
        subprocess.run(["callgrind_control", "-i", "on", str(p.pid)],
                       capture_output=True, check=True)
        n = wrk(port, path, script, seconds)
        subprocess.run(["callgrind_control", "-i", "off", str(p.pid)],
                       capture_output=True, check=True)
    finally:
        p.terminate()
        p.wait()
    total = 0
    for f in os.listdir(t):
        if f.startswith(os.path.basename(out)):
            with open(os.path.join(t, f)) as fh:
                for line in fh:
                    if line.startswith("totals:"):
                        total += int(line.split()[1])
                        break
    return total / max(n, 1), n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--pii", choices=("dense", "sparse"), default="dense")
    ap.add_argument("--only", help="run the scenarios whose name contains this")
    ap.add_argument("--host", help="Host header to send, a name as in production (wrk "
                    "otherwise sends 127.0.0.1:PORT, an IPv4 address the head pass finds)")
    ap.add_argument("veils", nargs="+", metavar="NAME=VEIL")
    a = ap.parse_args()
    global HOST
    HOST = a.host
    for tool in ("valgrind", "callgrind_control", "wrk"):
        if not shutil.which(tool):
            raise SystemExit("bench: %s is not installed" % tool)
    veils = [v.split("=", 1) for v in a.veils]
    t = tempfile.mkdtemp(prefix="veil-instr.")
    up = None
    try:
        resp = write_payloads(t, a.pii == "sparse")
        up, up_port = start_upstream(t, resp)
        scens = [("GET 1k", "/get", None, []),
                 ("POST 1k", "/post", os.path.join(t, "post1k.lua"), []),
                 ("POST 16k", "/post", os.path.join(t, "post16k.lua"), []),
                 ("POST 1k inspect off", "/post", os.path.join(t, "post1k.lua"),
                  ["--inspect", "off"])]
        print("callgrind instructions per request, PII=%s, %d s of wrk -c8 each%s"
              % (a.pii, a.seconds, ", Host: " + HOST if HOST else ""))
        for scen in scens:
            if a.only and a.only not in scen[0]:
                continue
            base = None
            for name, veil in veils:
                ipr, n = measure(veil, up_port, t, name, scen, a.seconds)
                base = base or ipr
                print("%-22s %-8s %10.0f instr/req  (%6d requests)  %.3fx"
                      % (scen[0], name, ipr, n, ipr / base), flush=True)
    finally:
        if up:
            up.terminate()
            up.wait()
        if os.environ.get("KEEP"):
            print("kept: %s" % t)
        else:
            shutil.rmtree(t, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
