#!/usr/bin/env python3
"""Soak test: veil in front of a real nginx for an hour of steady mixed
traffic with personal data, watching its memory and descriptors.

Usage: soak.py VEIL
Environment (all optional):
  SOAK_SECONDS      how long the traffic runs (3600)
  SOAK_RATE         requests per second, steady (100)
  SOAK_CONNECTIONS  client connections (16)
  SOAK_SAMPLE       seconds between samples of veil's RSS and fds (30)
  SOAK_WARMUP       seconds of warm-up before the RSS reference
                    (min(300, SOAK_SECONDS / 3): allocator arenas and the
                    upstream pool reach their steady size)
  SOAK_DIR          where to keep the CSV, nginx's files and veil's
                    stderr (a new temporary directory)

nginx (Debian's, tools/deps.sh soak) is started on loopback with a
config written here: it serves JSON, form and text files with synthetic
PII of 1 to 16 KiB, to GET and (an error_page turns the 405 of a static
file into 200) to POST. The client here sends GETs and POSTs with PII
bodies of 1 to 16 KiB at a fixed rate over keep-alive connections, one
request in 50 with Connection: close, and checks every response byte for
byte. veil logs to its stdout, which this script reads and counts, so an
hour of records needs no disk (and the log is a pipe, as a container's
stdout is).

Every SOAK_SAMPLE seconds veil's VmRSS (and its RssAnon and RssFile
parts) and descriptor count are written
to soak.csv. At the end it prints requests, errors (non-2xx or wrong
body, socket errors, timeouts), log lines, RSS first / after warm-up /
last / max and fds first / last, and exits 1 if errors > 0, log lines !=
requests, a log line carries a canary, or RssAnon (what veil allocated;
RssFile is code pages of the binary and libraries) grew by more than 10%
after warm-up.
"""
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zlib

EMAIL = "canary.soak.7e2a@example.org"
CARD = "4111 1111 1111 1111"
SSN = "123-45-6789"
PHONE = "+1 415 555 0142"
# What must never appear in veil's log.
CANARIES = [b"canary.soak", b"4111 1111", b"4111111111111111",
            b"123-45-6789", b"555 0142"]
SIZES = [1, 2, 4, 8, 16]           # KiB


def env_int(name, default):
    v = os.environ.get(name)
    return int(v) if v else default


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, proc, timeout=10.0):
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("soak: port %d did not open" % port)


# ---- bodies with synthetic personal data ----

def pii_json(size, seed):
    rng = random.Random(seed)
    items = []
    out = ""
    while True:
        items.append({"id": rng.randrange(10 ** 6), "email": EMAIL,
                      "card": CARD, "ssn": SSN, "phone": PHONE,
                      "note": "order %d for %s" % (rng.randrange(10 ** 4),
                                                   EMAIL)})
        nxt = json.dumps({"items": items})
        if len(nxt) > size:
            break
        out = nxt
    return out.encode().ljust(size, b" ")


def pii_form(size, seed):
    rng = random.Random(seed)
    parts = []
    out = b""
    while True:
        parts.append("email=%s&card=%s&ssn=%s&phone=%s&n=%d" % (
            EMAIL.replace("@", "%40"), CARD.replace(" ", "+"), SSN,
            PHONE.replace(" ", "+").replace("+1", "%2B1", 1),
            rng.randrange(10 ** 6)))
        nxt = "&".join(parts).encode()
        if len(nxt) > size:
            break
        out = nxt
    return out + b"&pad=" + b"x" * max(0, size - len(out) - 5)


def pii_text(size, seed):
    rng = random.Random(seed)
    out = b""
    while True:
        line = ("Customer %s paid with %s (SSN %s, phone %s), ref %d.\n" % (
            EMAIL, CARD, SSN, PHONE, rng.randrange(10 ** 6))).encode()
        if len(out) + len(line) > size:
            break
        out += line
    return out.ljust(size, b".")


KINDS = [("json", "application/json", pii_json),
         ("form", "application/x-www-form-urlencoded", pii_form),
         ("txt", "text/plain", pii_text)]


# ---- nginx ----

NGINX_CONF = """
worker_processes 1;
daemon off;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    types {{
        application/json json;
        application/x-www-form-urlencoded form;
        text/plain txt;
    }}
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    client_max_body_size 1m;
    etag off;
    server_tokens off;
    server {{
        listen 127.0.0.1:{port};
        root {d}/www;
        location /pii/ {{ }}
        # POST: the static module answers 405; serve the file instead.
        location /post/ {{
            error_page 405 =200 /pii/$arg_r;
            return 405;
        }}
    }}
}}
"""


def start_nginx(d, port):
    www = os.path.join(d, "www", "pii")
    os.makedirs(www)
    files = {}
    for kind, _, make in KINDS:
        for kib in SIZES:
            name = "%s-%d.%s" % (kind, kib, "form" if kind == "form"
                                 else kind)
            body = make(kib * 1024, zlib.crc32(name.encode()))
            with open(os.path.join(www, name), "wb") as f:
                f.write(body)
            files[name] = body
    # nginx's workers may run as another user: everything readable.
    for root, dirs, names in os.walk(d):
        os.chmod(root, 0o755)
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(d=d, port=port))
    p = subprocess.Popen(["nginx", "-p", d, "-c", conf],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_port(port, p)
    return p, files


# ---- the client: a fixed rate over keep-alive connections ----

class Load:
    def __init__(self, port, files, rate, conns, seconds):
        self.port = port
        self.files = files
        self.names = sorted(files)
        self.rate = rate
        self.conns = conns
        self.seconds = seconds
        self.sent = 0
        self.ok = 0
        self.errors = {}
        self.ticket = 0
        self.max_lag = 0.0
        self.posts = {}
        for kind, ctype, make in KINDS:
            for kib in SIZES:
                self.posts[(kind, kib)] = (ctype, make(kib * 1024,
                                                       kib * 7 + 1))

    def error(self, what):
        self.errors[what] = self.errors.get(what, 0) + 1

    def request(self, k):
        """Request k: GET or POST (alternating in a seeded mix), one in 50
        with Connection: close. Returns (bytes, expected body, close)."""
        rng = random.Random(k)
        name = rng.choice(self.names)
        close = k % 50 == 49
        head = "Host: api.soak.test\r\nX-Request-Id: soak-%d\r\n" % k
        if close:
            head += "Connection: close\r\n"
        if rng.random() < 0.5:
            req = "GET /pii/%s HTTP/1.1\r\n%s\r\n" % (name, head)
            return req.encode(), self.files[name], close
        kind = rng.choice([x[0] for x in KINDS])
        ctype, body = self.posts[(kind, rng.choice(SIZES))]
        req = ("POST /post/?r=%s HTTP/1.1\r\n%sContent-Type: %s\r\n"
               "Content-Length: %d\r\n\r\n" % (name, head, ctype, len(body)))
        return req.encode() + body, self.files[name], close

    async def worker(self, t0):
        reader = writer = None
        while True:
            k = self.ticket
            self.ticket += 1
            due = t0 + k / self.rate
            if due - t0 >= self.seconds:
                break
            now = time.time()
            if due > now:
                await asyncio.sleep(due - now)
            else:
                self.max_lag = max(self.max_lag, now - due)
            data, want, close = self.request(k)
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(
                        "127.0.0.1", self.port)
                self.sent += 1
                writer.write(data)
                head = await asyncio.wait_for(
                    reader.readuntil(b"\r\n\r\n"), 30)
                status = head.split(b" ", 2)[1]
                low = head.lower()
                n = int(low.split(b"content-length: ")[1].split(b"\r\n")[0])
                body = await asyncio.wait_for(reader.readexactly(n), 30)
                if not status.startswith(b"2"):
                    self.error("status " + status.decode())
                elif body != want:
                    self.error("wrong body")
                else:
                    self.ok += 1
                if close or b"connection: close" in low:
                    writer.close()
                    reader = writer = None
            except (OSError, asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError, asyncio.TimeoutError,
                    IndexError, ValueError) as e:
                self.error("socket: " + type(e).__name__)
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    async def run(self):
        t0 = time.time()
        await asyncio.gather(*(self.worker(t0) for _ in range(self.conns)))


# ---- veil ----

def proc_status(pid):
    """(VmRSS, RssAnon, RssFile) in KiB. RssFile is the pages of the
    binary and the shared libraries read from their files: it grows as
    code paths run for the first time (an error path, zlib, a rarely
    used detector) and is shared and evictable; what veil allocates is
    RssAnon, which is what must stay flat."""
    want = {"VmRSS:": 0, "RssAnon:": 0, "RssFile:": 0}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k = line.split(":", 1)[0] + ":"
            if k in want:
                want[k] = int(line.split()[1])
    return want["VmRSS:"], want["RssAnon:"], want["RssFile:"]


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class LogCounter(threading.Thread):
    """Reads veil's stdout (the access log): counts lines, checks they
    are JSON, and looks for the canaries."""

    def __init__(self, stream, bad_path):
        threading.Thread.__init__(self, daemon=True)
        self.stream = stream
        self.bad_path = bad_path
        self.lines = 0
        self.bad = 0
        self.leaks = 0
        self.statuses = {}

    def run(self):
        for line in self.stream:
            self.lines += 1
            low = line.lower()
            if any(c in low for c in CANARIES):
                self.leaks += 1
            try:
                rec = json.loads(line)
                st = rec.get("http.response.status_code")
                self.statuses[st] = self.statuses.get(st, 0) + 1
            except ValueError:
                # Kept for a look (redacted records: no raw canary).
                self.bad += 1
                if self.bad <= 20:
                    with open(self.bad_path, "ab") as f:
                        f.write(b"line %d, %d bytes: " % (self.lines,
                                                         len(line)) +
                                line[:300] + b" ... " + line[-300:])


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    veil_bin = sys.argv[1]
    seconds = env_int("SOAK_SECONDS", 3600)
    rate = env_int("SOAK_RATE", 100)
    conns = env_int("SOAK_CONNECTIONS", 16)
    every = env_int("SOAK_SAMPLE", 30)
    warmup = env_int("SOAK_WARMUP", min(300, seconds // 3))
    d = os.environ.get("SOAK_DIR") or tempfile.mkdtemp(prefix="veil-soak-")
    os.makedirs(d, exist_ok=True)
    nginx_port, port, admin = free_port(), free_port(), free_port()
    nginx, files = start_nginx(d, nginx_port)
    err = open(os.path.join(d, "veil.stderr"), "wb")
    veil = subprocess.Popen(
        [veil_bin, "run", "--listen", "127.0.0.1:%d" % port, "--upstream",
         "http://127.0.0.1:%d" % nginx_port, "--access-log", "-",
         "--workers", "2", "--admin", "127.0.0.1:%d" % admin],
        stdout=subprocess.PIPE, stderr=err)
    counter = LogCounter(veil.stdout, os.path.join(d, "bad-log-lines.txt"))
    counter.start()
    try:
        wait_port(port, veil)
        time.sleep(0.5)      # the probe connection's end reaches veil
        csv_path = os.path.join(d, "soak.csv")
        samples = []
        load = Load(port, files, rate, conns, seconds)
        t0 = time.time()

        def sample():
            s = (round(time.time() - t0, 1),) + proc_status(veil.pid) + (
                fds(veil.pid), load.sent, sum(load.errors.values()),
                counter.lines)
            samples.append(s)
            with open(csv_path, "a") as f:
                f.write("%s,%d,%d,%d,%d,%d,%d,%d\n" % s)

        with open(csv_path, "w") as f:
            f.write("seconds,rss_kib,anon_kib,file_kib,fds,requests,errors,"
                    "log_lines\n")
        sample()
        stop = threading.Event()

        def sampler():
            while not stop.wait(every):
                sample()

        th = threading.Thread(target=sampler, daemon=True)
        th.start()
        asyncio.run(load.run())
        stop.set()
        th.join()
        # The load is over: connections closed, records flushed.
        end = time.time() + 15
        while counter.lines < load.sent and time.time() < end:
            time.sleep(0.1)
        time.sleep(1.0)
        sample()
        veil.send_signal(signal.SIGTERM)
        rc = veil.wait(timeout=60)
        counter.join(timeout=10)
    finally:
        if veil.poll() is None:
            veil.kill()
            veil.wait()
        nginx.terminate()
        nginx.wait()
        err.close()

    rss = [s[1] for s in samples]
    anon = [s[2] for s in samples]
    after = [s for s in samples if s[0] >= warmup] or samples[-1:]
    rss_warm, anon_warm = after[0][1], after[0][2]
    growth = (anon[-1] - anon_warm) / float(anon_warm)
    errors = sum(load.errors.values())
    print("soak: %d s at %d req/s over %d connections; files in %s"
          % (seconds, rate, conns, d))
    print("requests      %d (%d ok), most behind schedule %.3f s"
          % (load.sent, load.ok, load.max_lag))
    print("errors        %d %s" % (errors, json.dumps(load.errors)))
    print("log lines     %d (not JSON: %d, with a canary: %d; statuses "
          "%s)" % (counter.lines, counter.bad, counter.leaks,
                   json.dumps(counter.statuses)))
    if counter.bad:
        print("              lines that are not JSON: %s"
              % os.path.join(d, "bad-log-lines.txt"))
    print("RSS KiB       first %d, after warm-up (%d s) %d, last %d, max %d"
          % (rss[0], after[0][0], rss_warm, rss[-1], max(rss)))
    print("  anon KiB    first %d, after warm-up %d, last %d, max %d (growth "
          "after warm-up %+.1f%%)" % (anon[0], anon_warm, anon[-1],
                                       max(anon), 100 * growth))
    print("  file KiB    first %d, last %d (code pages read in)"
          % (samples[0][3], samples[-1][3]))
    print("fds           first %d, last %d" % (samples[0][4],
                                               samples[-1][4]))
    print("veil exit     %s" % rc)
    failed = []
    if errors:
        failed.append("errors")
    if counter.lines != load.sent:
        failed.append("log lines != requests")
    if counter.bad or counter.leaks:
        failed.append("bad log lines")
    if growth > 0.10:
        failed.append("anonymous RSS grew more than 10% after warm-up")
    if rc != 0:
        failed.append("veil's exit status")
    if failed:
        print("soak: FAILED: " + ", ".join(failed))
        sys.exit(1)
    print("soak: passed")


if __name__ == "__main__":
    main()
