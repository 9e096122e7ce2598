#!/usr/bin/env python3
"""max_body_size (`--max-body-size`, `server.max_body_size`): a request
body over the limit gets 413 with Connection: close and the JSON error
body, and the upstream (mini_upstream.py, which keeps every byte it
receives) gets none of it; Expect: 100-continue gets the 413 instead of
100; a chunked body is cut where it crosses the limit; a body exactly at
the limit passes byte for byte; the refusals are counted under the
reason body_too_large on /metrics and /stats; the record holds no body.

Usage: test_limits.py VEIL [test names...]
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from harness import Env, check, dechunk, eq, run, split_head
from mini_upstream import MiniUpstream

ERR_413 = (b"HTTP/1.1 413 Content Too Large\r\n"
           b"Content-Type: application/json\r\n"
           b"Content-Length: 30\r\n"
           b"Connection: close\r\n"
           b"\r\n"
           b'{"error":"content_too_large"}\n')

CANARY = b"canary.7d1e@example.org"


def start(veil, args=(), up=None):
    up = up or MiniUpstream("a")
    env = Env(veil, ["--upstream", "http://127.0.0.1:%d" % up.port] +
              list(args), upstream=False)
    return env, up


def body_of(n):
    """A JSON body of exactly <n> bytes holding the canary e-mail."""
    pre = b'{"email":"' + CANARY + b'","pad":"'
    return pre + b"x" * (n - len(pre) - 2) + b'"}'


def post_cl(path, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: a\r\n"
            b"Content-Type: application/json\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def chunked_head(path):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: a\r\n"
            b"Content-Type: application/json\r\n"
            b"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n")


def chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"


def admin(env, path):
    env.log_raw()  # records and counters of finished exchanges are in
    out = env.raw(b"GET " + path + b" HTTP/1.1\r\nHost: a\r\n"
                  b"Connection: close\r\n\r\n", port=env.admin_port)
    head, body = split_head(out)
    eq(head.split(b" ")[1], b"200", "admin " + path.decode())
    return body


def rejected_count(env):
    """veil_requests_rejected_total{reason="body_too_large"} from
    /metrics, checked against /stats."""
    want = 'veil_requests_rejected_total{reason="body_too_large"} '
    n = 0
    for ln in admin(env, b"/metrics").decode().splitlines():
        if ln.startswith(want):
            n = int(ln[len(want):])
    stats = json.loads(admin(env, b"/stats"))
    js = [r["count"] for r in find_key(stats, "rejected")
          if r["reason"] == "body_too_large"]
    eq(js, [n] if n else [], "/stats rejected body_too_large = /metrics")
    return n


def find_key(obj, key):
    if isinstance(obj, dict):
        if key in obj:
            return obj[key]
        for v in obj.values():
            r = find_key(v, key)
            if r is not None:
                return r
    return None


def wait_for(cond, what, timeout=5.0):
    end = time.time() + timeout
    while not cond():
        if time.time() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


def follow_up_first(env, up):
    """A plain GET after the refusal: it is the first thing the upstream
    ever received, so the refused request put zero bytes upstream."""
    resp = env.raw(b"GET /after HTTP/1.1\r\nHost: a\r\n"
                   b"Connection: close\r\n\r\n")
    check(resp.startswith(b"HTTP/1.1 200 OK\r\n"), "follow-up served")
    got = up.received()
    eq(len(got), 1, "upstream connections")
    check(got[0].startswith(b"GET /after HTTP/1.1\r\n"),
          "the upstream's first bytes are the follow-up's")
    eq(got[0].count(b"POST"), 0, "no POST upstream")


def upstream_body(got):
    """The chunk data in what an upstream connection received before it
    was cut; fails on a last chunk (a whole request). veil may have cut
    the connection before its head was even written: then b""."""
    if got == b"":
        return b""
    head, rest = split_head(got)
    check(head.startswith(b"POST /echo HTTP/1.1\r\n") and
          b"\r\nTransfer-Encoding: chunked\r\n" in head, "head forwarded")
    fwd = b""
    while rest:
        i = rest.index(b"\r\n")
        size = int(rest[:i], 16)
        check(size > 0, "no last chunk upstream")
        fwd += rest[i + 2:i + 2 + size]
        eq(rest[i + 2 + size:i + 4 + size], b"\r\n", "chunk CRLF")
        rest = rest[i + 4 + size:]
    return fwd


def no_body_logged(env, rec):
    raw = env.log_raw()
    check(CANARY not in raw, "the body's e-mail is not in the log")
    check(b"pad" not in raw, "no body content in the log")
    check("http.request.body.content" not in rec, "no request body logged")


def test_content_length_over_limit(veil):
    env, up = start(veil, ["--max-body-size", "1k"])
    try:
        resp = env.raw(post_cl(b"/echo", body_of(1025)))
        eq(resp, ERR_413, "response to a 1025-byte body at 1k")
        follow_up_first(env, up)
        recs = env.log(2)
        rec = [r for r in recs if r.get("error.type") == "body_too_large"]
        eq(len(rec), 1, "one body_too_large record")
        eq(rec[0]["http.response.status_code"], 413, "status logged")
        eq(rec[0]["http.response.bytes"], len(ERR_413), "bytes out")
        no_body_logged(env, rec[0])
        eq(rejected_count(env), 1, "rejected{body_too_large}")
    finally:
        env.stop()
        env.cleanup()
        up.stop()


def test_expect_continue_413(veil):
    env, up = start(veil, ["--max-body-size", "1k"])
    try:
        # The client waits for 100 Continue before sending its body.
        s = env.raw(b"POST /echo HTTP/1.1\r\nHost: a\r\n"
                    b"Expect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
                    read_until_close=False)
        out = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
        s.close()
        eq(out, ERR_413, "413 instead of 100 Continue")
        follow_up_first(env, up)
        eq(rejected_count(env), 1, "rejected{body_too_large}")
    finally:
        env.stop()
        env.cleanup()
        up.stop()


def test_chunked_crossing(veil):
    env, up = start(veil, ["--max-body-size", "1k"])
    try:
        # One chunk over the limit: nothing of the body goes upstream.
        body = body_of(2000)
        resp = env.raw(chunked_head(b"/echo") + chunk(body) + b"0\r\n\r\n")
        eq(resp, ERR_413, "one 2000-byte chunk at 1k")
        wait_for(lambda: 1 in up.closed, "upstream connection 1 cut")
        eq(upstream_body(up.received()[0]), b"", "body bytes upstream")

        # 600 + 600: bytes of the first chunk may have gone upstream, of
        # the crossing one never, nor a last chunk: the upstream never
        # sees a whole request.
        body = body_of(1200)
        resp = env.raw(chunked_head(b"/echo") + chunk(body[:600]) +
                       chunk(body[600:]) + b"0\r\n\r\n")
        eq(resp, ERR_413, "chunks crossing 1k")
        wait_for(lambda: 2 in up.closed, "upstream connection 2 cut")
        fwd = upstream_body(up.received()[1])
        check(len(fwd) <= 600 and fwd == body[:len(fwd)],
              "only bytes of the first chunk forwarded (%d)" % len(fwd))

        recs = [r for r in env.log(2) if r.get("error.type") ==
                "body_too_large"]
        eq(len(recs), 2, "body_too_large records")
        for r in recs:
            eq(r["http.response.status_code"], 413, "status logged")
            no_body_logged(env, r)
        eq(rejected_count(env), 2, "rejected{body_too_large}")
    finally:
        env.stop()
        env.cleanup()
        up.stop()


def test_chunked_after_response_head(veil):
    """The upstream answered before the body ended: when the body then
    crosses the limit, no 413 can be sent; both connections are cut."""
    env, up = start(veil, ["--max-body-size", "1k"])
    try:
        body = body_of(1200)
        s = env.raw(chunked_head(b"/early") + chunk(body[:600]),
                    read_until_close=False)
        out = b""
        while b"hello\r\n" not in out:
            d = s.recv(65536)
            check(d, "response head before the cut")
            out += d
        s.sendall(chunk(body[600:]))
        while True:
            try:
                d = s.recv(65536)
            except ConnectionResetError:
                break
            if not d:
                break
            out += d
        s.close()
        head, rest = split_head(out)
        check(head.startswith(b"HTTP/1.1 200 OK\r\n"), "the upstream's 200")
        eq(rest, b"5\r\nhello\r\n", "body cut before its last chunk")
        wait_for(lambda: 1 in up.closed, "upstream connection cut")
        r = [r for r in env.log(1) if r.get("error.type") ==
             "body_too_large"]
        eq(len(r), 1, "one body_too_large record")
        eq(r[0]["http.response.status_code"], 200, "status logged")
        no_body_logged(env, r[0])
        eq(rejected_count(env), 1, "rejected{body_too_large}")
    finally:
        env.stop()
        env.cleanup()
        up.stop()


def test_at_limit_exact_bytes(veil):
    env, up = start(veil, ["--max-body-size", "1k"])
    try:
        body = body_of(1024)
        resp = env.raw(post_cl(b"/echo", body, b"Connection: close\r\n"))
        check(resp.startswith(b"HTTP/1.1 200 OK\r\n"), "1024 bytes at 1k")
        head, rest = split_head(up.received()[0])
        check(b"\r\nContent-Length: 1024\r\n" in head, "length upstream")
        eq(rest, body, "the exact body upstream")

        resp = env.raw(chunked_head(b"/echo") + chunk(body[:512]) +
                       chunk(body[512:]) + b"0\r\n\r\n")
        check(resp.startswith(b"HTTP/1.1 200 OK\r\n"), "chunked 1024 at 1k")
        got = b"".join(up.received())
        i = got.index(b"POST /echo", len(split_head(up.received()[0])[0]))
        _, rest = split_head(got[i:])
        data, after = dechunk(rest)
        eq(data, body, "the exact chunked body upstream")
        eq(after, b"\r\n", "nothing after the last chunk")
        eq(rejected_count(env), 0, "nothing rejected")
    finally:
        env.stop()
        env.cleanup()
        up.stop()


def test_default_limit(veil):
    env, up = start(veil)
    try:
        cfg = json.loads(admin(env, b"/config"))
        eq(cfg["server"]["max_body_size"], 10 * 1024 * 1024, "/config default")
        resp = env.raw(b"POST /echo HTTP/1.1\r\nHost: a\r\n"
                       b"Content-Length: 10485761\r\n\r\n")
        eq(resp, ERR_413, "10 MiB + 1 by default")
        body = b"z" * (10 * 1024 * 1024)
        resp = env.raw(post_cl(b"/count", body, b"Connection: close\r\n"))
        check(resp.startswith(b"HTTP/1.1 200 OK\r\n"), "10 MiB passes")
        head, rest = split_head(up.received()[0])
        check(rest == body, "10 MiB upstream, byte for byte (%d)" %
              len(rest))
        eq(rejected_count(env), 1, "rejected{body_too_large}")
    finally:
        env.stop()
        env.cleanup()
        up.stop()


def test_config_key_and_flag(veil):
    up = MiniUpstream("a")
    env = None
    tmp = tempfile.mkdtemp(prefix="veil-lim-")
    conf = os.path.join(tmp, "veil.yaml")
    with open(conf, "w") as f:
        f.write("version: 1\nupstreams:\n  - name: default\n"
                "    url: http://127.0.0.1:%d\n"
                "    resolve_interval: 5s\n"
                "server:\n  max_body_size: 100\n" % up.port)
    try:
        p = subprocess.run([veil, "check", "-c", conf, "--dump"],
                           capture_output=True)
        eq(p.returncode, 0, "veil check")
        lines = p.stdout.decode().splitlines()
        check("  max_body_size: 100" in lines, "--dump max_body_size")
        check("    resolve_interval: 5s" in lines, "--dump resolve_interval")

        # The harness passes --upstream; ours points at the mini upstream.
        upf = ["--upstream", "http://127.0.0.1:%d" % up.port]
        env = Env(veil, ["-c", conf] + upf, upstream=False)
        eq(json.loads(admin(env, b"/config"))["server"]["max_body_size"], 100,
           "/config from the file")
        eq(json.loads(admin(env, b"/config"))["upstreams"][0][
            "resolve_interval_ms"], 5000, "resolve interval")
        eq(env.raw(post_cl(b"/echo", body_of(101))), ERR_413, "101 at 100")
        resp = env.raw(post_cl(b"/echo", body_of(100),
                               b"Connection: close\r\n"))
        check(resp.startswith(b"HTTP/1.1 200 OK\r\n"), "100 at 100")
        eq(rejected_count(env), 1, "rejected{body_too_large}")
        env.stop()
        env.cleanup()

        # The flag overrides the file; 0 lifts the limit.
        env = Env(veil, ["-c", conf, "--max-body-size", "200"] + upf,
                  upstream=False)
        resp = env.raw(post_cl(b"/echo", body_of(150),
                               b"Connection: close\r\n"))
        check(resp.startswith(b"HTTP/1.1 200 OK\r\n"), "150 at 200")
        eq(env.raw(post_cl(b"/echo", body_of(201))), ERR_413, "201 at 200")
        env.stop()
        env.cleanup()
        env = Env(veil, ["-c", conf, "--max-body-size", "0",
                         "--upstream-resolve-interval", "0"] + upf,
                  upstream=False)
        cfg = json.loads(admin(env, b"/config"))
        eq((cfg["server"]["max_body_size"], cfg["upstreams"][0]["resolve_interval_ms"]),
           (0, 0), "/config with 0")
        resp = env.raw(post_cl(b"/echo", body_of(5000),
                               b"Connection: close\r\n"))
        check(resp.startswith(b"HTTP/1.1 200 OK\r\n"), "5000 without limit")

        for bad in ("-1", "10x", ""):
            p = subprocess.run([veil, "run", "--max-body-size", bad],
                               capture_output=True, timeout=10)
            eq((p.returncode, p.stderr),
               (2, b"veil run: --max-body-size: invalid value: "
                   b"expected a size (64k, 1m)\n"),
               "--max-body-size %r" % bad)
    finally:
        if env is not None and env.veil is not None:
            env.stop()
            env.cleanup()
        up.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(run([test_content_length_over_limit, test_expect_continue_413,
                  test_chunked_crossing, test_chunked_after_response_head,
                  test_at_limit_exact_bytes, test_default_limit,
                  test_config_key_and_flag], sys.argv))
