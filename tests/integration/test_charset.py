#!/usr/bin/env python3
"""Bodies in UTF-16 and UTF-32: decoded for inspection (the access log has
the findings, in UTF-8, and no canary in any encoding), undecodable
charsets omitted with reason "charset" (counted, refused under
uninspectable: block), and rewritten in transit back in their own
encoding, byte for byte.

Usage: test_charset.py VEIL [test names...]
"""
import os
import sys
import tempfile

from harness import Env, check, eq, field, run, split_head

CONFIG = """version: 1
routes:
  - name: blk
    match: {host: blk}
    policy: blk
  - name: red
    match: {host: red}
    policy: red
policies:
  default:
    request:
      actions: {default: label}
    response:
      actions: {default: label}
  blk:
    request:
      mode: observe
      uninspectable: block
  red:
    request:
      mode: redact
      actions: {default: label}
    response:
      mode: redact
      actions: {default: label}
"""

EMAIL = "canary.4f9c@example.org"
CARD = "4111 1111 1111 1111"
SSN = "123-45-6789"
DOC = '{"email":"%s","card":"%s","ssn":"%s","note":"Zo\u00eb \U0001f600"}' % (EMAIL, CARD, SSN)
DOC_LABEL = '{"email":"[EMAIL]","card":"[CREDIT_CARD]","ssn":"[US_SSN]","note":"Zo\u00eb \U0001f600"}'
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")


def start(veil, args=()):
    d = tempfile.mkdtemp(prefix="veil-charset-")
    path = os.path.join(d, "charset.yaml")
    with open(path, "w") as f:
        f.write(CONFIG)
    return Env(veil, ["-c", path] + list(args))


def post(host, ctype, body, path=b"/echo"):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
            b"Content-Type: " + ctype + b"\r\nConnection: close\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def no_canary(env):
    raw = env.log_raw() + env.stderr()
    for v in (EMAIL, CARD, SSN, "4111111111111111"):
        for enc in ENCODINGS:
            check(v.encode(enc) not in raw, "canary %r (%s) in the log" % (v, enc))


def findings(rec, loc):
    return sorted((f["detector"], f["count"]) for f in rec["veil.findings"]
                  if f["location"] == loc)


WANT = [("credit_card", 1), ("email", 1), ("us_ssn", 1)]


def observed(veil, ctype, body):
    """Posts <body> to /echo on the default (observe) route: the bytes go
    through unchanged both ways; the record has the body in UTF-8, redacted,
    with its findings, for the request and the echoed response."""
    env = start(veil)
    try:
        out = env.raw(post(b"plain", ctype, body))
        eq(split_head(out)[1], body, "the client gets the echo unchanged")
        eq(split_head(env.requests(1)[0][0])[1], body, "the upstream got the bytes unchanged")
        rec = env.log(1)[0]
        eq(rec["http.request.body.content"], DOC_LABEL, "request body, as UTF-8")
        eq(rec["http.response.body.content"], DOC_LABEL, "response body, as UTF-8")
        eq(findings(rec, "request.body"), WANT, "request findings")
        eq(findings(rec, "response.body"), WANT, "response findings")
        no_canary(env)
    finally:
        env.stop()
        env.cleanup()


def test_utf16le_bom(veil):
    """No charset declared; the UTF-16LE byte order mark says it."""
    observed(veil, b"application/json", b"\xff\xfe" + DOC.encode("utf-16-le"))


def test_utf16be_declared(veil):
    """charset=UTF-16BE (quoted, any case), no byte order mark."""
    observed(veil, b'application/json; charset="UTF-16BE"', DOC.encode("utf-16-be"))


def test_utf32(veil):
    """charset=utf-32 with a little-endian BOM, and without one (big
    endian by default)."""
    observed(veil, b"application/json;charset=utf-32",
             b"\xff\xfe\x00\x00" + DOC.encode("utf-32-le"))
    observed(veil, b"application/json; charset=utf-32", DOC.encode("utf-32-be"))


def test_unknown_charset(veil):
    """A charset veil cannot decode (UTF-7 spells anything in ASCII
    letters; EBCDIC; a BOM that contradicts the declared charset): the body
    is not logged, the record says why, the counter counts it, and under
    uninspectable: pass the bytes go on unchanged."""
    env = start(veil)
    try:
        utf7 = "+AHs-\"email\":\"canary.4f9c+AEA-example.org\"+AH0-".encode()
        cases = [(b"text/plain; charset=utf-7", utf7),
                 (b"application/json; charset=IBM037",
                  DOC.replace(" \U0001f600", "").encode("cp037")),
                 (b"application/json; charset=utf-8", b"\xff\xfe" + DOC.encode("utf-16-le"))]
        for ctype, body in cases:
            out = env.raw(post(b"plain", ctype, body))
            eq(split_head(out)[1], body, "passed on unchanged")
        recs = env.log(3)
        for rec in recs:
            eq(rec["veil.request.body.omitted"], "charset", "request body omitted")
            eq(rec["veil.response.body.omitted"], "charset", "response body omitted")
            check("http.request.body.content" not in rec, "no request body")
            check("http.response.body.content" not in rec, "no response body")
            eq(rec["veil.findings"], [], "no findings")
        no_canary(env)
        check(b"canary.4f9c+AEA-example.org" not in env.log_raw(), "UTF-7 canary in the log")
        m = env.curl("http://127.0.0.1:%d/metrics" % env.admin_port)[0].decode()
        for d in ("request", "response"):
            line = ('veil_bodies_not_inspected_total{route="default",direction="%s",'
                    'reason="charset"} 3' % d)
            check(line in m.splitlines(), "metrics: " + line)
    finally:
        env.stop()
        env.cleanup()


def test_uninspectable_block(veil):
    """uninspectable: block refuses a body in a charset veil cannot decode,
    at the head, before any upstream is involved."""
    env = start(veil)
    try:
        out = env.raw(post(b"blk", b"text/plain; charset=utf-7", b"+AEA-"))
        head, body = split_head(out)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 403 Forbidden", "refused")
        eq(body, b'{"error":"blocked_uninspectable"}\n', "error body")
        # A declared charset contradicted by the BOM is known only from the
        # body: refused all the same.
        out = env.raw(post(b"blk", b"application/json; charset=utf-16le",
                           b"\xfe\xff" + DOC.encode("utf-16-be")))
        eq(split_head(out)[0].split(b"\r\n")[0], b"HTTP/1.1 403 Forbidden", "refused")
        eq(env.requests(0, timeout=0.5), [], "nothing reached the upstream")
        recs = env.log(2)
        eq([r["error.type"] for r in recs], ["blocked_uninspectable"] * 2, "reasons")
        eq([r["veil.request.body.omitted"] for r in recs], ["charset"] * 2, "omitted")
        no_canary(env)
    finally:
        env.stop()
        env.cleanup()


def test_redact_reencodes(veil):
    """Mode redact: a UTF-16LE body (with its BOM) is redacted and sent on
    in UTF-16LE with its BOM; the echoed response likewise; new lengths."""
    env = start(veil)
    try:
        for i, (enc, bom, ctype) in enumerate((
                ("utf-16-le", b"\xff\xfe", b"application/json"),
                ("utf-32-be", b"", b"application/json; charset=utf-32be"))):
            body = bom + DOC.encode(enc)
            want = bom + DOC_LABEL.encode(enc)
            out = env.raw(post(b"red", ctype, body))
            head, got = split_head(out)
            eq(got, want, "the client got the redacted echo in %s" % enc)
            up = env.requests(i + 1)[i][0]
            uh, ub = split_head(up)
            eq(ub, want, "the upstream got the redacted body in %s" % enc)
            eq(field(uh, b"content-length"), [b"%d" % len(want)], "new length upstream")
            eq(field(head, b"content-length"), [b"%d" % len(want)], "new length to the client")
        no_canary(env)
    finally:
        env.stop()
        env.cleanup()


TESTS = [test_utf16le_bom, test_utf16be_declared, test_utf32, test_unknown_charset,
         test_uninspectable_block, test_redact_reencodes]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
