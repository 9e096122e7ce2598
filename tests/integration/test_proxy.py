#!/usr/bin/env python3
"""Integration tests of `veil run`: a real upstream process (upstream.py),
real clients (curl, raw sockets), exact bytes on both sides, exact log
fields.

Usage: test_proxy.py VEIL [test names...]
"""
import gzip
import os
import re
import signal
import socket
import sys
import time

from harness import (Env, FORWARDING, check, dechunk, eq, field, run,
                     split_head, without)

PII_JSON_RED = ('{"user":"[EMAIL]","card":"[CREDIT_CARD]","ssn":"[US_SSN]",'
                '"note":"ok"}')


def findings(rec, loc):
    return sorted((f["detector"], f["count"]) for f in rec["veil.findings"]
                  if f["location"] == loc)


def same_upstream_request(env, direct, proxied, client_addr="127.0.0.1"):
    """The upstream saw the proxied request exactly as the direct one,
    but for the Host port and the forwarding fields, which are checked."""
    dh, db = split_head(direct)
    ph, pb = split_head(proxied)
    up = ("127.0.0.1:%d" % env.up_port).encode()
    vp = ("127.0.0.1:%d" % env.port).encode()
    eq(without(ph, FORWARDING).replace(vp, up), dh, "upstream head")
    eq(field(ph, b"x-forwarded-for"), [client_addr.encode()], "XFF")
    eq(field(ph, b"x-forwarded-proto"), [b"http"], "X-Forwarded-Proto")
    eq(field(ph, b"via"), [b"1.1 veil"], "Via")
    rid = field(ph, b"x-request-id")
    check(len(rid) == 1 and re.fullmatch(rb"[0-9a-f]{32}", rid[0]),
          "generated X-Request-Id")
    return rid[0].decode(), db, pb


def test_keepalive_get(veil):
    env = Env(veil)
    try:
        urls = ["{base}/json", "{base}/echo?x=1", "{base}/json?q=2"]
        d, _, rc = env.curl("-i", *urls, direct=True)
        eq(rc, 0, "direct curl")
        p, err, rc = env.curl("-i", "-v", *urls)
        eq(rc, 0, "proxied curl")
        check(err.count(b"Re-using existing connection") == 2,
              "curl reused its connection")
        eq(p.replace(b"Via: 1.1 veil\r\n", b""), d, "client bytes")
        eq(p.count(b"Via: 1.1 veil\r\n"), 3, "Via on each response")
        reqs = env.requests(6)
        eq(len(reqs), 6, "requests upstream")
        # The three proxied requests share one pooled upstream connection.
        eq(len({c for _, c in reqs[3:]}), 1, "one upstream connection")
        log = env.log(3)
        eq(len(log), 3, "log lines")
        paths = [("/json", None), ("/echo", "x=1"), ("/json", "q=2")]
        for i in range(3):
            rid, _, _ = same_upstream_request(env, reqs[i][0], reqs[i + 3][0])
            r = log[i]
            eq(r["http.request.id"], rid, "request id logged")
            eq(r["http.request.method"], "GET", "method")
            eq(r["url.path"], paths[i][0], "url.path")
            eq(r.get("url.query"), paths[i][1], "url.query")
            eq(r["http.response.status_code"], 200, "status")
            eq(r["client.address"], "127.0.0.1", "client.address")
            eq(r["event.outcome"], "success", "outcome")
            eq(r["http.request.bytes"], len(split_head(reqs[i][0])[0]) - 2
               + 2, "request bytes")
            check(r["event.duration"] >= r["veil.upstream.duration"] > 0,
                  "durations")
            check(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",
                               r["@timestamp"]), "@timestamp")
        eq(log[0]["http.response.body.content"], PII_JSON_RED, "redacted body")
        eq(findings(log[0], "response.body"),
           [("credit_card", 1), ("email", 1), ("us_ssn", 1)], "findings")
        check("http.response.body.content" not in log[1], "empty body")
        # bytes out: each response as the client received it.
        resp = p.split(b"HTTP/1.1 ")[1:]
        eq(log[0]["http.response.bytes"], len(resp[0]) + 9, "response bytes")
        eq(log[0]["http.response.headers"],
           {"content-type": "application/json", "content-length": "92"},
           "response headers")
    finally:
        env.stop()
        env.cleanup()


def test_post_content_length(veil):
    env = Env(veil)
    try:
        body = (b'{"name":"Jane","email":"canary.4f9c@example.org",'
                b'"card":"4111 1111 1111 1111","ssn":"123-45-6789"}')
        path = os.path.join(env.tmp, "body.json")
        with open(path, "wb") as f:
            f.write(body)
        args = ["-i", "-H", "Content-Type: application/json",
                "-H", "Authorization: Bearer s3cr3t-canary",
                "-H", "Cookie: sid=canary.4f9c@example.org",
                "--data-binary", "@" + path, "{base}/echo"]
        d, _, _ = env.curl(*args, direct=True)
        p, _, _ = env.curl(*args)
        eq(p.replace(b"Via: 1.1 veil\r\n", b""), d, "client bytes")
        reqs = env.requests(2)
        _, db, pb = same_upstream_request(env, reqs[0][0], reqs[1][0])
        eq(pb, body, "upstream body")
        r = env.log(1)[0]
        eq(r["http.request.method"], "POST", "method")
        eq(r["http.request.body.bytes"], len(body), "body bytes")
        eq(r["http.request.body.content"],
           '{"name":"Jane","email":"[EMAIL]","card":"[CREDIT_CARD]",'
           '"ssn":"[US_SSN]"}', "redacted request body")
        eq(r["http.request.headers"]["authorization"], "[REDACTED]", "auth")
        eq(r["http.request.headers"]["cookie"], "[REDACTED]", "cookie")
        eq(r["http.request.headers"]["content-length"], str(len(body)), "CL")
        check(("email", 1) in findings(r, "request.body"), "email found")
        check(("email", 1) in findings(r, "response.body"), "email found")
    finally:
        env.stop()
        env.cleanup()


def test_chunked_upload(veil):
    env = Env(veil)
    try:
        lines = [b"line %05d canary.4f9c@example.org\n" % i
                 for i in range(5000)]
        body = b"".join(lines)
        path = os.path.join(env.tmp, "up.txt")
        with open(path, "wb") as f:
            f.write(body)
        args = ["-H", "Transfer-Encoding: chunked", "-H",
                "Content-Type: text/plain", "--data-binary", "@" + path,
                "{base}/echo"]
        d, _, _ = env.curl(*args, direct=True)
        p, _, _ = env.curl(*args)
        eq(d, body, "direct echo")
        eq(p, body, "proxied echo")
        reqs = env.requests(2)
        dh, dbody = split_head(reqs[0][0])
        ph, pbody = split_head(reqs[1][0])
        up = ("127.0.0.1:%d" % env.up_port).encode()
        vp = ("127.0.0.1:%d" % env.port).encode()
        te = (b"transfer-encoding",)
        eq(without(ph, FORWARDING + te).replace(vp, up), without(dh, te),
           "upstream head")
        eq(field(ph, b"transfer-encoding"), [b"chunked"], "re-framed")
        decoded, rest = dechunk(pbody)
        eq(decoded, body, "upstream decoded body")
        eq(rest, b"\r\n", "an empty trailer section ends the body")
        r = env.log(1)[0]
        eq(r["http.request.body.bytes"], len(body), "body bytes")
        eq(findings(r, "request.body"), [("email", 5000)], "all found")
        eq(findings(r, "response.body"), [("email", 5000)], "all found")
        eq(r["veil.request.body.truncated"], True, "log copy truncated")
        eq(len(r["http.request.body.content"].encode()), 64 * 1024,
           "log limit")
        check(r["http.request.body.content"].startswith(
            "line 00000 [EMAIL]\nline 00001 [EMAIL]\n"), "redacted copy")
    finally:
        env.stop()
        env.cleanup()


def test_chunked_response_and_trailers(veil):
    env = Env(veil)
    try:
        p, _, _ = env.curl("-i", "--raw", "{base}/chunked")
        head, body = split_head(p)
        eq(head, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                 b"Via: 1.1 veil\r\nTransfer-Encoding: chunked\r\n\r\n",
           "client head")
        decoded, rest = dechunk(body)
        eq(decoded, b"hello canary.4f9c@example.org end", "client body")
        eq(rest, b"\r\n", "trailers dropped")
        check(b"ext=1" not in body, "chunk extensions not copied")
        r = env.log(1)[0]
        eq(r["http.response.body.content"], "hello [EMAIL] end", "logged")
        eq(r["http.response.body.bytes"], len(decoded), "body bytes")
    finally:
        env.stop()
        env.cleanup()


def test_expect_continue(veil):
    env = Env(veil)
    try:
        body = b"x" * 5000
        path = os.path.join(env.tmp, "b")
        with open(path, "wb") as f:
            f.write(body)
        t0 = time.time()
        p, err, _ = env.curl("-v", "-H", "Expect: 100-continue",
                             "--data-binary", "@" + path, "{base}/continue")
        took = time.time() - t0
        eq(p, body, "echoed body")
        check(b"< HTTP/1.1 100 Continue" in err, "100 relayed to the client")
        # curl waits 1 s for a 100 before sending anyway.
        check(took < 0.9, "the 100 arrived before curl's timeout")
        reqs = env.requests(1)
        eq(field(split_head(reqs[0][0])[0], b"expect"), [b"100-continue"],
           "Expect forwarded")
        eq(env.log(1)[0]["http.response.status_code"], 200, "status")
    finally:
        env.stop()
        env.cleanup()


def test_head_204_304(veil):
    env = Env(veil)
    try:
        for args in (["-I", "{base}/json"], ["-i", "{base}/204"],
                     ["-i", "{base}/304"]):
            d, _, _ = env.curl(*args, direct=True)
            p, _, _ = env.curl(*args)
            eq(p.replace(b"Via: 1.1 veil\r\n", b""), d, "client bytes %s"
               % args[1])
        # (Three connections, which two workers may log in either order.)
        log = sorted(env.log(3), key=lambda r: r["http.response.status_code"])
        eq([r["http.response.status_code"] for r in log], [200, 204, 304],
           "statuses")
        eq(log[0]["http.request.method"], "HEAD", "HEAD logged")
        check("http.response.body.bytes" not in log[0], "no body on HEAD")
        # HEAD, 204 and 304 carry no body, so pipelining after them works.
        out = env.raw(b"HEAD /json HTTP/1.1\r\nHost: a\r\n\r\n"
                      b"GET /204 HTTP/1.1\r\nHost: a\r\n\r\n"
                      b"GET /json HTTP/1.1\r\nHost: a\r\n"
                      b"Connection: close\r\n\r\n")
        eq(out.count(b"HTTP/1.1 "), 3, "three responses")
        check(out.endswith(b'"note":"ok"}'), "last body complete")
    finally:
        env.stop()
        env.cleanup()


def test_gzip_response(veil):
    env = Env(veil)
    try:
        d, _, _ = env.curl("{base}/gzip", direct=True)
        p, _, _ = env.curl("{base}/gzip")
        eq(p, d, "compressed bytes forwarded untouched")
        check(gzip.decompress(p).startswith(b'{"user":"canary'), "gzip")
        r = env.log(1)[0]
        eq(r["http.response.body.bytes"], len(d), "raw body bytes")
        eq(r["http.response.body.content"], PII_JSON_RED, "decoded, redacted")
        eq(findings(r, "response.body"),
           [("credit_card", 1), ("email", 1), ("us_ssn", 1)], "findings")
    finally:
        env.stop()
        env.cleanup()


def test_pipelining(veil):
    env = Env(veil)
    try:
        out = env.raw(b"GET /json HTTP/1.1\r\nHost: a\r\n\r\n"
                      b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 5"
                      b"\r\n\r\nhello"
                      b"GET /chunked HTTP/1.1\r\nHost: a\r\n"
                      b"Connection: close\r\n\r\n")
        h1, rest = split_head(out)
        eq(h1, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               b"Via: 1.1 veil\r\nContent-Length: 92\r\n\r\n", "first head")
        check(rest[:92].startswith(b'{"user"'), "first body")
        h2, rest = split_head(rest[92:])
        eq(h2, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
               b"Via: 1.1 veil\r\nContent-Length: 5\r\n\r\n", "second head")
        eq(rest[:5], b"hello", "second body")
        h3, rest = split_head(rest[5:])
        eq(h3, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
               b"Via: 1.1 veil\r\nTransfer-Encoding: chunked\r\n"
               b"Connection: close\r\n\r\n", "third head")
        decoded, tail = dechunk(rest)
        eq(decoded, b"hello canary.4f9c@example.org end", "third body")
        eq(tail, b"\r\n", "nothing after")
        reqs = env.requests(3)
        eq([r[0].split(b" ")[1] for r in reqs], [b"/json", b"/echo",
                                                  b"/chunked"], "order")
        eq(split_head(reqs[1][0])[1], b"hello", "body upstream")
        eq(len({c for _, c in reqs}), 1, "one upstream connection")
        eq([r["url.path"] for r in env.log(3)], ["/json", "/echo",
                                                 "/chunked"], "log order")
    finally:
        env.stop()
        env.cleanup()


ERR_502 = (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n"
           b"Content-Length: 33\r\nConnection: close\r\n\r\n"
           b'{"error":"upstream_unavailable"}\n')


def test_upstream_down(veil):
    env = Env(veil, upstream=False)
    try:
        p, _, _ = env.curl("-i", "{base}/json?email=canary.4f9c@example.org")
        eq(p, ERR_502, "502 JSON")
        r = env.log(1)[0]
        eq(r["http.response.status_code"], 502, "status")
        eq(r["error.type"], "upstream_unavailable", "reason")
        eq(r["url.query"], "email=[EMAIL]", "query redacted")
        eq(r["event.outcome"], "failure", "outcome")
    finally:
        env.stop()
        env.cleanup()


def test_upstream_reset_and_bad(veil):
    env = Env(veil)
    try:
        p, _, _ = env.curl("-i", "{base}/reset")
        eq(p, ERR_502, "reset: 502")
        p, _, _ = env.curl("-i", "{base}/bad")
        eq(p, b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json"
              b"\r\nContent-Length: 24\r\nConnection: close\r\n\r\n"
              b'{"error":"bad_gateway"}\n', "malformed: 502")
        log = env.log(2)
        eq(log[0]["error.type"], "upstream_unavailable", "reset reason")
        eq(log[1]["http.response.status_code"], 502, "bad status")
        # The bad connection was dropped: the next request gets a new one.
        env.curl("{base}/json")
        reqs = env.requests(3)
        check(reqs[2][1] not in (reqs[0][1], reqs[1][1]), "fresh connection")
    finally:
        env.stop()
        env.cleanup()


def test_slow_upstream_504(veil):
    env = Env(veil, ["--upstream-timeout", "500ms"])
    try:
        t0 = time.time()
        p, _, _ = env.curl("-i", "{base}/slow?ms=3000")
        took = time.time() - t0
        eq(p, b"HTTP/1.1 504 Gateway Timeout\r\nContent-Type: application/"
              b"json\r\nContent-Length: 29\r\nConnection: close\r\n\r\n"
              b'{"error":"upstream_timeout"}\n', "504")
        check(0.4 < took < 2.0, "timed out after ~0.5 s (%.2f)" % took)
        eq(env.log(1)[0]["error.type"], "upstream_timeout", "reason")
    finally:
        env.stop()
        env.cleanup()


def test_slow_client_headers_408(veil):
    env = Env(veil, ["--header-timeout", "500ms"])
    try:
        t0 = time.time()
        out = env.raw(b"GET /json HTTP/1.1\r\nHost: a\r\n")
        took = time.time() - t0
        eq(out, b"HTTP/1.1 408 Request Timeout\r\nContent-Type: application/"
                b"json\r\nContent-Length: 28\r\nConnection: close\r\n\r\n"
                b'{"error":"request_timeout"}\n', "408")
        check(0.4 < took < 2.0, "after ~0.5 s (%.2f)" % took)
        eq(env.requests(0, timeout=0.2), [], "nothing forwarded")
        r = env.log(1)[0]
        eq(r["error.type"], "header_timeout", "reason")
        check("url.path" not in r, "no request content for a rejection")
    finally:
        env.stop()
        env.cleanup()


def test_body_timeout_408(veil):
    env = Env(veil, ["--body-timeout", "500ms"])
    try:
        out = env.raw(b"POST /echo HTTP/1.1\r\nHost: a\r\n"
                      b"Content-Length: 10\r\n\r\nabc")
        check(out.startswith(b"HTTP/1.1 408 Request Timeout\r\n"), "408")
        r = env.log(1)[0]
        eq(r["error.type"], "body_timeout", "reason")
        eq(r["veil.request.body.omitted"], "incomplete", "body not logged")
    finally:
        env.stop()
        env.cleanup()


def test_oversized_headers_431(veil):
    env = Env(veil)
    try:
        big = b"GET /json HTTP/1.1\r\nHost: a\r\nX-Big: " + b"a" * 20000 + \
            b"\r\n\r\n"
        out = env.raw(big)
        eq(out, b"HTTP/1.1 431 Request Header Fields Too Large\r\nContent-"
                b"Type: application/json\r\nContent-Length: 44\r\nConnection:"
                b" close\r\n\r\n"
                b'{"error":"request_header_fields_too_large"}\n', "431")
        many = b"GET /json HTTP/1.1\r\nHost: a\r\n" + b"".join(
            b"X-%d: 1\r\n" % i for i in range(120)) + b"\r\n"
        out = env.raw(many)
        check(out.startswith(b"HTTP/1.1 431 "), "431 for too many fields")
        eq(env.requests(0, timeout=0.2), [], "nothing forwarded")
        eq([r["http.response.status_code"] for r in env.log(2)], [431, 431],
           "logged")
    finally:
        env.stop()
        env.cleanup()


def test_upgrade_tunnel(veil):
    env = Env(veil)
    try:
        s = env.raw(b"GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                    b"Connection: Upgrade\r\n\r\n", read_until_close=False)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(4096)
        head, rest = split_head(buf)
        eq(head, b"HTTP/1.1 101 Switching Protocols\r\nVia: 1.1 veil\r\n"
                 b"Upgrade: websocket\r\nConnection: upgrade\r\n\r\n", "101")
        s.sendall(b"hello canary.4f9c@example.org")
        while len(rest) < 29:
            rest += s.recv(4096)
        eq(rest, b"HELLO CANARY.4F9C@EXAMPLE.ORG", "tunnelled both ways")
        s.close()
        r = env.log(1)[0]
        eq(r["http.response.status_code"], 101, "status")
        eq(r["veil.upgraded"], True, "upgraded")
        eq(r["veil.findings"], [], "tunnel not inspected")
        reqs = env.requests(1)
        ph = split_head(reqs[0][0])[0]
        eq(field(ph, b"upgrade"), [b"websocket"], "Upgrade forwarded")
        eq(field(ph, b"connection"), [b"upgrade"], "Connection: upgrade")
    finally:
        env.stop()
        env.cleanup()


def test_early_response(veil):
    env = Env(veil)
    try:
        path = os.path.join(env.tmp, "big")
        with open(path, "wb") as f:
            f.write(b"z" * (4 * 1024 * 1024))
        p, _, _ = env.curl("-i", "-H", "Expect:", "--data-binary",
                           "@" + path, "{base}/early")
        # Whether veil had read the whole body before the answer depends on
        # socket buffers; either way the client gets the 413.
        check(p.startswith(b"HTTP/1.1 413 Content Too Large\r\n"), "413")
        r = env.log(1)[0]
        eq(r["http.response.status_code"], 413, "status")
    finally:
        env.stop()
        env.cleanup()


def test_close_delimited_response(veil):
    env = Env(veil)
    try:
        p, _, _ = env.curl("-i", "--raw", "{base}/eof")
        head, body = split_head(p)
        eq(head, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                 b"Via: 1.1 veil\r\nTransfer-Encoding: chunked\r\n\r\n",
           "re-framed as chunked")
        eq(dechunk(body), (b"until the end", b"\r\n"), "body")
        p, _, _ = env.curl("-i", "--http1.0", "{base}/eof")
        head, body = split_head(p)
        check(b"Connection: close\r\n" in head and b"chunked" not in head,
              "HTTP/1.0 gets a close-delimited body")
        eq(body, b"until the end", "1.0 body")
    finally:
        env.stop()
        env.cleanup()


def test_drain_and_reopen(veil):
    env = Env(veil)
    try:
        # SIGUSR1: the log is reopened after a rotation.
        env.curl("{base}/json")
        env.log(1)
        os.rename(env.log_path, env.log_path + ".1")
        env.veil.send_signal(signal.SIGUSR1)
        time.sleep(0.3)
        env.curl("{base}/json?after=rotation")
        eq([r.get("url.query") for r in env.log(1)], ["after=rotation"],
           "new file after SIGUSR1")
        # SIGHUP reloads (without -c: the built-in settings again); veil keeps running.
        env.veil.send_signal(signal.SIGHUP)
        time.sleep(0.2)
        eq(env.veil.poll(), None, "still running after SIGHUP")
        # SIGTERM while a request is in flight: it completes, then exit 0.
        s = env.raw(b"GET /slow?ms=1000 HTTP/1.1\r\nHost: a\r\n\r\n",
                    read_until_close=False)
        time.sleep(0.3)
        env.veil.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        try:
            socket.create_connection(("127.0.0.1", env.port), timeout=1)
            refused = False
        except OSError:
            refused = True
        check(refused, "no new connections while draining")
        out = b""
        while True:
            d = s.recv(4096)
            if not d:
                break
            out += d
        check(out.startswith(b"HTTP/1.1 200 OK\r\n"), "in-flight completed")
        check(b"Connection: close\r\n" in out and out.endswith(b"slow"),
              "closed after the response")
        eq(env.veil.wait(timeout=5), 0, "exit status")
        env.veil = None
    finally:
        env.stop()
        env.cleanup()


def test_max_connections_503(veil):
    env = Env(veil, ["--max-connections", "2", "--workers", "1"])
    try:
        time.sleep(0.3)  # the start-up probe connection is closed
        a = env.raw(b"", read_until_close=False)
        b = env.raw(b"", read_until_close=False)
        time.sleep(0.2)
        out = env.raw(b"GET /json HTTP/1.1\r\nHost: a\r\n\r\n")
        eq(out, b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: "
                b"application/json\r\nContent-Length: 23\r\nConnection: "
                b"close\r\n\r\n{\"error\":\"overloaded\"}\n", "503")
        a.close()
        b.close()
        time.sleep(0.2)
        p, _, _ = env.curl("{base}/json")
        check(p.startswith(b'{"user"'), "served again below the limit")
        r = env.log(2)
        eq(r[0]["error.type"], "max_connections", "reason")
        eq(r[1]["http.response.status_code"], 200, "then 200")
    finally:
        env.stop()
        env.cleanup()


def test_sigint_stops(veil):
    env = Env(veil)
    try:
        s = env.raw(b"GET /slow?ms=5000 HTTP/1.1\r\nHost: a\r\n\r\n",
                    read_until_close=False)
        time.sleep(0.3)
        t0 = time.time()
        env.veil.send_signal(signal.SIGINT)
        eq(env.veil.wait(timeout=5), 0, "exit status")
        check(time.time() - t0 < 1.0, "stopped at once")
        env.veil = None
        eq(s.recv(4096), b"", "in-flight connection cut")
        r = env.log(1)[0]
        eq(r["error.type"], "shutdown", "logged as cut by the shutdown")
        check("http.response.status_code" not in r, "no status was sent")
    finally:
        env.stop()
        env.cleanup()


def test_encodings_fail_closed(veil):
    env = Env(veil)
    try:
        for path in ("/br", "/badgzip", "/deflate"):
            d, _, _ = env.curl("{base}" + path, direct=True)
            p, _, _ = env.curl("{base}" + path)
            eq(p, d, "bytes forwarded untouched " + path)
        # A gzip request body is inspected decoded, forwarded as is.
        body = gzip.compress(b'{"email":"canary.4f9c@example.org"}')
        path = os.path.join(env.tmp, "req.gz")
        with open(path, "wb") as f:
            f.write(body)
        p, _, _ = env.curl("-H", "Content-Type: application/json", "-H",
                           "Content-Encoding: gzip", "--data-binary",
                           "@" + path, "{base}/echo")
        eq(p, body, "gzip request body echoed untouched")
        log = env.log(4)
        eq(log[0]["veil.response.body.omitted"], "encoding", "br omitted")
        check("http.response.body.content" not in log[0], "br not logged")
        eq(log[1]["veil.response.body.omitted"], "decode_error", "bad gzip")
        check("http.response.body.content" not in log[1], "not logged")
        eq(log[2]["http.response.body.content"], PII_JSON_RED, "raw deflate")
        eq(log[3]["http.request.body.content"], '{"email":"[EMAIL]"}',
           "gzip request body decoded and redacted")
        eq(log[3]["http.request.body.bytes"], len(body), "raw size")
    finally:
        env.stop()
        env.cleanup()


def test_forwarding_details(veil):
    env = Env(veil)
    try:
        # X-Forwarded-For is appended to; a client's Via is kept; the
        # client's X-Request-Id is kept; X-Forwarded-Proto is replaced.
        env.curl("-H", "X-Forwarded-For: 10.0.0.1", "-H",
                 "X-Forwarded-For: 10.0.0.2, 10.0.0.3", "-H",
                 "Via: 1.1 edge", "-H", "X-Request-Id: abc-123", "-H",
                 "X-Forwarded-Proto: https", "-H", "Keep-Alive: timeout=5",
                 "-H", "Connection: keep-alive, X-Hop", "-H", "X-Hop: 1",
                 "-H", "TE: trailers", "{base}/json")
        head = split_head(env.requests(1)[0][0])[0]
        eq(field(head, b"x-forwarded-for"),
           [b"10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1"], "XFF appended")
        eq(field(head, b"via"), [b"1.1 edge", b"1.1 veil"], "Via appended")
        eq(field(head, b"x-request-id"), [b"abc-123"], "request id kept")
        eq(field(head, b"x-forwarded-proto"), [b"http"], "proto replaced")
        for hop in (b"keep-alive", b"connection", b"x-hop", b"te"):
            eq(field(head, hop), [], "hop-by-hop %s removed" % hop.decode())
        r = env.log(1)[0]
        eq(r["http.request.id"], "abc-123", "logged id")
        # HTTP/1.0 with keep-alive and an absolute-form target.
        out = env.raw(b"GET http://example.test/json HTTP/1.0\r\n"
                      b"Connection: keep-alive\r\n\r\n"
                      b"GET /103 HTTP/1.0\r\n\r\n")
        h1, rest = split_head(out)
        eq(h1, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
               b"Via: 1.1 veil\r\nContent-Length: 92\r\n"
               b"Connection: keep-alive\r\n\r\n", "1.0 keep-alive")
        h2, rest = split_head(rest[92:])
        # 1xx are not sent to HTTP/1.0 clients.
        eq(h2, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
               b"Via: 1.1 veil\r\nContent-Length: 6\r\n"
               b"Connection: close\r\n\r\n", "1.0 without keep-alive")
        eq(rest, b"hinted", "second body")
        reqs = env.requests(3)
        eq(reqs[1][0], b"GET /json HTTP/1.1\r\nHost: example.test\r\n"
                       b"X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: "
                       b"http\r\nVia: 1.0 veil\r\nX-Request-Id: " +
           field(split_head(reqs[1][0])[0], b"x-request-id")[0] +
           b"\r\n\r\n", "origin form, Host from the authority")
        # 103 relayed to an HTTP/1.1 client before the final response.
        p, _, _ = env.curl("-i", "{base}/103")
        eq(p, b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n"
              b"Via: 1.1 veil\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: "
              b"text/plain\r\nVia: 1.1 veil\r\nContent-Length: 6\r\n\r\n"
              b"hinted", "103 relayed")
    finally:
        env.stop()
        env.cleanup()


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_backpressure_bounded_memory(veil):
    env = Env(veil)
    try:
        base = rss_kib(env.veil.pid)
        # A 64 MiB response to a client that reads slowly at first.
        s = env.raw(b"GET /big?mb=64 HTTP/1.1\r\nHost: a\r\n"
                    b"Connection: close\r\n\r\n", read_until_close=False)
        time.sleep(1.0)
        peak = rss_kib(env.veil.pid)
        got = 0
        head = b""
        while b"\r\n\r\n" not in head:
            head += s.recv(65536)
        got = len(head) - head.index(b"\r\n\r\n") - 4
        while True:
            d = s.recv(1 << 20)
            if not d:
                break
            got += len(d)
            peak = max(peak, rss_kib(env.veil.pid))
        s.close()
        eq(got, 64 * 1024 * 1024, "whole body relayed")
        check(peak - base < 16 * 1024, "memory stays bounded while the "
              "client is slow (grew %d KiB)" % (peak - base))
        # A 32 MiB upload, streamed to the upstream, never held whole.
        path = os.path.join(env.tmp, "up.bin")
        with open(path, "wb") as f:
            f.write(os.urandom(32 * 1024 * 1024))
        p, _, _ = env.curl("-H", "Content-Type: application/octet-stream",
                           "--data-binary", "@" + path, "{base}/count")
        eq(p, str(32 * 1024 * 1024).encode(), "upload relayed whole")
        check(rss_kib(env.veil.pid) - base < 16 * 1024, "upload bounded")
        log = env.log(2)
        eq(log[0]["veil.response.body.omitted"], "binary", "not logged")
        eq(log[1]["http.request.body.bytes"], 32 * 1024 * 1024, "counted")
    finally:
        env.stop()
        env.cleanup()


def test_log_escaping(veil):
    env = Env(veil)
    try:
        body = b'a\x00b\xff\xfe"\\\n\tc\xc3\xa9\x7f\xed\xa0\x80z'
        path = os.path.join(env.tmp, "b")
        with open(path, "wb") as f:
            f.write(body)
        p, _, _ = env.curl("-H", "Content-Type: text/plain",
                           "--data-binary", "@" + path, "{base}/echo")
        eq(p, body, "bytes untouched")
        env.log(1)  # the record is there (written once the response left)
        raw = env.log_raw()
        eq(raw.count(b"\n"), 1, "one line")
        check(b"\\u0000" in raw and b"\\u007f" in raw, "controls escaped")
        raw.decode("utf-8")  # the record is valid UTF-8
        r = env.log(1)[0]
        # Invalid UTF-8 (a lone 0xff, 0xfe, an encoded surrogate) becomes
        # U+FFFD; valid sequences are kept.
        eq(r["http.request.body.content"],
           'a\x00b\ufffd\ufffd"\\\n\tc\u00e9\x7f\ufffd\ufffd\ufffdz',
           "escaped body")
    finally:
        env.stop()
        env.cleanup()


def test_inspection_off(veil):
    env = Env(veil, ["--inspect", "off"])
    try:
        p, _, _ = env.curl("-H", "Content-Type: application/json",
                           "--data-binary", '{"e":"canary.4f9c@example.org"}',
                           "{base}/echo?e=canary.4f9c@example.org")
        eq(p, b'{"e":"canary.4f9c@example.org"}', "forwarded")
        env.log(1)
        raw = env.log_raw()
        check(b"canary" not in raw, "nothing unredacted is logged")
        r = env.log(1)[0]
        eq(r["http.response.status_code"], 200, "status")
        eq(r["http.request.method"], "POST", "method")
        eq(r["veil.url.omitted"], "inspection_off", "path omitted")
        eq(r["veil.url.query.omitted"], "inspection_off", "query omitted")
        eq(r["veil.request.headers.omitted"], "inspection_off", "fields")
        eq(r["veil.request.body.omitted"], "inspection_off", "body")
        eq(r["veil.response.body.omitted"], "inspection_off", "body")
        check(re.fullmatch(r"[0-9a-f]{32}", r["http.request.id"]), "id")
    finally:
        env.stop()
        env.cleanup()


def test_client_stops_reading(veil):
    env = Env(veil, ["--body-timeout", "500ms"])
    try:
        s = env.raw(b"GET /big?mb=64 HTTP/1.1\r\nHost: a\r\n\r\n",
                    read_until_close=False)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        t0 = time.time()
        r = env.log(1, timeout=10)
        check(time.time() - t0 < 5, "closed within the send timeout")
        eq(r[0]["error.type"], "send_timeout", "reason")
        eq(r[0]["http.response.status_code"], 200, "head had been sent")
        check(r[0]["http.response.bytes"] < 64 * 1024 * 1024, "cut")
        s.close()
    finally:
        env.stop()
        env.cleanup()


def test_upstream_stops_reading(veil):
    env = Env(veil, ["--body-timeout", "500ms"])
    try:
        path = os.path.join(env.tmp, "big")
        with open(path, "wb") as f:
            f.write(b"z" * (48 * 1024 * 1024))
        t0 = time.time()
        p, _, _ = env.curl("-i", "-H", "Expect:", "--data-binary",
                           "@" + path, "{base}/stall?ms=8000")
        check(time.time() - t0 < 5, "not held by the stalled upstream")
        check(p.startswith(b"HTTP/1.1 504 Gateway Timeout\r\n"), "504")
        r = env.log(1)[0]
        eq(r["error.type"], "upstream_send_timeout", "reason")
    finally:
        env.stop()
        env.cleanup()


def admin_get(env, path):
    env.log_raw()  # records and counters of finished exchanges are in
    out = env.raw(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: a\r\n"
                  b"Connection: close\r\n\r\n", port=env.admin_port)
    head, body = split_head(out)
    return int(head.split(b" ")[1]), body


def test_admin_counters(veil):
    env = Env(veil)
    try:
        eq(admin_get(env, "/ready"), (200, b"ready\n"), "ready")
        env.curl("{base}/json?e=canary.4f9c@example.org")
        env.raw(b"GET / HTTP/1.1\r\nHost: a\r\nX : y\r\n\r\n")
        env.log(2)
        code, metrics = admin_get(env, "/metrics")
        eq(code, 200, "/metrics")
        lines = set(metrics.decode().splitlines())
        for want in (
            'veil_requests_total{route="default",method="GET",code="2xx"} 1',
            'veil_findings_total{route="default",direction="request",'
            'location="query",detector="email",category="contact",'
            'action="observe"} 1',
            'veil_findings_total{route="default",direction="response",'
            'location="body",detector="credit_card",category="financial",'
            'action="observe"} 1',
        ):
            check(want in lines, "metric: " + want)
        check(any(l.startswith("veil_requests_rejected_total{") and
                  "space_before_colon" in l and l.endswith(" 1")
                  for l in lines), "rejection counted")
        check(b"canary" not in metrics, "no value in the metrics")
        code, cfg = admin_get(env, "/config")
        check(b'"url":"http://127.0.0.1:%d"' % env.up_port in cfg,
              "/config")
        # Draining: readiness goes to 503 while the in-flight one ends.
        s = env.raw(b"GET /slow?ms=1500 HTTP/1.1\r\nHost: a\r\n\r\n",
                    read_until_close=False)
        time.sleep(0.2)
        env.veil.send_signal(signal.SIGTERM)
        end = time.time() + 3
        while True:
            code, body = admin_get(env, "/ready")
            if code != 200 or time.time() > end:
                break
            time.sleep(0.02)
        eq((code, body), (503, b"draining\n"), "not ready while draining")
        check(s.recv(4096).startswith(b"HTTP/1.1 200 OK"), "in-flight done")
        s.close()
        eq(env.veil.wait(timeout=10), 0, "exit status after the drain")
        env.veil = None
    finally:
        env.stop()
        env.cleanup()


def test_stale_pooled_connection_retried(veil):
    env = Env(veil, ["--workers", "1"])
    try:
        # The upstream closes the connection right after /once; the
        # pipelined GET meets that pooled connection before its end is
        # seen, and is sent again on a fresh one. A POST is not.
        out = env.raw(b"GET /once HTTP/1.1\r\nHost: a\r\n\r\n"
                      b"GET /json HTTP/1.1\r\nHost: a\r\n"
                      b"Connection: close\r\n\r\n")
        eq(out.count(b"HTTP/1.1 200 OK\r\n"), 2, "both answered")
        check(out.endswith(b'"note":"ok"}'), "second body")
        log = env.log(2)
        eq([r["http.response.status_code"] for r in log], [200, 200], "log")
    finally:
        env.stop()
        env.cleanup()


TESTS = [test_keepalive_get, test_post_content_length, test_chunked_upload,
         test_chunked_response_and_trailers, test_expect_continue,
         test_head_204_304, test_gzip_response, test_pipelining,
         test_upstream_down, test_upstream_reset_and_bad,
         test_slow_upstream_504, test_slow_client_headers_408,
         test_body_timeout_408, test_oversized_headers_431,
         test_upgrade_tunnel, test_early_response,
         test_close_delimited_response, test_drain_and_reopen,
         test_max_connections_503, test_sigint_stops,
         test_encodings_fail_closed, test_forwarding_details,
         test_backpressure_bounded_memory, test_log_escaping,
         test_inspection_off, test_client_stops_reading,
         test_upstream_stops_reading, test_admin_counters,
         test_stale_pooled_connection_retried]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
