#!/usr/bin/env python3
"""Multipart and XML bodies through the proxy: curl posts a
multipart/form-data body (a password part, a JSON part, an image) and a
SOAP body (<Password>, an e-mail attribute) to a real upstream; the access
log has the findings, the marker of the skipped image and no canary value.
In mode redact the password part is masked upstream and the image goes
byte for byte; with uninspectable: block a body with an image is refused.

Usage: test_walkers.py VEIL [test names...]
"""
import os
import sys
import tempfile

from harness import Env, check, eq, field, run, split_head

PASSWORD = b"canary-Pw-7c31e9"
EMAIL = b"canary.walkers.5d2e@example.org"
XML_SECRET = b"canary-Xs-90ab12"
# An image whose bytes hold an address: not inspected, so not found, but
# never logged either (the marker stands in its place).
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00\x01\x02\x03" * 64 +
       b" hidden.canary@example.net " + bytes(range(256)))

CONFIG = """version: 1
routes:
  - name: red
    match: {host: red}
    policy: red
  - name: strict
    match: {host: strict}
    policy: strict
policies:
  red:
    request:
      mode: redact
      actions: {default: mask}
  strict:
    request:
      mode: observe
      uninspectable: block
"""


def no_canary(env):
    raw = env.log_raw() + env.stderr()
    for v in (PASSWORD, EMAIL, XML_SECRET, b"hidden.canary@example.net", b"IHDR"):
        check(v not in raw, "no canary in the log or on stderr: %r" % v)


def files(env):
    d = tempfile.mkdtemp(prefix="veil-walkers-", dir=env.tmp)
    png = os.path.join(d, "me.png")
    with open(png, "wb") as f:
        f.write(PNG)
    meta = os.path.join(d, "meta.json")
    with open(meta, "wb") as f:
        f.write(b'{"contact":{"email":"' + EMAIL + b'"},"plan":"basic"}')
    return png, meta


def form_args(env):
    png, meta = files(env)
    return ["-F", "username=jdoe", "-F", b"password=".decode() + PASSWORD.decode(),
            "-F", "meta=<%s;type=application/json" % meta,
            "-F", "avatar=@%s;type=image/png" % png]


def test_multipart_log(veil):
    env = Env(veil)
    try:
        out, err, rc = env.curl(*form_args(env), "{base}/echo")
        eq(rc, 0, "curl exit status")
        reqs = env.requests(1)
        uh, ub = split_head(reqs[0][0])
        check(field(uh, b"content-type")[0].startswith(b"multipart/form-data; boundary="),
              "curl sent multipart/form-data")
        check(PASSWORD in ub and PNG in ub, "observe: the upstream got the original bytes")
        eq(out, ub, "the echo is the body curl sent")
        rec = env.log(1)[0]
        # The echo comes back with the same type: the response is read alike.
        kinds = sorted((f["detector"], f["location"], f["count"]) for f in rec["veil.findings"]
                       if f["location"].endswith(".body"))
        eq(kinds, [("email", "request.body", 1), ("email", "response.body", 1),
                   ("secret_field", "request.body", 1), ("secret_field", "response.body", 1)],
           "findings: the password part and the JSON part's e-mail, both ways")
        body = rec["http.request.body.content"]
        check('name="password"\r\n\r\n[SECRET]\r\n' in body, "the password part labelled")
        check('{"contact":{"email":"[EMAIL]"},"plan":"basic"}' in body,
              "the JSON part's e-mail labelled")
        lines = PNG.count(b"\n")
        check("[SKIPPED binary part, %d bytes]%s\r\n" % (len(PNG), "\n" * lines) in body,
              "the image replaced by its marker")
        eq(rec.get("veil.request.body.parts_skipped"), 1, "one part skipped")
        eq(rec.get("veil.response.body.parts_skipped"), 1, "and in the echo")
        no_canary(env)
    finally:
        env.stop()


SOAP = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope">\n'
        b' <soap:Body>\n'
        b'  <m:Login xmlns:m="http://example.org/auth" contact="' +
        EMAIL.replace(b"@", b"&#64;") + b'">\n'
        b'   <m:User>jdoe</m:User>\n'
        b'   <m:Password><![CDATA[' + XML_SECRET + b']]></m:Password>\n'
        b'  </m:Login>\n'
        b' </soap:Body>\n'
        b'</soap:Envelope>\n')


def test_xml_log(veil):
    env = Env(veil)
    try:
        out, err, rc = env.curl("-H", "Content-Type: application/soap+xml; charset=utf-8",
                                "--data-binary", SOAP.decode(), "{base}/echo")
        eq(rc, 0, "curl exit status")
        eq(out, SOAP, "observe: the echo is the original body")
        rec = env.log(1)[0]
        kinds = sorted((f["detector"], f["location"], f["count"]) for f in rec["veil.findings"]
                       if f["location"].endswith(".body"))
        eq(kinds, [("email", "request.body", 1), ("email", "response.body", 1),
                   ("secret_field", "request.body", 1), ("secret_field", "response.body", 1)],
           "findings: the e-mail attribute and the password element, both ways")
        check("<m:Password><![CDATA[[SECRET]]]></m:Password>" in
              rec["http.response.body.content"], "the response alike")
        body = rec["http.request.body.content"]
        check('contact="[EMAIL]"' in body, "the attribute labelled (entity and all)")
        check("<m:Password><![CDATA[[SECRET]]]></m:Password>" in body,
              "the password labelled inside its CDATA section")
        check(EMAIL.replace(b"@", b"&#64;") not in env.log_raw(), "no encoded canary either")
        no_canary(env)
    finally:
        env.stop()


def start(veil):
    d = tempfile.mkdtemp(prefix="veil-walkers-cfg-")
    path = os.path.join(d, "walkers.yaml")
    with open(path, "w") as f:
        f.write(CONFIG)
    return Env(veil, ["-c", path])


def test_multipart_redact_in_transit(veil):
    env = start(veil)
    try:
        out, err, rc = env.curl("-H", "Host: red", *form_args(env), "{base}/echo")
        eq(rc, 0, "curl exit status")
        uh, ub = split_head(env.requests(1)[0][0])
        check(PASSWORD not in ub and EMAIL not in ub, "no canary upstream")
        check(b'name="password"\r\n\r\n******-**-******\r\n' in ub,
              "the password part masked upstream (separators kept)")
        check(PNG in ub, "the image upstream byte for byte")
        eq(field(uh, b"content-length"), [b"%d" % len(ub)], "its length")
        eq(out, ub, "the echo is what the upstream got")
        rec = env.log(1)[0]
        check("[SKIPPED binary part, %d bytes]" % len(PNG) in rec["http.request.body.content"],
              "the log still has the marker")
        no_canary(env)
    finally:
        env.stop()


def test_multipart_uninspectable_block(veil):
    env = start(veil)
    try:
        out, err, rc = env.curl("-H", "Host: strict", "-w", "\n%{http_code}",
                                *form_args(env), "{base}/echo")
        eq(out.rsplit(b"\n", 1)[-1], b"403",
           "a body with a part veil cannot read is refused (block_status)")
        check(b"blocked_uninspectable" in out, "with its reason")
        eq(env.requests(0, timeout=0.5), [], "nothing upstream")
        # Without the image it goes.
        out, err, rc = env.curl("-H", "Host: strict", "-F", "username=jdoe",
                                "-F", "password=" + PASSWORD.decode(), "{base}/echo")
        eq(rc, 0, "curl exit status")
        check(PASSWORD in out, "observe: the original bytes")
        no_canary(env)
    finally:
        env.stop()


TESTS = [test_multipart_log, test_xml_log, test_multipart_redact_in_transit,
         test_multipart_uninspectable_block]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
