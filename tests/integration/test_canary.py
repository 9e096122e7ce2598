#!/usr/bin/env python3
"""Canary test: distinctive synthetic PII sent through normal exchanges,
rejected requests, timeouts, upstream failures, aborted connections and a
tunnel must never appear in any access-log line or on veil's stderr.

Usage: test_canary.py VEIL
"""
import os
import re
import signal
import socket
import struct
import sys
import time

from harness import Env, check, eq, run

EMAIL = b"canary.4f9c@example.org"
CARD = b"4111111111111111"
CARD_SP = b"4111 1111 1111 1111"
SSN = b"123-45-6789"

# What must never be written: the values and their recognisable parts.
FORBIDDEN = [b"canary", b"example.org", b"4f9c", b"4111111111111111",
             b"4111 1111", b"4111-1111", b"123-45-6789", b"123456789"]


def abort(s):
    """Closes with a reset, as a crashing client would."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def exchanges(env):
    q = b"email=" + EMAIL + b"&card=" + CARD + b"&ssn=" + SSN
    qs = q.decode()
    body_json = (b'{"email":"' + EMAIL + b'","card":"' + CARD_SP +
                 b'","ssn":"' + SSN + b'"}')
    jpath = os.path.join(env.tmp, "b.json")
    with open(jpath, "wb") as f:
        f.write(body_json)
    big = os.path.join(env.tmp, "big.txt")
    with open(big, "wb") as f:
        f.write((b"x" * 100 + b" " + EMAIL + b"\n") * 2000)

    # Normal exchanges: query, path, headers, bodies both ways, gzip.
    env.curl("{base}/json?" + qs,
             "{base}/u/" + EMAIL.decode() + "/json",
             "-H", "X-Contact: " + EMAIL.decode(),
             "-H", "X-Card: " + CARD.decode(),
             "-H", "X-Ssn: " + SSN.decode(),
             "-H", "Authorization: Bearer " + EMAIL.decode(),
             "-H", "Cookie: user=" + EMAIL.decode(),
             "-H", "X-Request-Id: " + CARD.decode())
    env.curl("-H", "Content-Type: application/json", "--data-binary",
             "@" + jpath, "{base}/echo?" + qs)
    env.curl("--data-binary", q.decode(), "{base}/echo")
    env.curl("-H", "Transfer-Encoding: chunked", "-H",
             "Content-Type: application/json", "--data-binary", "@" + jpath,
             "{base}/echo")
    env.curl("{base}/gzip", "{base}/chunked")
    # Not inspectable: binary type, over the inspection limit.
    env.curl("-H", "Content-Type: application/octet-stream",
             "--data-binary", "@" + jpath, "{base}/echo")
    env.curl("-H", "Content-Type: text/plain", "--data-binary", "@" + big,
             "{base}/echo")
    # A header name that is a number.
    env.raw(b"GET /json HTTP/1.1\r\nHost: a\r\nX-" + CARD +
            b": 1\r\nConnection: close\r\n\r\n")

    # Rejected requests.
    env.raw(b"GET /json?" + q + b" HTTP/1.1\r\nHost: a\r\nX-A : " + EMAIL +
            b"\r\n\r\n")
    env.raw(b"GET /json?" + q + b" HTTP/1.1\r\nHost: a\r\nX-Big: " +
            (EMAIL + b" ") * 1000 + b"\r\n\r\n")
    env.raw(b"POST /u/" + EMAIL + b" HTTP/1.1\r\nHost: a\r\n"
            b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n" + SSN)
    env.raw(b"GET /" + CARD + b" HTTP/1.1\r\n\r\n")
    env.raw(b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked"
            b"\r\n\r\nzz\r\n" + EMAIL + b"\r\n0\r\n\r\n")
    env.raw(b"GET /json HTTP/1.1\r\nHost: " + EMAIL + b"\r\n\r\n")

    # Timeouts: a head that never ends, a body that stops, a slow upstream.
    env.raw(b"GET /json?" + q + b" HTTP/1.1\r\nHost: a\r\nX-E: " + EMAIL)
    env.raw(b"POST /echo?" + q + b" HTTP/1.1\r\nHost: a\r\n"
            b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n" +
            body_json)
    env.curl("{base}/slow?ms=3000&" + qs)
    env.curl("{base}/slowbody?ms=3000&" + qs)

    # Upstream failures.
    env.curl("{base}/reset?" + qs)
    env.curl("{base}/bad?" + qs)

    # Aborted connections: mid-head, mid-body, waiting for the response.
    s = env.raw(b"GET /json?" + q + b" HTTP/1.1\r\nX-E: " + EMAIL,
                read_until_close=False)
    time.sleep(0.1)
    abort(s)
    s = env.raw(b"POST /echo?" + q + b" HTTP/1.1\r\nHost: a\r\n"
                b"Content-Length: 1000\r\n\r\n" + body_json,
                read_until_close=False)
    time.sleep(0.2)
    abort(s)
    s = env.raw(b"GET /slow?ms=1000&" + q + b" HTTP/1.1\r\nHost: a\r\n\r\n",
                read_until_close=False)
    time.sleep(0.2)
    abort(s)

    # A tunnel (never inspected, never logged).
    s = env.raw(b"GET /ws?" + q + b" HTTP/1.1\r\nHost: a\r\n"
                b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                read_until_close=False)
    s.recv(4096)
    s.sendall(EMAIL + b" " + CARD)
    time.sleep(0.2)
    s.close()
    return 24


def test_canaries_never_logged(veil):
    env = Env(veil, ["--header-timeout", "500ms", "--body-timeout", "500ms",
                     "--upstream-timeout", "500ms", "--inspect-limit", "64k"])
    try:
        expected = exchanges(env)
        time.sleep(1.5)  # the last timeouts fire
        env.veil.send_signal(signal.SIGTERM)
        eq(env.veil.wait(timeout=10), 0, "exit status")
        env.veil = None
        raw = env.log_raw()
        err = env.stderr()
        lines = env.log()
        check(len(lines) >= expected, "every exchange logged (%d lines)" %
              len(lines))
        for needle in FORBIDDEN:
            for what, data in (("access log", raw), ("stderr", err)):
                i = data.lower().find(needle)
                check(i < 0, "%r found in the %s" % (needle, what))
        # Not vacuous: the values were seen and redacted.
        dets = {f["detector"] for r in lines for f in r["veil.findings"]}
        check({"email", "credit_card", "us_ssn"} <= dets,
              "findings recorded: %s" % sorted(dets))
        omitted = {r.get("veil.request.body.omitted") for r in lines}
        check({"binary", "over_limit"} <= omitted,
              "bodies not inspected are not logged: %s" % omitted)
        statuses = {r.get("http.response.status_code") for r in lines}
        check({200, 400, 408, 431, 502, 504, 499, 101} <= statuses,
              "every path exercised: %s" % sorted(statuses, key=str))
        check(all(re.fullmatch(r"[0-9a-f]{32}|\[[A-Z_]+\]",
                               r["http.request.id"]) for r in lines
                  if "http.request.id" in r), "request ids are safe")
    finally:
        env.stop()
        if os.environ.get("VEIL_KEEP_TMP"):
            print("kept", env.tmp)
        else:
            env.cleanup()


if __name__ == "__main__":
    sys.exit(run([test_canaries_never_logged], sys.argv))
