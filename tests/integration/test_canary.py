#!/usr/bin/env python3
"""Canary test: distinctive synthetic PII sent through normal exchanges,
rejected requests, timeouts, upstream failures, aborted connections and a
tunnel must never appear in any access-log line or on veil's stderr.

The body, credential-name and path cases send the same canaries in every
body type and content coding veil inspects (both ways: a mirror upstream
answers each request with its own body, type and coding), high-entropy
secret canaries under 60 credential header names and many JSON/form keys,
and a double-percent-encoded address in the path; they look for every
canary in every log value (decoded: JSON escapes, NULs of UTF-16/32
text), on stderr and in the admin endpoints (/stats, /metrics, /config,
/report), and print every leak found, not only the first.

Usage: test_canary.py VEIL [test names...]
"""
import base64
import gzip
import hashlib
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import zlib
from urllib.parse import quote

from harness import Env, check, eq, run, split_head, wait_read

EMAIL = b"canary.4f9c@example.org"
CARD = b"4111111111111111"
CARD_SP = b"4111 1111 1111 1111"
SSN = b"123-45-6789"

# What must never be written: the values and their recognisable parts.
FORBIDDEN = [b"canary", b"example.org", b"4f9c", b"4111111111111111",
             b"4111 1111", b"4111-1111", b"123-45-6789", b"123456789"]


HEX_RUN = re.compile(r"[0-9a-f]{12,}")
HEX_RUN_B = re.compile(rb"[0-9a-f]{12,}")


def without_hex_ids(text):
    """<text> (lower case) with every run of 12 or more hex digits that
    holds a letter replaced by "#": generated request ids and config
    digests are random hex and may contain "4f9c" by chance (1 in ~2,000
    ids); the canaries' hex-looking parts sit between dots and @, and the
    card number has no letter, so no canary is hidden."""
    if isinstance(text, bytes):
        return HEX_RUN_B.sub(lambda m: b"#" if re.search(rb"[a-f]",
                                                          m.group())
                             else m.group(), text)
    return HEX_RUN.sub(lambda m: "#" if re.search(r"[a-f]", m.group())
                       else m.group(), text)


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
    wait_read(env.port, s)
    abort(s)
    s = env.raw(b"POST /echo?" + q + b" HTTP/1.1\r\nHost: a\r\n"
                b"Content-Length: 1000\r\n\r\n" + body_json,
                read_until_close=False)
    wait_read(env.port, s)
    abort(s)
    s = env.raw(b"GET /slow?ms=1000&" + q + b" HTTP/1.1\r\nHost: a\r\n\r\n",
                read_until_close=False)
    end = time.time() + 5  # aborted while it waits at the upstream
    while time.time() < end and not any(r[0].startswith(b"GET /slow?ms=1000&")
                                        for r in env.requests()):
        time.sleep(0.02)
    abort(s)

    # A tunnel (never inspected, never logged).
    s = env.raw(b"GET /ws?" + q + b" HTTP/1.1\r\nHost: a\r\n"
                b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
                read_until_close=False)
    s.recv(4096)
    s.sendall(EMAIL + b" " + CARD)
    wait_read(env.port, s)
    s.close()
    return 24


def test_canaries_never_logged(veil):
    env = Env(veil, ["--header-timeout", "500ms", "--body-timeout", "500ms",
                     "--upstream-timeout", "500ms", "--inspect-limit", "64k"])
    try:
        expected = exchanges(env)
        env.log(min_lines=expected, timeout=10)  # the last timeouts fire
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
                i = without_hex_ids(data.lower()).find(needle)
                check(i < 0, "%r found in the %s: %r" %
                      (needle, what, data[max(0, i - 60):i + 40]))
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


# ---- every body type, coding and credential name ----

def secret_for(name):
    """A high-entropy secret canary for one credential name: 32 characters
    of base64url from SHA-256, so a leak names the field it came from."""
    d = hashlib.sha256(b"veil canary " + name.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(d).decode()[:32].replace("-", "x") \
        .replace("_", "y")


# Credential header names of real APIs (and a few generic ones).
CREDENTIAL_HEADERS = [
    # Required by issue 14.
    "Authentication", "X-Functions-Key", "Ocp-Apim-Subscription-Key",
    "X-Auth", "X-Pass", "X-Pwd", "X-Credentials", "Cookie2",
    # AWS
    "X-Amz-Security-Token", "X-Amzn-Remapped-Authorization", "X-Api-Key",
    "X-Amz-Server-Side-Encryption-Customer-Key",
    "X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key",
    # Azure
    "Api-Key", "X-Ms-Authorization-Auxiliary", "X-Ms-Token-Aad-Access-Token",
    "X-Ms-Encryption-Key", "X-Ms-Client-Principal",
    # Google Cloud
    "X-Goog-Api-Key", "X-Goog-Iap-Jwt-Assertion",
    "X-Serverless-Authorization", "X-Goog-Encryption-Key",
    # Stripe, GitHub, Slack, Twilio, Shopify
    "Stripe-Signature", "X-Hub-Signature-256", "X-GitHub-OTP",
    "X-Slack-Signature", "X-Twilio-Signature", "X-Shopify-Access-Token",
    "X-Shopify-Hmac-Sha256",
    # Datadog, New Relic, Cloudflare, Fastly, Sentry, Honeycomb
    "DD-API-KEY", "DD-APPLICATION-KEY", "X-Insert-Key", "X-License-Key",
    "X-Auth-Key", "CF-Access-Client-Secret", "CF-Access-Jwt-Assertion",
    "Fastly-Key", "X-Sentry-Auth", "X-Honeycomb-Team",
    # HashiCorp, GitLab, JFrog, npm, Jenkins, OpenStack
    "X-Vault-Token", "X-Consul-Token", "X-Nomad-Token", "X-Gitlab-Token",
    "Private-Token", "X-JFrog-Art-Api", "Npm-Otp", "Jenkins-Crumb",
    "X-Auth-Token",
    # Payments and backends as a service
    "Plaid-Secret", "PayPal-Auth-Assertion", "Paypal-Transmission-Sig",
    "X-Parse-Master-Key", "X-Appwrite-Key", "X-RapidAPI-Key",
    "X-Algolia-API-Key", "X-Postmark-Server-Token", "X-Hasura-Admin-Secret",
    "X-Firebase-AppCheck", "X-Tableau-Auth", "X-IBM-Client-Secret",
]

# Credential keys in JSON and form bodies, several languages.
CREDENTIAL_KEYS = [
    "auth", "Passwort", "contraseña", "mot_de_passe", "wachtwoord", "senha",
    "パスワード", "password", "passwd", "pwd", "pass", "passcode",
    "client_secret", "refresh_token", "access_token", "id_token", "api_key",
    "apiKey", "secret_key", "private_key", "aws_secret_access_key",
    "AccountKey", "pin", "otp", "totp", "credentials", "authorization",
    "session_token", "Kennwort", "hasło", "lösenord", "salasana", "пароль",
    "密码", "비밀번호", "parola", "clave",
]

GRAPHQL_PW = secret_for("graphql password")
MULTIPART_PW = secret_for("multipart password")
XML_PW = secret_for("xml password")


def needles():
    """(label, lower-case text) for every canary and its telling parts."""
    out = [(n.decode(), n.decode()) for n in FORBIDDEN]
    for name in CREDENTIAL_HEADERS + CREDENTIAL_KEYS + [
            "graphql password", "multipart password", "xml password"]:
        sec = secret_for(name).lower()
        out.append(("secret of %s" % name, sec[:12]))
    return out


NEEDLES = needles()


def find_needles(text):
    """Labels of the canaries in <text>, also when it is UTF-16/32 text
    whose NULs were logged (removed here) or percent-encoded once more."""
    t = without_hex_ids(text.lower())
    forms = {t, without_hex_ids(t.replace("\x00", "")),
             t.replace("%25", "%")}
    found = []
    for label, n in NEEDLES:
        if any(n in f for f in forms):
            found.append(label)
    return found


def walk(value, path):
    """(path, string) for every key and string value of a JSON value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield path + "{key}", k
            yield from walk(v, path + "." + k if path else k)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from walk(v, "%s[%d]" % (path, i))


def snippet(text, labels):
    """The text around the first canary found, NULs removed."""
    plain = text.replace("\x00", "")
    low = plain.lower()
    found = [low.find(dict(NEEDLES)[x]) for x in labels]
    i = min([j for j in found if j >= 0] or [0])
    return repr(plain[max(0, i - 30):i + 60])


def leak_line(where, text):
    """(printable line, canary labels) for <text> at <where>, or None when
    it holds no canary."""
    labels = find_needles(text)
    if not labels:
        return None
    return ("%s: %s in %s" % (where, "; ".join(labels),
                              snippet(text, labels)), labels)


def leaks_everywhere(env):
    """Every canary found in the access log (each record's values), veil's
    stderr and the admin endpoints: (printable line, labels) per place."""
    leaks = []
    for line in env.log_raw().splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            leaks.append(("access log: a line that is not JSON: %r" %
                          line[:80], []))
            continue
        rid = rec.get("http.request.id", "?")
        for path, text in walk(rec, ""):
            leaks.append(leak_line("access log, record %s, %s" % (rid, path),
                                   text))
    leaks.append(leak_line("stderr", env.stderr().decode("utf-8",
                                                          "replace")))
    for ep in ("/stats", "/metrics", "/config", "/report"):
        out = env.raw(b"GET " + ep.encode() + b" HTTP/1.1\r\nHost: a\r\n"
                      b"Connection: close\r\n\r\n", port=env.admin_port)
        check(out.startswith(b"HTTP/1.1 200 "), "admin %s answers" % ep)
        leaks.append(leak_line("admin " + ep, out.decode("utf-8",
                                                         "replace")))
    return [x for x in leaks if x is not None]


class Mirror:
    """An upstream that answers each request with its own body, with the
    request's Content-Type and Content-Encoding; with `X-Mirror-Headers:
    1` it also returns the request's other fields as response fields. So
    one exchange carries a canary body both ways."""

    SKIP = {b"host", b"content-length", b"content-type", b"content-encoding",
            b"connection", b"transfer-encoding", b"x-forwarded-for",
            b"x-forwarded-proto", b"via", b"x-request-id",
            b"x-mirror-headers", b"expect"}

    def __init__(self, port):
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", port))
        self.ls.listen(16)
        threading.Thread(target=self.accept, daemon=True).start()

    def stop(self):
        self.ls.close()

    def accept(self):
        while True:
            try:
                s, _ = self.ls.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(s,),
                             daemon=True).start()

    def serve(self, s):
        buf = b""
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    d = s.recv(65536)
                    if not d:
                        return
                    buf += d
                head, buf = split_head(buf)
                fields = []
                for ln in head.split(b"\r\n")[1:]:
                    if b":" in ln:
                        k, v = ln.split(b":", 1)
                        fields.append((k.strip(), v.strip()))
                low = {k.lower(): v for k, v in fields}
                body = b""
                if low.get(b"transfer-encoding", b"").lower() == b"chunked":
                    while True:
                        while b"\r\n" not in buf:
                            buf += s.recv(65536)
                        ln, buf = buf.split(b"\r\n", 1)
                        size = int(ln.split(b";")[0], 16)
                        while len(buf) < size + 2:
                            buf += s.recv(65536)
                        body += buf[:size]
                        buf = buf[size + 2:]
                        if size == 0:
                            break
                else:
                    n = int(low.get(b"content-length", b"0"))
                    while len(buf) < n:
                        buf += s.recv(65536)
                    body, buf = buf[:n], buf[n:]
                out = b"HTTP/1.1 200 OK\r\n"
                for k in (b"content-type", b"content-encoding"):
                    if k in low:
                        out += k.title() + b": " + low[k] + b"\r\n"
                if low.get(b"x-mirror-headers") == b"1":
                    for k, v in fields:
                        if k.lower() not in self.SKIP:
                            out += k + b": " + v + b"\r\n"
                s.sendall(out + b"Content-Length: %d\r\n\r\n" % len(body) +
                          body)
        except OSError:
            return
        finally:
            s.close()


def mirror_env(veil):
    env = Env(veil, upstream=False)
    env.mirror = Mirror(env.up_port)
    return env


def post(env, rid, body, ctype, coding=None, extra=()):
    """POSTs <body> to the mirror; returns the body that came back."""
    head = (b"POST /mirror HTTP/1.1\r\nHost: app.test\r\nX-Request-Id: " +
            rid.encode() + b"\r\nContent-Type: " + ctype.encode() + b"\r\n")
    if coding:
        head += b"Content-Encoding: " + coding.encode() + b"\r\n"
    for k, v in extra:
        head += k.encode("latin-1") + b": " + v.encode("latin-1") + b"\r\n"
    out = env.raw(head + b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                  % len(body) + body)
    check(out.startswith(b"HTTP/1.1 200 OK\r\n"), "%s: answered %r" %
          (rid, out[:60]))
    return split_head(out)[1]


def body_cases():
    """(id, body, Content-Type, Content-Coding) with the canaries."""
    e, c, cs, ssn = (EMAIL.decode(), CARD.decode(), CARD_SP.decode(),
                     SSN.decode())
    as_json = json.dumps({"email": e, "card": cs, "ssn": ssn,
                          "note": "contact " + e}).encode()
    form = ("email=%s&card=%s&ssn=%s&note=hi" % (e.replace("@", "%40"), c,
                                                 ssn)).encode()
    text = ("Contact %s, card %s, SSN %s.\n" % (e, cs, ssn)).encode()
    boundary = "vb-7d1f9e2b0a"
    multipart = (
        "--{b}\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n"
        "{e}\r\n--{b}\r\nContent-Disposition: form-data; name=\"password\""
        "\r\n\r\n{pw}\r\n--{b}\r\nContent-Disposition: form-data; "
        "name=\"profile\"; filename=\"p.txt\"\r\nContent-Type: text/plain"
        "\r\n\r\ncard {cs} ssn {ssn}\r\n--{b}--\r\n").format(
            b=boundary, e=e, pw=MULTIPART_PW, cs=cs, ssn=ssn).encode()
    xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<account email="%s">'
           '<password>%s</password><card>%s</card><ssn>%s</ssn></account>'
           % (e, XML_PW, c, ssn)).encode()
    ndjson = ("".join(json.dumps(o) + "\n" for o in (
        {"email": e}, {"card": c}, {"ssn": ssn}))).encode()
    csv = ("email,card,ssn\r\n%s,%s,%s\r\n" % (e, c, ssn)).encode()
    html = ("<!DOCTYPE html><html><body><p>Contact <a href=\"mailto:%s\">"
            "%s</a></p><p>Card %s</p><p>SSN %s</p></body></html>"
            % (e, e, cs, ssn)).encode()
    gql = ('mutation { login(email: "%s", password: "%s", card: "%s") '
           '{ token } }' % (e, GRAPHQL_PW, c)).encode()
    gql_json = json.dumps({
        "query": "mutation Login($email: String!, $password: String!) "
                 "{ login(email: $email, password: $password) { token } }",
        "variables": {"email": e, "password": GRAPHQL_PW, "card": c,
                      "ssn": ssn}}).encode()
    plain = as_json.decode()
    raw = zlib.compressobj(wbits=-15)
    return [
        ("json", as_json, "application/json", None),
        ("form", form, "application/x-www-form-urlencoded", None),
        ("multipart", multipart,
         "multipart/form-data; boundary=" + boundary, None),
        ("xml", xml, "application/xml", None),
        ("text", text, "text/plain", None),
        ("ndjson", ndjson, "application/x-ndjson", None),
        ("csv", csv, "text/csv", None),
        ("html", html, "text/html; charset=utf-8", None),
        ("graphql", gql, "application/graphql", None),
        ("graphql_json", gql_json, "application/json", None),
        ("utf16le_bom", b"\xff\xfe" + plain.encode("utf-16-le"),
         "application/json", None),
        ("utf16be_declared", plain.encode("utf-16-be"),
         "application/json; charset=utf-16be", None),
        ("utf16_text", "\ufeff".encode("utf-16-le") +
         text.decode().encode("utf-16-le"), "text/plain; charset=utf-16",
         None),
        ("utf32", plain.encode("utf-32"),
         "application/json; charset=utf-32", None),
        ("gzip", gzip.compress(as_json), "application/json", "gzip"),
        ("x_gzip", gzip.compress(text), "text/plain", "x-gzip"),
        ("deflate_zlib", zlib.compress(form),
         "application/x-www-form-urlencoded", "deflate"),
        ("deflate_raw", raw.compress(xml) + raw.flush(), "application/xml",
         "deflate"),
    ]


def report(leaks, what):
    for ln, _ in leaks:
        print("LEAK " + ln)
    sys.stdout.flush()
    check(not leaks, "%d leaks of %s (listed above)" % (len(leaks), what))


def test_canary_body_types(veil):
    """The canaries in every body type and content coding, as request and
    (mirrored) response bodies."""
    env = mirror_env(veil)
    try:
        cases = body_cases()
        for rid, body, ctype, coding in cases:
            back = post(env, "body-" + rid, body, ctype, coding)
            eq(back, body, "%s: body forwarded and mirrored untouched" % rid)
        recs = env.log(len(cases))
        eq(len(recs), len(cases), "records")
        # Not vacuous: the plain cases were inspected and found.
        by_id = {r["http.request.id"]: r for r in recs}
        for rid in ("body-json", "body-form", "body-text", "body-gzip"):
            dets = {f["detector"] for f in by_id[rid]["veil.findings"]}
            check("email" in dets, "%s: email found (%s)" % (rid, dets))
        # Bodies left out of the log are no leak (fail closed), but their
        # personal data is not counted either: say which.
        for r in recs:
            for side in ("request", "response"):
                why = r.get("veil.%s.body.omitted" % side)
                if why is not None:
                    print("not inspected: %s %s body (%s)" %
                          (r["http.request.id"], side, why))
        report(leaks_everywhere(env), "body canaries")
    finally:
        env.mirror.stop()
        env.stop()
        env.cleanup()


def test_canary_credential_names(veil):
    """A secret canary under each of 60 credential header names (request
    and mirrored response fields) and under credential keys of JSON and
    form bodies."""
    check(len(CREDENTIAL_HEADERS) == 60, "60 header names (%d)" %
          len(CREDENTIAL_HEADERS))
    env = mirror_env(veil)
    try:
        hdrs = [(h, secret_for(h)) for h in CREDENTIAL_HEADERS]
        post(env, "cred-headers", b"{}", "application/json",
             extra=hdrs + [("X-Mirror-Headers", "1")])
        body = json.dumps({k: secret_for(k) for k in CREDENTIAL_KEYS},
                          ensure_ascii=False).encode()
        back = post(env, "cred-json", body, "application/json")
        eq(back, body, "JSON mirrored")
        escaped = json.dumps({k: secret_for(k) for k in CREDENTIAL_KEYS})
        post(env, "cred-json-escaped", escaped.encode(), "application/json")
        form = "&".join("%s=%s" % (quote(k, safe=""), secret_for(k))
                        for k in CREDENTIAL_KEYS).encode()
        post(env, "cred-form", form, "application/x-www-form-urlencoded")
        recs = env.log(4)
        eq(len(recs), 4, "records")
        leaks = leaks_everywhere(env)
        named = sorted({x[len("secret of "):] for _, labels in leaks
                        for x in labels if x.startswith("secret of ")})
        if named:
            print("credential names whose secret leaked (%d): %s"
                  % (len(named), ", ".join(named)))
        report(leaks, "credential secrets")
    finally:
        env.mirror.stop()
        env.stop()
        env.cleanup()


def test_canary_double_encoded_path(veil):
    """An address percent-encoded twice (%2540 is "%40" once decoded, "@"
    twice) in the path and in the query."""
    env = mirror_env(veil)
    try:
        for rid, target in (("dpath", b"/u/canary.4f9c%2540example.org"),
                            ("dquery", b"/u?e=canary.4f9c%2540example.org"),
                            ("dpath3", b"/u/canary.4f9c%252540example.org")):
            out = env.raw(b"GET " + target + b" HTTP/1.1\r\nHost: app.test\r\n"
                          b"X-Request-Id: " + rid.encode() +
                          b"\r\nConnection: close\r\n\r\n")
            check(out.startswith(b"HTTP/1.1 200 OK\r\n"), "answered")
        eq(len(env.log(3)), 3, "records")
        report(leaks_everywhere(env), "double-encoded addresses")
    finally:
        env.mirror.stop()
        env.stop()
        env.cleanup()


TESTS = [test_canaries_never_logged, test_canary_body_types,
         test_canary_credential_names, test_canary_double_encoded_path]


if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
