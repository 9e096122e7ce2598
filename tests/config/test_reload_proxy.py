#!/usr/bin/env python3
"""veil run -c under load (wrk): reloads lose no request and switch behaviour.

usage: test_reload_proxy.py VEIL

A keep-alive upstream answers every request; wrk runs against veil for
8 s while the config is (1) replaced by a rename (the file watch), (2)
broken (rejected, the running config stays), (3) fixed and SIGHUP sent.
Each config redacts the e-mail in the path differently and names its
route, so every access-log record says which config served it.
"""
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

VEIL = os.path.abspath(sys.argv[1])
WRK = shutil.which("wrk")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def wait_for(pred, timeout, what):
    end = time.time() + timeout
    while not pred():
        if time.time() > end:
            fail("%.0f s without %s" % (timeout, what))
        time.sleep(0.05)


def log_tail_has(path, needle):
    """Whether the last 64 KiB of the log hold <needle> (the log grows by
    megabytes a second under wrk: never read it whole here)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 65536))
            return needle in f.read()
    except FileNotFoundError:
        return False


def file_text(path):
    with open(path, errors="replace") as f:
        return f.read()


# (the integration harness's, which reserves its ports across the tests
# ctest runs in parallel)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import free_port  # noqa: E402


RECEIVED = []


def upstream(sock):
    """Answers each request on a keep-alive connection with 200 "ok";
    RECEIVED gets each request's bytes after the head (de-chunked by
    nothing: exactly what veil sent)."""
    def serve(c):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                head, buf = buf.split(b"\r\n\r\n", 1)
                m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
                n = int(m.group(1)) if m else 0
                if re.search(rb"(?i)\r\ntransfer-encoding:\s*chunked", head):
                    while b"0\r\n\r\n" not in buf:
                        d = c.recv(65536)
                        if not d:
                            return
                        buf += d
                    n = buf.index(b"0\r\n\r\n") + 5
                while len(buf) < n:
                    d = c.recv(65536)
                    if not d:
                        return
                    buf += d
                RECEIVED.append(buf[:n])
                buf = buf[n:]
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                          b"Content-Type: text/plain\r\n\r\nok")
        except OSError:
            pass
        finally:
            c.close()

    while True:
        try:
            c, _ = sock.accept()
        except OSError:
            return
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def config(port, uport, log, route, action):
    return ("listeners: [{address: '127.0.0.1:%d'}]\n"
            "upstreams: [{name: app, url: 'http://127.0.0.1:%d'}]\n"
            "server: {workers: 2}\n"
            "access_log: {path: '%s'}\n"
            "routes: [{name: %s, match: {path_prefix: /users/}, policy: p}]\n"
            "policies:\n  p:\n    request: {actions: {default: %s}}\n"
            % (port, uport, log, route, action))


def routes_and_consent():
    """Routes by host, path and method; Sec-GPC switches the policy."""
    import urllib.request
    d = tempfile.mkdtemp(prefix="veil-routes-")
    port, uport = free_port(), free_port()
    log = os.path.join(d, "access.log")
    cfg = os.path.join(d, "veil.yaml")
    with open(cfg, "w") as f:
        f.write("listeners: [{address: '127.0.0.1:%d'}]\n"
                "upstreams: [{name: app, url: 'http://127.0.0.1:%d'}]\n"
                "access_log: {path: '%s'}\n"
                "routes:\n"
                "  - {name: crm, match: {host: '*.crm.test', path_prefix: /v2/, methods: [POST]},"
                " policy: share, purpose: crm sync}\n"
                "  - {name: api, match: {path_regex: '^/api/'}, policy: share}\n"
                "policies:\n"
                "  share:\n    request: {actions: {default: label}}\n"
                "    consent: {on_gpc: strict}\n"
                "  strict:\n    request: {actions: {default: drop}, body_log: none}\n"
                % (port, uport, log))
    us = socket.socket()
    us.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    us.bind(("127.0.0.1", uport))
    us.listen(16)
    threading.Thread(target=upstream, args=(us,), daemon=True).start()
    veil = subprocess.Popen([VEIL, "run", "-c", cfg, "--admin", "off", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        cases = [("POST", "eu.crm.test", "/v2/u/ann@example.org", {}),
                 ("GET", "eu.crm.test", "/v2/u/ann@example.org", {}),
                 ("GET", "x", "/api/u/ann@example.org", {"Sec-GPC": "1"}),
                 ("GET", "x", "/api/u/ann@example.org", {"DNT": "1"})]
        for method, host, path, hdrs in cases:
            req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path),
                                         data=b"mail ann@example.org",
                                         method=method, headers=dict(hdrs, Host=host))
            with urllib.request.urlopen(req, timeout=5) as r:
                if r.status != 200:
                    fail("status %d" % r.status)
    finally:
        veil.send_signal(signal.SIGTERM)
        veil.wait(timeout=30)
        us.close()
    with open(log) as f:
        recs = [json.loads(l) for l in f.read().splitlines()]
    got = [(r.get("veil.route"), r.get("veil.policy"), r.get("veil.purpose"), r["url.path"],
            r.get("http.request.body.content", r.get("veil.request.body.omitted")))
           for r in recs]
    want = [("crm", "share", "crm sync", "/v2/u/[EMAIL]", "mail [EMAIL]"),
            ("default", "default", None, "/v2/u/***@*******.***", "mail ***@*******.***"),
            ("api", "strict", None, "/api/u/", "policy"),
            ("api", "share", None, "/api/u/[EMAIL]", "mail [EMAIL]")]
    if got != want:
        fail("records:\n  got  %s\n  want %s" % (got, want))
    print("routes and consent: 4 records as expected")
    shutil.rmtree(d)
    return 0


def block_mode():
    """mode: block holds the request body: a card number is refused with
    the policy's status and nothing reaches the upstream; a clean body is
    forwarded byte for byte (Content-Length and chunked); a body over the
    inspection limit is refused (fail closed)."""
    d = tempfile.mkdtemp(prefix="veil-block-")
    port, uport = free_port(), free_port()
    log = os.path.join(d, "access.log")
    cfg = os.path.join(d, "veil.yaml")
    with open(cfg, "w") as f:
        f.write("listeners: [{address: '127.0.0.1:%d'}]\n"
                "upstreams: [{name: app, url: 'http://127.0.0.1:%d'}]\n"
                "server: {inspect_limit: 4k}\n"
                "access_log: {path: '%s'}\n"
                "routes: [{name: pay, match: {path_prefix: /pay}, policy: pci},\n"
                "         {name: up, match: {path_prefix: /upload}, policy: strict}]\n"
                "policies:\n  pci:\n    request: {mode: block, block: [pci_dss],"
                " block_status: 422}\n"
                "  strict:\n    request: {mode: observe, uninspectable: block}\n"
                % (port, uport, log))
    us = socket.socket()
    us.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    us.bind(("127.0.0.1", uport))
    us.listen(16)
    threading.Thread(target=upstream, args=(us,), daemon=True).start()
    veil = subprocess.Popen([VEIL, "run", "-c", cfg, "--admin", "off", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def send(raw):
        s = socket.create_connection(("127.0.0.1", port), 5)
        s.sendall(raw)
        out = b""
        s.settimeout(5)
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                out += d
                if b"\r\n\r\n" in out and (out.endswith(b"ok") or b" 4" in out[:13]):
                    m = re.search(rb"(?i)content-length:\s*(\d+)", out)
                    if m and len(out.split(b"\r\n\r\n", 1)[1]) >= int(m.group(1)):
                        break
        except socket.timeout:
            pass
        s.close()
        return out

    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        card = b'{"card":"4111 1111 1111 1111"}'
        clean = b'{"order":"A-1","note":"fine"}'
        r1 = send(b"POST /pay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(card), card))
        r2 = send(b"POST /pay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(clean), clean))
        r3 = send(b"POST /pay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                  b"5\r\n{\"a\":\r\n3\r\n\"b\"\r\n1\r\n}\r\n0\r\n\r\n")
        big = b'{"x":"' + b"a" * 5000 + b'"}'
        r4 = send(b"POST /pay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(big), big))
        r5 = send(b"POST /other HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(card), card))
        # observe + uninspectable: block: binary refused at the head, a body
        # over the limit refused at its end; a readable one passes.
        r6 = send(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                  b"Content-Length: 4\r\n\r\n\x89PNG")
        r7 = send(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(big), big))
        r8 = send(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(card), card))
    finally:
        veil.send_signal(signal.SIGTERM)
        veil.wait(timeout=30)
        us.close()
    if not r1.startswith(b"HTTP/1.1 422 "):
        fail("card not refused: %r" % r1[:60])
    if not r2.startswith(b"HTTP/1.1 200 ") or not r3.startswith(b"HTTP/1.1 200 "):
        fail("clean bodies: %r %r" % (r2[:40], r3[:40]))
    if not r4.startswith(b"HTTP/1.1 413 "):
        fail("over the limit: %r" % r4[:60])
    if not r5.startswith(b"HTTP/1.1 200 "):
        fail("observe route: %r" % r5[:40])
    if not r6.startswith(b"HTTP/1.1 403 ") or not r7.startswith(b"HTTP/1.1 413 "):
        fail("uninspectable: %r %r" % (r6[:40], r7[:40]))
    if not r8.startswith(b"HTTP/1.1 200 "):
        fail("observe with a card: %r" % r8[:40])
    if RECEIVED != [clean, b'9\r\n{"a":"b"}\r\n0\r\n\r\n', card, card]:
        fail("upstream received %r" % RECEIVED)
    with open(log) as f:
        recs = [json.loads(l) for l in f.read().splitlines()]
    got = [(r.get("http.response.status_code"), r.get("error.type")) for r in recs]
    want = [(422, "blocked_by_policy"), (200, None), (200, None),
            (413, "blocked_uninspectable"), (200, None), (403, "blocked_uninspectable"),
            (413, "blocked_uninspectable"), (200, None)]
    if got != want:
        fail("records %s, want %s" % (got, want))
    print("block mode: refused 422 with nothing sent upstream, clean bodies forwarded exactly, "
          "over the limit 413")
    shutil.rmtree(d)
    return 0


def main():
    if len(sys.argv) > 2 and sys.argv[2] == "routes_and_consent":
        return routes_and_consent()
    if len(sys.argv) > 2 and sys.argv[2] == "block_mode":
        return block_mode()
    if WRK is None:
        print("wrk not installed: skipped")
        return 0
    d = tempfile.mkdtemp(prefix="veil-reload-")
    port, uport = free_port(), free_port()
    log = os.path.join(d, "access.log")
    cfg = os.path.join(d, "veil.yaml")
    with open(cfg, "w") as f:
        f.write(config(port, uport, log, "first", "mask"))
    us = socket.socket()
    us.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    us.bind(("127.0.0.1", uport))
    us.listen(256)
    threading.Thread(target=upstream, args=(us,), daemon=True).start()

    errf = open(os.path.join(d, "stderr"), "w+")
    veil = subprocess.Popen([VEIL, "run", "-c", cfg, "--admin", "off"],
                            stdout=subprocess.DEVNULL, stderr=errf)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            fail("veil did not start")
        # wrk runs until the last config has served (SIGINT: it stops and
        # prints its summary); each step waits for what it caused, not
        # for a fixed time.
        wrk = subprocess.Popen([WRK, "-t2", "-c16", "-d60s",
                                "http://127.0.0.1:%d/users/jane.doe@example.com/orders" % port],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_for(lambda: log_tail_has(log, b'"veil.route":"first"'), 20,
                 "records of the first config")
        # (1) an editor's save: a new file renamed over the config.
        with open(cfg + ".tmp", "w") as f:
            f.write(config(port, uport, log, "second", "label"))
        os.rename(cfg + ".tmp", cfg)
        wait_for(lambda: log_tail_has(log, b'"veil.route":"second"'), 20,
                 "records of the second config")
        # (2) a broken file: rejected, "second" keeps serving.
        with open(cfg, "w") as f:
            f.write("routes: [{name: x, polcy: p}]\n")
        wait_for(lambda: "configuration rejected" in file_text(errf.name), 20,
                 "the rejection of the broken file")
        # (3) fixed, and SIGHUP (the watch would see it too: one or two
        # reloads, both of this file).
        with open(cfg, "w") as f:
            f.write(config(port, uport, log, "third", "drop"))
        veil.send_signal(signal.SIGHUP)
        wait_for(lambda: log_tail_has(log, b'"veil.route":"third"'), 20,
                 "records of the third config")
        wrk.send_signal(signal.SIGINT)
        out, _ = wrk.communicate(timeout=30)
    finally:
        veil.send_signal(signal.SIGTERM)
        try:
            veil.wait(timeout=30)
        except subprocess.TimeoutExpired:
            veil.kill()
        us.close()
    errf.seek(0)
    err = errf.read()
    print(out)

    m = re.search(r"(\d+) requests in", out)
    if m is None:
        fail("no wrk summary:\n" + out)
    done = int(m.group(1))
    if "Non-2xx" in out or "Socket errors" in out:
        fail("wrk saw errors:\n" + out)
    if veil.returncode != 0:
        fail("veil exit %d\n%s" % (veil.returncode, err))

    states = {"first": 0, "second": 0, "third": 0}
    paths = {"first": "/users/****.***@*******.***/orders",
             "second": "/users/[EMAIL]/orders", "third": "/users//orders"}
    # The log rotates by size (100 MB by default) during the run: read the
    # rotated files too, oldest first.
    lines = []
    for path in sorted(glob.glob(log + ".*")) + [log]:
        with open(path) as f:
            lines += f.read().splitlines()
    for line in lines:
        r = json.loads(line)
        route = r.get("veil.route")
        if r.get("http.response.status_code") != 200 or route not in states:
            fail("bad record: " + line)
        # The record was redacted by the config that routed it: no
        # request mixes two configs.
        if r.get("url.path") != paths[route]:
            fail("route %s with path %s" % (route, r.get("url.path")))
        if "jane" in line:
            fail("raw e-mail in the log")
        states[route] += 1
    if not all(states.values()):
        fail("not every config served: %s" % states)
    # Every request wrk completed was logged; at most the 16 in flight
    # when wrk stopped are logged without being counted by wrk.
    if not done <= len(lines) <= done + 16:
        fail("%d records for %d requests" % (len(lines), done))
    if "veil: configuration rejected, the running one stays" not in err:
        fail("no rejection:\n" + err)
    if not re.search(r"veil: reload: error: .*veil\.yaml:1:\d+: routes\[0\]\.polcy: "
                     r"unknown key \(did you mean 'policy'\?\)", err):
        fail("rejection message:\n" + err)
    if len(re.findall("veil: configuration reloaded", err)) < 2:
        fail("reloads:\n" + err)
    print("reload under load: %d requests, records per config %s, 0 errors" % (done, states))
    shutil.rmtree(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
