#!/usr/bin/env python3
"""Credentials in the access log: header names judged by their words,
header values judged by their look (whatever the name, unless a field rule
keeps the header), JSON keys by the same words as headers, and addresses
percent-encoded twice in the URL.

Usage: test_credentials.py VEIL [test names...]
"""
import os
import sys
import tempfile

from harness import Env, check, eq, run

CONFIG = """version: 1
routes:
  - name: keep
    match: {host: keep}
    policy: keep
  - name: lbl
    match: {host: lbl}
    policy: lbl
policies:
  lbl:
    request:
      actions: {default: label}
  keep:
    request:
      fields:
        - {header: X-Opaque, action: keep}
        - {header: X-Functions-Key, action: keep}
"""

RANDOM = b"Qm9vdHN0cmFwU2VjcmV0MTIzNDU2Nzg5MA"  # 34 base64 characters
STRIPE = b"sk_live_4eC39HqLyjWDarjtT1zdp7dc"
UUID = b"f81d4fae-7dec-11d0-a765-00a0c91e6bf6"
REQID = b"4d8a1e0e6c1f4b2fa1b2c3d4e5f60718"
# Headers whose names leaked before (issue 14), each with a canary value.
NAMED = [(b"Authentication", b"Basic canary-authn-1"),
         (b"X-Functions-Key", b"canary-fkey-2"),
         (b"Ocp-Apim-Subscription-Key", b"canary-apim-3"),
         (b"X-Auth", b"canary-xauth-4"),
         (b"X-Pass", b"canary-xpass-5"),
         (b"X-Pwd", b"canary-xpwd-6"),
         (b"X-Credentials", b"canary-xcred-7"),
         (b"Cookie2", b'$Version="1"; canary-c2-8')]


def start(veil):
    d = tempfile.mkdtemp(prefix="veil-cred-")
    path = os.path.join(d, "cred.yaml")
    with open(path, "w") as f:
        f.write(CONFIG)
    return Env(veil, ["-c", path])


def request(host, extra, body=b"", path=b"/echo"):
    head = b"POST " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
    for k, v in extra:
        head += k + b": " + v + b"\r\n"
    head += (b"Content-Type: application/json\r\nConnection: close\r\n"
             b"Content-Length: %d\r\n\r\n" % len(body))
    return head + body


def no_canary(env, values):
    raw = env.log_raw() + env.stderr()
    for v in values:
        check(v not in raw, "in the log or stderr: %r" % v)


def test_header_names(veil):
    """Every header whose name holds a credential word is [REDACTED]."""
    env = start(veil)
    try:
        env.raw(request(b"plain", NAMED))
        h = env.log(1)[0]["http.request.headers"]
        for name, _ in NAMED:
            eq(h[name.decode().lower()], "[REDACTED]", name.decode())
        no_canary(env, [v for _, v in NAMED])
    finally:
        env.stop()
        env.cleanup()


def test_header_values(veil):
    """A value that looks like a credential is [REDACTED] whatever its
    header's name; UUIDs and hex request ids are logged; a rule with action
    keep logs the header's value as the engine redacts it (a credential
    name stays [REDACTED])."""
    env = start(veil)
    try:
        extra = [(b"X-Custom-Thing", STRIPE), (b"X-Opaque", RANDOM),
                 (b"X-Trace", UUID), (b"X-Request-Id", REQID),
                 (b"X-Functions-Key", b"canary-fkey-2"),
                 (b"X-Note", b"call jane.doe@example.com")]
        env.raw(request(b"plain", extra))
        env.raw(request(b"keep", extra))
        plain, keep = env.log(2)
        h = plain["http.request.headers"]
        eq(h["x-custom-thing"], "[REDACTED]", "a Stripe key under any name")
        eq(h["x-opaque"], "[REDACTED]", "random base64 under any name")
        eq(h["x-trace"], UUID.decode(), "a UUID is logged")
        eq(h["x-request-id"], REQID.decode(), "a 32-hex request id is logged")
        eq(plain["http.request.id"], REQID.decode(), "the request id")
        eq(h["x-note"], "call ****.***@*******.***", "other values: the engine as before")
        k = keep["http.request.headers"]
        eq(k["x-opaque"], RANDOM.decode(), "action keep logs the value")
        eq(k["x-custom-thing"], "[REDACTED]", "no rule: judged")
        eq(k["x-functions-key"], "[REDACTED]", "a credential name stays redacted")
        eq(keep["veil.route"], "keep", "route")
        raw = env.log_raw()
        check(raw.count(RANDOM) == 1, "the random value only where kept")
        no_canary(env, [STRIPE, b"canary-fkey-2", b"jane.doe@example.com"])
    finally:
        env.stop()
        env.cleanup()


def test_request_id_that_looks_secret(veil):
    """X-Request-Id that reads as a credential is not written as the
    record's request id either."""
    env = start(veil)
    try:
        env.raw(request(b"plain", [(b"X-Request-Id", RANDOM)]))
        r = env.log(1)[0]
        eq(r["http.request.id"], "[REDACTED]", "http.request.id")
        eq(r["http.request.headers"]["x-request-id"], "[REDACTED]", "header")
        no_canary(env, [RANDOM])
    finally:
        env.stop()
        env.cleanup()


def test_json_keys(veil):
    """JSON keys are judged by the same words: auth and translated
    password keys are secret fields."""
    env = start(veil)
    try:
        body = ('{"auth":"canary-auth-9","Passwort":"canary-pw-10",'
                '"contrase\u00f1a":"canary-pw-11","mot_de_passe":"canary-pw-12",'
                '"wachtwoord":"canary-pw-13","senha":"canary-pw-14",'
                '"\u30d1\u30b9\u30ef\u30fc\u30c9":"canary-pw-15",'
                '"next_page_token":"page-2","note":"hi"}').encode()
        env.raw(request(b"plain", [], body))
        r = env.log(1)[0]
        eq(r["http.request.body.content"],
           '{"auth":"******-****-*","Passwort":"******-**-**",'
           '"contrase\u00f1a":"******-**-**","mot_de_passe":"******-**-**",'
           '"wachtwoord":"******-**-**","senha":"******-**-**",'
           '"\u30d1\u30b9\u30ef\u30fc\u30c9":"******-**-**",'
           '"next_page_token":"page-2","note":"hi"}', "request body (mask)")
        found = [(f["detector"], f["count"]) for f in r["veil.findings"]
                 if f["location"] == "request.body"]
        eq(found, [("secret_field", 7)], "findings")
        no_canary(env, [b"canary-auth-9"] + [b"canary-pw-%d" % i for i in range(10, 16)])
    finally:
        env.stop()
        env.cleanup()


def test_double_encoded_url(veil):
    """Percent-encoding twice (%2540 is '@') does not hide an address in
    the path or the query. A path segment that holds a finding once
    decoded is written redacted whole; the other segments keep their
    bytes."""
    env = start(veil)
    try:
        target = (b"/u/canary%2540example.org/keep%20me/c/4111%201111%201111%201111/x%25zz"
                  b"?c=other%2540example.org&card=4111%25201111%25201111%25201111&n=1")
        out = env.raw(b"GET " + target + b" HTTP/1.1\r\nHost: lbl\r\nConnection: close\r\n\r\n")
        check(out.startswith(b"HTTP/1.1 "), "answered")
        up = env.requests(1)[0][0]
        check(up.startswith(b"GET " + target + b" HTTP/1.1\r\n"), "the target went on as it was")
        r = env.log(1)[0]
        eq(r["url.path"], "/u/[EMAIL]/keep%20me/c/[CREDIT_CARD]/x%25zz", "url.path")
        eq(r["url.query"], "c=[EMAIL]&card=[CREDIT_CARD]&n=1", "url.query")
        got = sorted((f["detector"], f["location"], f["count"]) for f in r["veil.findings"])
        eq(got, [("credit_card", "url.path", 1), ("credit_card", "url.query", 1),
                 ("email", "url.path", 1), ("email", "url.query", 1)], "findings")
        no_canary(env, [b"canary%2540example.org", b"other%2540example.org", b"canary",
                        b"4111%25201111", b"4111%201111"])
    finally:
        env.stop()
        env.cleanup()


TESTS = [test_header_names, test_header_values, test_request_id_that_looks_secret,
         test_json_keys, test_double_encoded_url]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
