"""The admin listener (proxy/observe/admin.c) over known counters (admin_serve.c),
with raw sockets so every status line and header is checked exactly.

usage: test_admin.py ADMIN_SERVE VEIL CASE
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SERVE, VEIL, CASE = sys.argv[1], sys.argv[2], sys.argv[3]


class Failure(Exception):
    pass


def wait_read(port, peer, timeout=5.0):
    """Waits until veil's socket on <port> from local port <peer> has no
    unread bytes (/proc/net/tcp's rx_queue): what was sent is read, so the
    next send is a second segment for veil's parser, not part of one read."""
    want_l, want_r = "0100007F:%04X" % port, "0100007F:%04X" % peer
    end = time.time() + timeout
    while time.time() < end:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                p = line.split()
                if p[1] == want_l and p[2] == want_r and int(p[4].split(":")[1], 16) == 0:
                    return
        time.sleep(0.01)
    raise Failure("veil did not read the first segment in %.0f s" % timeout)


def eq(got, want, what):
    if got != want:
        raise Failure("%s:\n  got:  %r\n  want: %r" % (what, got, want))


def check(cond, what):
    if not cond:
        raise Failure(what)


# (the integration harness's, which reserves its ports across the tests
# ctest runs in parallel)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import free_port  # noqa: E402


class Admin:
    def __init__(self, *args):
        self.port = free_port()
        self.p = subprocess.Popen([SERVE, str(self.port)] + list(args),
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.first = self.p.stdout.readline().decode()

    def cmd(self, c):
        self.p.stdin.write((c + "\n").encode())
        self.p.stdin.flush()
        eq(self.p.stdout.readline(), b"ok\n", "command " + c)

    def stop(self):
        self.p.stdin.close()
        rc = self.p.wait(timeout=10)
        eq(rc, 0, "admin_serve exit status")


def exchange(port, raw, want_close=True):
    """Sends raw bytes; returns everything read until close (or 2 s)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(raw)
    s.settimeout(2)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    except socket.timeout:
        if want_close:
            raise Failure("connection not closed after: %r" % raw[:60])
    s.close()
    return data


def parse(data):
    """Splits one or more responses: [(status, headers dict, body)]."""
    out = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        status = int(lines[0].split(" ")[1])
        h = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            h[k.strip().lower()] = v.strip()
        n = int(h.get("content-length", "0"))
        out.append((lines[0], h, rest[:n]))
        data = rest[n:]
    return out


def get(port, path, extra=""):
    data = exchange(port, ("GET %s HTTP/1.1\r\nHost: a\r\n%sConnection: close"
                           "\r\n\r\n" % (path, extra)).encode())
    r = parse(data)
    eq(len(r), 1, "one response")
    return r[0]


def case_endpoints():
    a = Admin()
    eq(a.first, "listening\n", "start")
    try:
        line, h, body = get(a.port, "/live")
        eq((line, body), ("HTTP/1.1 200 OK", b"live\n"), "/live")
        eq(h["content-type"], "text/plain; charset=utf-8", "/live type")
        eq(h["cache-control"], "no-store", "cache-control")
        eq(h["connection"], "close", "connection: close echoed")

        line, _, body = get(a.port, "/ready")
        eq((line, body), ("HTTP/1.1 503 Service Unavailable",
                          b"no configuration loaded\n"), "/ready before config")
        a.cmd("loaded")
        line, _, body = get(a.port, "/ready")
        eq((line, body), ("HTTP/1.1 200 OK", b"ready\n"), "/ready loaded")
        a.cmd("drain")
        line, _, body = get(a.port, "/ready")
        eq((line, body), ("HTTP/1.1 503 Service Unavailable", b"draining\n"),
           "/ready draining")
        line, _, body = get(a.port, "/live")
        eq(line, "HTTP/1.1 200 OK", "/live while draining")
        a.cmd("undrain")

        line, h, body = get(a.port, "/stats")
        eq(line, "HTTP/1.1 200 OK", "/stats")
        eq(h["content-type"], "application/json", "/stats type")
        doc = json.loads(body)
        eq(doc["totals"], {"requests": 1, "findings": 2, "inspected_bytes": 0,
                           "not_inspected": 0, "rejected": 1, "blocked": 0,
                           "upstream_errors": 0}, "/stats totals")
        eq(doc["findings"], [{"route": "api", "direction": "request",
                              "location": "body", "detector": "email",
                              "category": "contact", "action": "observe",
                              "count": 2}], "/stats findings")
        eq(doc["config"], {"id": "test-config-1", "loaded_at": 1795000000.0},
           "/stats config")
        a.cmd("finding")
        doc = json.loads(get(a.port, "/stats?pretty=0")[2])
        eq(doc["findings"][0]["count"], 3, "a new finding is visible at once")

        line, h, body = get(a.port, "/metrics")
        eq(h["content-type"], "text/plain; version=0.0.4; charset=utf-8",
           "/metrics type")
        lines = body.decode().splitlines()
        for want in ['veil_findings_total{route="api",direction="request",'
                     'location="body",detector="email",category="contact",'
                     'action="observe"} 3',
                     'veil_requests_total{route="api",method="GET",code="2xx"} 1',
                     'veil_requests_rejected_total{reason="cl_te_conflict"} 1',
                     'veil_request_duration_seconds_bucket{route="api",le="0.0025"} 1',
                     'veil_request_duration_seconds_bucket{route="api",le="0.001"} 0',
                     'veil_upstream_duration_seconds_sum{route="api"} 0.001500000',
                     'veil_added_latency_seconds_count{route="api"} 1',
                     'veil_config_info{id="test-config-1"} 1']:
            check(want in lines, "/metrics line missing: " + want)
        if shutil.which("promtool"):
            r = subprocess.run(["promtool", "check", "metrics"], input=body,
                               capture_output=True)
            eq((r.returncode, r.stdout + r.stderr), (0, b""),
               "promtool check metrics on /metrics")

        line, h, body = get(a.port, "/config")
        eq(body, b'{"listen":"127.0.0.1:8000","hash_key":"(set)"}\n', "/config")

        line, h, body = get(a.port, "/report")
        eq(line, "HTTP/1.1 200 OK", "/report")
        eq(h["content-type"], "text/html; charset=utf-8", "/report type")
        eq(h["content-security-policy"],
           "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
           "/report CSP")
        check(body.startswith(b"<!DOCTYPE html>"), "/report is HTML")
        check(b'id="chart-by_category"' in body, "/report has charts")

        line, _, body = get(a.port, "/nope")
        eq((line, body), ("HTTP/1.1 404 Not Found", b"not found\n"), "404")
        a.cmd("unloaded")
        line, _, _ = get(a.port, "/ready")
        eq(line, "HTTP/1.1 503 Service Unavailable", "/ready unloaded again")
    finally:
        a.stop()


def case_strict_http():
    a = Admin()
    try:
        r = parse(exchange(a.port, b"POST /stats HTTP/1.1\r\nHost: a\r\n"
                                   b"Content-Length: 0\r\n\r\n"))
        eq(r[0][0], "HTTP/1.1 405 Method Not Allowed", "POST")
        eq(r[0][1]["allow"], "GET, HEAD", "Allow")
        r = parse(exchange(a.port, b"get /live HTTP/1.1\r\nHost: a\r\n\r\n"))
        eq(r[0][0], "HTTP/1.1 405 Method Not Allowed", "lower-case method")
        # HEAD: the GET's headers, no body.
        raw = exchange(a.port, b"HEAD /live HTTP/1.1\r\nHost: a\r\n"
                               b"Connection: close\r\n\r\n")
        check(raw.startswith(b"HTTP/1.1 200 OK\r\n"), "HEAD status")
        check(b"Content-Length: 5\r\n" in raw and raw.endswith(b"\r\n\r\n"),
              "HEAD: length of the GET body, no body: %r" % raw)
        # The data path's validator: smuggling shapes are refused, closed.
        for bad, status in [
                (b"GET /live HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                (b"GET /live HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n", 400),
                (b"GET /live HTTP/1.1\nHost: a\r\n\r\n", 400),
                (b"GET /live HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
                 400),
                (b"GET http://x/live HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                (b"GET /live HTTP/1.1\r\nHost: a\r\nX: " + b"a" * 9000 +
                 b"\r\n\r\n", 431)]:
            r = parse(exchange(a.port, bad))
            eq(int(r[0][0].split()[1]), status, "status for %r" % bad[:50])
            eq(r[0][1].get("connection"), "close", "closed after %r" % bad[:50])
        # Keep-alive with two pipelined requests: both answered, in order.
        raw = exchange(a.port, b"GET /live HTTP/1.1\r\nHost: a\r\n\r\n"
                               b"GET /nope HTTP/1.1\r\nHost: a\r\n\r\n",
                       want_close=False)
        r = parse(raw)
        eq([x[0] for x in r], ["HTTP/1.1 200 OK", "HTTP/1.1 404 Not Found"],
           "pipelined responses")
        check("connection" not in r[0][1], "keep-alive: no Connection: close")
        # A request cut in two segments is still answered.
        s = socket.create_connection(("127.0.0.1", a.port), timeout=5)
        s.sendall(b"GET /li")
        wait_read(a.port, s.getsockname()[1])
        s.sendall(b"ve HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            b = s.recv(4096)
            if not b:
                break
            data += b
        s.close()
        eq(parse(data)[0][2], b"live\n", "split request")
    finally:
        a.stop()


def case_token():
    tmp = tempfile.mkdtemp(prefix="veil-admin-")
    tok = os.path.join(tmp, "token")
    try:
        with open(tok, "w") as f:
            f.write("s3cret-token\n")
        os.chmod(tok, 0o644)
        a = Admin("--token-file", tok)
        eq(a.first, "error: --admin-token-file: %s: has group or others access "
                    "(mode 0644): a secret file must be 0600 or less when owned by the "
                    "user veil runs as, 0640 or less when owned by root (chmod 600)\n" % tok,
           "0644 token file")
        a.p.stdin.close()
        eq(a.p.wait(timeout=10), 1, "exit status for a 0644 token")
        os.chmod(tok, 0o600)
        a = Admin("--token-file", tok)
        eq(a.first, "listening\n", "start with token")
        try:
            line, h, body = get(a.port, "/stats")
            eq(line, "HTTP/1.1 401 Unauthorized", "no token")
            eq(h["www-authenticate"], 'Bearer realm="veil-admin"', "challenge")
            eq(body, b"a bearer token is required\n", "401 body")
            line, _, _ = get(a.port, "/metrics",
                             "Authorization: Bearer s3cret-tokeX\r\n")
            eq(line, "HTTP/1.1 401 Unauthorized", "wrong token")
            line, _, _ = get(a.port, "/metrics",
                             "Authorization: Bearer s3cret-token-more\r\n")
            eq(line, "HTTP/1.1 401 Unauthorized", "longer token")
            line, _, _ = get(a.port, "/metrics",
                             "Authorization: Bearer s3cret-token\r\n")
            eq(line, "HTTP/1.1 200 OK", "right token")
            line, _, _ = get(a.port, "/live")
            eq(line, "HTTP/1.1 200 OK", "/live needs no token")
            line, _, _ = get(a.port, "/ready")
            eq(line, "HTTP/1.1 503 Service Unavailable", "/ready needs no token")
            # veil report fetches /stats over the URL form, with the token.
            out = os.path.join(tmp, "r.json")
            r = subprocess.run([VEIL, "report", "--from",
                                "http://127.0.0.1:%d" % a.port, "--format",
                                "json", "-o", out, "--token-file", tok],
                               capture_output=True)
            eq((r.returncode, r.stderr), (0, b""), "veil report --from URL")
            with open(out) as f:
                j = json.load(f)
            eq(j["by_detector"], {"email": 2}, "report over HTTP")
            eq(j["config"]["id"], "test-config-1", "report config id")
            r = subprocess.run([VEIL, "report", "--from",
                                "http://127.0.0.1:%d" % a.port],
                               capture_output=True)
            eq((r.returncode, r.stderr),
               (1, b"veil report: http://127.0.0.1:%d answered 401 (use "
                   b"--token-file)\n" % a.port), "report without token")
        finally:
            a.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def case_data_port():
    port = free_port()
    p = subprocess.run([SERVE, str(port), "--data", "0.0.0.0:%d" % port],
                       stdin=subprocess.DEVNULL, capture_output=True)
    eq((p.returncode, p.stdout.decode()),
       (1, "error: --admin: the admin listener cannot share the data port "
           "%d\n" % port), "same port as the data listener")
    # A port in use is an error, not a silent second listener.
    s = socket.socket()
    s.bind(("127.0.0.1", port))
    s.listen(1)
    p = subprocess.run([SERVE, str(port)], stdin=subprocess.DEVNULL,
                       capture_output=True)
    s.close()
    eq((p.returncode, p.stdout.decode()),
       (1, "error: --admin: cannot listen on 127.0.0.1:%d: address already "
           "in use\n" % port), "port in use")


def main():
    try:
        {"endpoints": case_endpoints, "strict_http": case_strict_http,
         "token": case_token, "data_port": case_data_port}[CASE]()
    except Failure as e:
        print("FAIL %s: %s" % (CASE, e))
        return 1
    print("ok %s" % CASE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
