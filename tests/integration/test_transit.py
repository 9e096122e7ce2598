#!/usr/bin/env python3
"""Policies that act on the bytes in transit: modes redact and tokenize
rewrite request and response bodies (new framing, exact bytes asserted on
both sides), mode block refuses a response, and what cannot be rewritten
or judged is refused (fail closed). Routes pick the policy by Host.

Usage: test_transit.py VEIL [test names...]
"""
import os
import re
import sys
import tempfile

from harness import Env, check, eq, field, run, split_head

KEY = "0123456789abcdef0123456789abcdef"

CONFIG = """version: 1
keys:
  tok:
    env: VEIL_TRANSIT_KEY
routes:
  - name: red
    match: {host: red}
    policy: red
  - name: tok
    match: {host: tok}
    policy: tok
  - name: blk
    match: {host: blk}
    policy: blk
  - name: fld
    match: {host: fld}
    policy: fld
  - name: blkq
    match: {host: blkq}
    policy: blkq
  - name: ph
    match: {host: ph}
    policy: ph
  - name: fldr
    match: {host: fldr}
    policy: fldr
policies:
  fld:
    request:
      mode: observe
      fields:
        - json: $.payment.cvv
          action: drop
        - header: X-Customer-Ref
          action: label
        - query: token
          action: drop
        - key: '(?i)^otp$'
          action: mask
    response:
      mode: observe
      body_log:
        allow: [note]
  fldr:
    request:
      mode: redact
      fields:
        - json: $.payment.cvv
          action: drop
        - header: X-Forwarded-For
          action: drop
        - header: X-Customer-Ref
          action: label
  red:
    request:
      mode: redact
      actions: {default: mask, email: label}
    response:
      mode: redact
      actions: {default: label}
  tok:
    request:
      mode: tokenize
      hash_key: tok
    response:
      mode: observe
  ph:
    request:
      mode: redact
      actions: {email: placeholder, credit_card: placeholder, default: label}
    response:
      mode: observe
  blkq:
    request:
      mode: block
      block: [all]
  blk:
    request:
      mode: observe
    response:
      mode: block
      block: [financial]
      block_status: 451
"""

EMAIL = b"jane.transit@example.com"
CARD = b"4111 1111 1111 1111"
BODY = (b'{"user":{"email":"' + EMAIL + b'","card":"' + CARD +
        b'","note":"hi"}}')
# What the red policy's request side makes of BODY: the e-mail labelled,
# the card masked to its last four digits.
BODY_RED = b'{"user":{"email":"[EMAIL]","card":"**** **** **** 1111","note":"hi"}}'


def start(veil, args=()):
    env_key = os.environ.copy()
    os.environ["VEIL_TRANSIT_KEY"] = KEY
    try:
        d = tempfile.mkdtemp(prefix="veil-transit-")
        path = os.path.join(d, "transit.yaml")
        with open(path, "w") as f:
            f.write(CONFIG)
        return Env(veil, ["-c", path] + list(args))
    finally:
        os.environ.clear()
        os.environ.update(env_key)


def post(host, path, body, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
            b"Content-Type: application/json\r\nConnection: close\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def get(host, path):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: " + host +
            b"\r\nConnection: close\r\n\r\n")


def upstream_head(env, req):
    """Sends <req> and returns the head the upstream received for it."""
    env.raw(req)
    return env.requests(1)[0][0].split(b"\r\n\r\n")[0]


def no_canary(env):
    raw = env.log_raw() + env.stderr()
    for v in (EMAIL, CARD, CARD.replace(b" ", b""), b"canary.4f9c@example.org",
              b"4111111111111111", b"123-45-6789"):
        check(v not in raw, "no PII value in the log or on stderr")


def test_redact_request_content_length(veil):
    env = start(veil)
    try:
        out = env.raw(post(b"red", b"/echo", BODY))
        head, body = split_head(out)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 200 OK", "status")
        # The echo of what the upstream got: the rewritten body.
        eq(body, BODY_RED, "client gets the upstream's echo of the rewritten body")
        reqs = env.requests(1)
        eq(len(reqs), 1, "one request upstream")
        uh, ub = split_head(reqs[0][0])
        eq(ub, BODY_RED, "upstream body, exact bytes")
        eq(field(uh, b"content-length"), [b"%d" % len(BODY_RED)],
           "upstream Content-Length is the rewritten length")
        check(EMAIL not in reqs[0][0] and b"4111" not in reqs[0][0].split(b"\r\n\r\n")[1][:60],
              "no PII upstream")
        rec = env.log(1)[0]
        kinds = {(f["detector"], f["location"], f["action"]) for f in rec["veil.findings"]}
        check(("email", "request.body", "label") in kinds, "email finding, action label")
        check(("credit_card", "request.body", "mask") in kinds, "card finding, action mask")
        no_canary(env)
    finally:
        env.stop()


def test_redact_body_over_log_limit(veil):
    """A body whose redacted copy for the log was cut at the log limit is
    rewritten by its own pass: the upstream still gets it whole."""
    env = start(veil, ["--log-body-limit", "24"])
    try:
        out = env.raw(post(b"red", b"/echo", BODY))
        eq(split_head(out)[1], BODY_RED, "the echo of the whole rewritten body")
        uh, ub = split_head(env.requests(1)[0][0])
        eq(ub, BODY_RED, "upstream body, exact bytes")
        rec = env.log(1)[0]
        eq(rec["http.request.body.content"], BODY_RED[:24].decode(), "the log keeps 24 bytes")
        eq(rec.get("veil.request.body.truncated"), True, "and says it cut")
        no_canary(env)
    finally:
        env.stop()


def test_redact_request_chunked(veil):
    env = start(veil)
    try:
        req = (b"POST /count HTTP/1.1\r\nHost: red\r\nContent-Type: application/json\r\n"
               b"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n" +
               b"%x\r\n" % 20 + BODY[:20] + b"\r\n" +
               b"%x\r\n" % (len(BODY) - 20) + BODY[20:] + b"\r\n0\r\n\r\n")
        out = env.raw(req)
        eq(split_head(out)[1], b"%d" % len(BODY_RED), "upstream counted the rewritten body")
        uh, ub = split_head(env.requests(1)[0][0])
        eq(field(uh, b"transfer-encoding"), [b"chunked"], "still chunked upstream")
        eq(ub, b"%x\r\n" % len(BODY_RED) + BODY_RED + b"\r\n0\r\n\r\n",
           "one chunk with the rewritten body, then the last chunk")
        no_canary(env)
    finally:
        env.stop()


def test_redact_responses(veil):
    env = start(veil)
    try:
        # Content-Length response.
        out = env.raw(get(b"red", b"/json"))
        head, body = split_head(out)
        want = b'{"user":"[EMAIL]","card":"[CREDIT_CARD]","ssn":"[US_SSN]","note":"ok"}'
        eq(body, want, "JSON response rewritten")
        eq(field(head, b"content-length"), [b"%d" % len(want)], "its new length")
        # A chunked response is sent with a length of its own (and no
        # trailers: the body was judged whole).
        out = env.raw(get(b"red", b"/chunked"))
        head, body = split_head(out)
        eq(body, b"hello [EMAIL] end", "chunked response rewritten")
        eq(field(head, b"content-length"), [b"17"], "length instead of chunks")
        eq(field(head, b"transfer-encoding"), [], "no chunked framing")
        # Close-delimited: a length too, so the client may keep the
        # connection.
        out = env.raw(get(b"red", b"/eof"))
        head, body = split_head(out)
        eq(body, b"until the end", "close-delimited response, no PII: unchanged")
        eq(field(head, b"content-length"), [b"13"], "close-delimited gets a length")
        no_canary(env)
    finally:
        env.stop()


def test_keepalive_across_held_bodies(veil):
    """Several rewritten exchanges on one client connection, in order."""
    env = start(veil)
    try:
        one = post(b"red", b"/echo", BODY).replace(b"Connection: close\r\n", b"")
        last = get(b"red", b"/json")
        out = env.raw(one + one + last)
        parts = out.split(b"HTTP/1.1 200 OK\r\n")
        eq(len(parts), 4, "three responses on one connection")
        for p in parts[1:3]:
            check(p.endswith(BODY_RED), "each echo is the rewritten body")
        eq(len({c for _, c in env.requests(3)}) >= 1, True, "served")
    finally:
        env.stop()


def test_tokenize_request(veil):
    env = start(veil)
    try:
        out1 = env.raw(post(b"tok", b"/echo", BODY))
        out2 = env.raw(post(b"tok", b"/echo", BODY))
        b1, b2 = split_head(out1)[1], split_head(out2)[1]
        eq(b1, b2, "tokens are deterministic: the same value, the same token")
        m = re.fullmatch(rb'\{"user":\{"email":"\[EMAIL:([0-9a-f]{16})\]",'
                         rb'"card":"\[CREDIT_CARD:([0-9a-f]{16})\]","note":"hi"\}\}', b1)
        check(m is not None, "values replaced by keyed tokens: %r" % b1)
        check(m.group(1) != m.group(2), "different values, different tokens")
        uh, ub = split_head(env.requests(2)[0][0])
        eq(ub, b1, "the upstream got the tokenized body")
        eq(field(uh, b"content-length"), [b"%d" % len(b1)], "new length upstream")
        no_canary(env)
    finally:
        env.stop()


def test_rewriting_asks_for_identity(veil):
    """A route whose responses are rewritten asks the upstream for an
    uncompressed body (veil cannot rewrite a compressed one); other routes
    forward the client's Accept-Encoding as it is."""
    env = start(veil)
    try:
        req = (b"GET /json HTTP/1.1\r\nHost: %s\r\nAccept-Encoding: gzip, br\r\n"
               b"Connection: close\r\n\r\n")
        env.raw(req % b"red")
        env.raw(req % b"fld")
        reqs = env.requests(2)
        eq(field(split_head(reqs[0][0])[0], b"accept-encoding"), [b"identity"],
           "rewritten route: identity only")
        eq(field(split_head(reqs[1][0])[0], b"accept-encoding"), [b"gzip, br"],
           "observe route: the client's value")
    finally:
        env.stop()


def test_encoded_response_refused(veil):
    """gzip is read for inspection, but the bytes in transit are the
    compressed ones: they cannot be rewritten, so they are refused (an
    upstream that ignores Accept-Encoding: identity, as this one does)."""
    env = start(veil)
    try:
        out = env.raw(get(b"red", b"/gzip"))
        head, body = split_head(out)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 403 Forbidden", "refused")
        eq(body, b'{"error":"blocked_unrewritable"}\n', "error body names why")
        rec = env.log(1)[0]
        eq(rec["http.response.status_code"], 403, "logged status")
        eq(rec["error.type"] if "error.type" in rec else rec.get("error.message"),
           "blocked_unrewritable", "logged reason")
        no_canary(env)
    finally:
        env.stop()


def test_binary_response_passes(veil):
    """A binary body cannot be inspected; uninspectable: pass (the
    default) streams it unchanged."""
    env = start(veil)
    try:
        out = env.raw(get(b"red", b"/big?mb=1"))
        head, body = split_head(out)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 200 OK", "status")
        eq(len(body), 1 << 20, "whole body")
        eq(body[:512], bytes(range(256)) * 2, "bytes unchanged")
    finally:
        env.stop()


def test_response_over_limit_refused(veil):
    env = start(veil, ["--inspect-limit", "16"])
    try:
        out = env.raw(get(b"red", b"/json"))
        head, body = split_head(out)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 502 Bad Gateway", "refused")
        eq(body, b'{"error":"blocked_uninspectable"}\n', "error body")
        no_canary(env)
    finally:
        env.stop()


def test_block_response(veil):
    env = start(veil)
    try:
        out = env.raw(get(b"blk", b"/json"))
        head, body = split_head(out)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 451 Unavailable For Legal Reasons",
           "a response with a card refused with the policy's status")
        eq(body, b'{"error":"blocked_by_policy"}\n', "error body")
        out = env.raw(get(b"blk", b"/chunked"))
        head, body = split_head(out)
        eq(body, b"hello canary.4f9c@example.org end",
           "no blocking finding: the response goes through (observe of the rest)")
        eq(field(head, b"content-length"), [b"33"], "with a length of its own")
        m = env.curl("http://127.0.0.1:%d/metrics" % env.admin_port)[0].decode()
        check('veil_requests_blocked_total{route="blk",category="financial"} 1' in m,
              "blocked response counted by category")
        check(re.search(r'veil_findings_total\{route="blk",direction="response",'
                        r'location="body",detector="credit_card",category="financial",'
                        r'action="block"\} 1', m) is not None,
              "the card finding counted with action block")
        recs = env.log(2)
        eq(recs[0]["http.response.status_code"], 451, "logged status")
        raw = env.log_raw()
        check(b"4111111111111111" not in raw and b"123-45-6789" not in raw,
              "no PII in the log")
    finally:
        env.stop()


def test_counters(veil):
    env = start(veil)
    try:
        env.raw(post(b"red", b"/echo", BODY))
        env.raw(post(b"tok", b"/echo", BODY))
        m = env.curl("http://127.0.0.1:%d/metrics" % env.admin_port)[0].decode()
        for line in (
                'veil_findings_total{route="red",direction="request",location="body",'
                'detector="email",category="contact",action="label"} 1',
                'veil_findings_total{route="red",direction="request",location="body",'
                'detector="credit_card",category="financial",action="mask"} 1',
                'veil_findings_total{route="tok",direction="request",location="body",'
                'detector="email",category="contact",action="tokenize"} 1',
                'veil_findings_total{route="tok",direction="response",location="body",'
                'detector="email",category="contact",action="tokenize"} 0'):
            if line.endswith(" 0"):
                check(line[:-2] not in m, "no such series: " + line)
            else:
                check(line in m, "metrics line: " + line)
    finally:
        env.stop()


def test_field_rules_in_log(veil):
    """Field rules transform the values they name in the access log
    (bodies, headers, query) while observe mode forwards the bytes as they
    are; body_log allow logs only the listed fields."""
    env = start(veil)
    try:
        body = b'{"payment":{"cvv":"123","otp":"9876"},"note":"n"}'
        req = (b"POST /echo?token=abc&x=1 HTTP/1.1\r\nHost: fld\r\n"
               b"Content-Type: application/json\r\nX-Customer-Ref: cr_5521\r\n"
               b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
        out = env.raw(req)
        eq(split_head(out)[1], body, "observe: the echo is the original body")
        eq(split_head(env.requests(1)[0][0])[1], body, "upstream got the original bytes")
        rec = env.log(1)[0]
        eq(rec["http.request.body.content"],
           '{"payment":{"cvv":"","otp":"****"},"note":"n"}', "rules in the request body")
        eq(rec["http.request.headers"]["x-customer-ref"], "[PII]", "header rule")
        eq(rec["url.query"], "token=&x=1", "query rule")
        eq(rec["http.response.body.content"],
           '{"payment":{"cvv":"","otp":""},"note":"n"}', "body_log allow: only note")
        raw = env.log_raw()
        for v in (b"cr_5521", b"9876", b'"123"', b"token=abc"):
            check(v not in raw, "no ruled value in the log: %r" % v)
    finally:
        env.stop()


def test_field_rules_in_transit(veil):
    env = start(veil)
    try:
        body = b'{"payment":{"cvv":"123","method":"sepa"}}'
        out = env.raw(post(b"fldr", b"/echo", body,
                           b"X-Forwarded-For: 203.0.113.9\r\nX-Customer-Ref: cr_5521\r\n"))
        want = b'{"payment":{"cvv":"","method":"sepa"}}'
        eq(split_head(out)[1], want, "the echo of the rewritten body")
        uh, ub = split_head(env.requests(1)[0][0])
        eq(ub, want, "upstream got the value the rule names emptied")
        eq(field(uh, b"content-length"), [b"%d" % len(want)], "new length")
        eq(field(uh, b"x-forwarded-for"), [b"127.0.0.1"],
           "a drop rule takes the client's X-Forwarded-For out (veil adds its peer)")
        eq(field(uh, b"x-customer-ref"), [b"[PII]"], "a header rule applies in transit")
    finally:
        env.stop()


def test_heads_redacted_in_transit(veil):
    """Mode redact acts on the request's path, query and fields and on the
    response's fields, before anything goes on: findings are transformed
    by the policy's actions (the red policy: e-mail label, card mask on
    requests; label on responses). Credentials and routing fields go on as
    they came; their findings are logged with the action observe."""
    env = start(veil)
    try:
        req = (b"GET /users/jane.p@example.com/orders?email=jane.q@example.com&n=1 "
               b"HTTP/1.1\r\nHost: red\r\n"
               b"X-Customer: Jane <jane.h@example.com>\r\n"
               b"X-Card: 4111 1111 1111 1111\r\n"
               b"Authorization: Bearer jane.a@example.com\r\n"
               b"X-Forwarded-For: 203.0.113.9\r\n"
               b"Connection: close\r\n\r\n")
        uh = upstream_head(env, req)
        lines = uh.split(b"\r\n")
        # RFC 3986: '[' and ']' are not allowed in a path or a query.
        eq(lines[0], b"GET /users/%5BEMAIL%5D/orders?email=%5BEMAIL%5D&n=1 HTTP/1.1",
           "request line upstream: path and query labelled, escaped")
        eq(field(uh, b"x-customer"), [b"Jane <[EMAIL]>"], "a field's e-mail labelled")
        eq(field(uh, b"x-card"), [b"**** **** **** 1111"], "a field's card masked")
        eq(field(uh, b"authorization"), [b"Bearer jane.a@example.com"],
           "a credential goes on as it came")
        eq(field(uh, b"x-forwarded-for"), [b"203.0.113.9, 127.0.0.1"],
           "a routing field goes on as it came (and gets the client)")
        rec = env.log(1)[0]
        kinds = {(f["detector"], f["location"], f["action"]) for f in rec["veil.findings"]}
        for k in (("email", "url.path", "label"), ("email", "url.query", "label"),
                  ("email", "request.headers", "label"),
                  ("credit_card", "request.headers", "mask"),
                  ("ipv4", "request.headers", "observe")):
            check(k in kinds, "finding %r in %r" % (k, kinds))
        eq(rec["url.path"], "/users/[EMAIL]/orders", "the log's path")
        eq(rec["url.query"], "email=[EMAIL]&n=1", "the log's query")
        eq(rec["http.request.headers"]["authorization"], "[REDACTED]",
           "the credential masked in the log")

        out = env.raw(get(b"red", b"/hdr"))
        head = split_head(out)[0]
        eq(field(head, b"x-contact"), [b"[EMAIL]"], "response field labelled")
        eq(field(head, b"x-card"), [b"[CREDIT_CARD]"], "response card labelled")
        eq(field(head, b"set-cookie"), [b"who=ops.cookie@example.com"],
           "a cookie goes on as it came")
        m = env.curl("http://127.0.0.1:%d/metrics" % env.admin_port)[0].decode()
        for line in ('veil_findings_total{route="red",direction="request",location="query",'
                     'detector="email",category="contact",action="label"} 1',
                     'veil_findings_total{route="red",direction="response",location="headers",'
                     'detector="email",category="contact",action="label"} 1'):
            check(line in m, "metrics line: " + line)
        raw = env.log_raw() + env.stderr()
        for v in (b"jane.p@", b"jane.q@", b"jane.h@", b"jane.a@", b"ops.hdr@",
                  b"ops.cookie@", b"4111 1111 1111 1111"):
            check(v not in raw, "no PII in the log: %r" % v)
    finally:
        env.stop()


def test_field_names_hold_no_names(veil):
    """A field name is a token: the names detector does not read one
    (a name after a sign-off on the line before, as "Thanks" then
    "Maria-Garcia", was a person's name, and mode redact dropped the
    field), nor an HTTP date; a field's value is still read for names."""
    env = start(veil)
    try:
        req = (b"GET /n HTTP/1.1\r\nHost: red\r\n"
               b"X-Note: Thanks\r\n"
               b"Maria-Garcia: 7\r\n"
               b"If-Modified-Since: Thu, 01 May 2025 10:00:00 GMT\r\n"
               b"X-Greeting: Dear Maria Garcia\r\n"
               b"Connection: close\r\n\r\n")
        uh = upstream_head(env, req)
        eq(field(uh, b"maria-garcia"), [b"7"], "the field goes on: its name holds no name")
        eq(field(uh, b"if-modified-since"), [b"Thu, 01 May 2025 10:00:00 GMT"],
           "a date goes on as it came")
        eq(field(uh, b"x-greeting"), [b"Dear ***** ******"],
           "a value's name is still masked")
        rec = env.log(1)[0]
        names = [f for f in rec["veil.findings"] if f["detector"] == "person_name"]
        eq([(f["location"], f["count"]) for f in names], [("request.headers", 1)],
           "one name in the head: the value's")
        eq(rec["http.request.headers"]["maria-garcia"], "7", "the field name logged as it is")
    finally:
        env.stop()


def test_heads_tokenized_in_transit(veil):
    env = start(veil)
    try:
        uh = upstream_head(env, b"GET /json?to=jane.q@example.com HTTP/1.1\r\nHost: tok\r\n"
                                b"X-Customer: jane.h@example.com\r\n"
                                b"Connection: close\r\n\r\n")
        m = re.match(rb"GET /json\?to=%5BEMAIL:([0-9a-f]{16})%5D HTTP/1.1\r\n", uh)
        check(m is not None, "query value tokenized: %r" % uh.split(b"\r\n")[0])
        v = field(uh, b"x-customer")
        check(len(v) == 1 and re.fullmatch(rb"\[EMAIL:[0-9a-f]{16}\]", v[0]) is not None,
              "field value tokenized: %r" % v)
        check(v[0] != b"[EMAIL:" + m.group(1) + b"]", "two values, two tokens")
    finally:
        env.stop()


def test_heads_blocked(veil):
    """Mode block refuses a request whose path, query or fields hold a
    finding by a block detector, before any upstream is involved; a
    response whose fields do, before any of it reaches the client.
    Routing fields (X-Forwarded-For) do not refuse a request."""
    env = start(veil)
    try:
        out = env.raw(get(b"blkq", b"/json?email=jane.q@example.com"))
        eq(out.split(b"\r\n")[0], b"HTTP/1.1 403 Forbidden", "query finding refuses")
        eq(split_head(out)[1], b'{"error":"blocked_by_policy"}\n', "its reason")
        out = env.raw(b"GET /json HTTP/1.1\r\nHost: blkq\r\nX-Note: jane.h@example.com\r\n"
                      b"Connection: close\r\n\r\n")
        eq(out.split(b"\r\n")[0], b"HTTP/1.1 403 Forbidden", "field finding refuses")
        out = env.raw(b"GET /hdr HTTP/1.1\r\nHost: blkq\r\nX-Forwarded-For: 203.0.113.9\r\n"
                      b"Connection: close\r\n\r\n")
        eq(out.split(b"\r\n")[0], b"HTTP/1.1 200 OK", "a routing field does not refuse")
        eq(len(env.requests(1)), 1, "only the last request reached the upstream")
        out = env.raw(get(b"blk", b"/hdr"))
        eq(out.split(b"\r\n")[0], b"HTTP/1.1 451 Unavailable For Legal Reasons",
           "a response whose field holds a card refused")
        check(b"4111" not in out, "none of the refused head reached the client")
        recs = env.log(4)
        # (In the order the exchanges ended, which two workers may write
        # in either order: by status, not by position.)
        eq(sorted((r["http.response.status_code"], r.get("error.type") or "") for r in recs),
           [(200, ""), (403, "blocked_by_policy"), (403, "blocked_by_policy"),
            (451, "blocked_by_policy")], "the records say why")
    finally:
        env.stop()


def test_placeholders_round_trip(veil):
    """Action placeholder: the upstream gets [EMAIL_1]-style placeholders
    (the same value, the same number), and the client gets its values back
    in the response: a Content-Length echo and an SSE stream cut at every
    byte. The log has neither the values nor the map."""
    env = start(veil)
    try:
        body = (b'{"to":"jane.ph@example.com","cc":"joe.ph@example.org",'
                b'"again":"jane.ph@example.com","card":"4111 1111 1111 1111",'
                b'"ssn":"536-22-8901"}')
        sent = (b'{"to":"[EMAIL_1]","cc":"[EMAIL_2]","again":"[EMAIL_1]",'
                b'"card":"[CREDIT_CARD_1]","ssn":"[US_SSN]"}')
        out = env.raw(post(b"ph", b"/echo", body))
        head, got = split_head(out)
        eq(split_head(env.requests(1)[0][0])[1], sent, "the upstream got placeholders")
        # The SSN's action is the label: not restored, it never had a
        # value to come back to.
        eq(dechunk(got), body.replace(b"536-22-8901", b"[US_SSN]"),
           "the client got its values back (echo with a length)")
        eq(field(head, b"content-length"), [], "restored as it streams: no length")
        eq(field(head, b"transfer-encoding"), [b"chunked"], "chunked instead")
        out = env.raw(post(b"ph", b"/sse", body))
        head, got = split_head(out)
        eq(dechunk(got), b"data: " + body.replace(b"536-22-8901", b"[US_SSN]") + b"\n\n",
           "SSE cut at every byte: restored")
        recs = env.log(2)
        for r in recs:
            eq((r.get("veil.placeholders.issued"), r.get("veil.placeholders.restored")),
               (3, 4), "issued and restored counts")
        raw = env.log_raw() + env.stderr()
        for v in (b"jane.ph@", b"joe.ph@", b"4111 1111", b"536-22-8901"):
            check(v not in raw, "no value in the log: %r" % v)
    finally:
        env.stop()


def dechunk(b):
    out = b""
    while True:
        size, rest = b.split(b"\r\n", 1)
        n = int(size, 16)
        if n == 0:
            return out
        out += rest[:n]
        b = rest[n + 2:]


TOKEN_CONFIG = """version: 1
keys:
  k1: {file: %s, slot: 1}
policies:
  default:
    request:
      mode: tokenize
    response:
      mode: observe
"""


def test_tagged_tokens_in_transit(veil):
    """With a key slot, mode tokenize sends tagged tokens (AES-SIV) in the
    body and the fields: the upstream gets no PII, and the holder of the
    key turns the bytes it got back into the originals, byte for byte."""
    d = tempfile.mkdtemp(prefix="veil-tok-")
    key = os.path.join(d, "k1.key")
    with open(key, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(key, 0o400)
    path = os.path.join(d, "tok.yaml")
    with open(path, "w") as f:
        f.write(TOKEN_CONFIG % key)
    env = Env(veil, ["-c", path])
    try:
        env.raw(post(b"api", b"/echo", BODY, b"X-Customer: jane.h@example.com\r\n"))
        uh, ub = split_head(env.requests(1)[0][0])
        m = re.fullmatch(rb'\{"user":\{"email":"(tok-k1-email-[a-z2-7]{28,})",'
                         rb'"card":"(tok-k1-credit_card-[a-z2-7]{28,})","note":"hi"\}\}', ub)
        check(m is not None, "tagged tokens in the body upstream: %r" % ub)
        cust = field(uh, b"x-customer")
        check(len(cust) == 1 and re.fullmatch(rb"tok-k1-email-[a-z2-7]{28,}", cust[0]),
              "a tagged token in the field: %r" % cust)
        check(cust[0] != m.group(1), "another value, another token")
        import subprocess
        back = subprocess.run([veil, "detokenize", "--key-file", key, "--reason", "test"],
                              input=ub + b"\n" + cust[0] + b"\n", capture_output=True)
        eq(back.returncode, 0, "veil detokenize exits 0: %r" % back.stderr[-300:])
        eq(back.stdout, BODY + b"\n" + b"jane.h@example.com\n",
           "the key's holder gets the originals back, byte for byte")
        rec = env.log(1)[0]
        kinds = {(f["detector"], f["location"], f["action"]) for f in rec["veil.findings"]}
        check(("email", "request.body", "tokenize") in kinds, "counted as tokenize: %r" % kinds)
        no_canary(env)
    finally:
        env.stop()


TESTS = [test_redact_request_content_length, test_redact_body_over_log_limit,
         test_redact_request_chunked,
         test_redact_responses, test_keepalive_across_held_bodies,
         test_tokenize_request, test_rewriting_asks_for_identity,
         test_encoded_response_refused,
         test_binary_response_passes, test_response_over_limit_refused,
         test_block_response, test_counters, test_field_rules_in_log,
         test_field_rules_in_transit, test_heads_redacted_in_transit,
         test_field_names_hold_no_names,
         test_heads_tokenized_in_transit, test_heads_blocked,
         test_tagged_tokens_in_transit, test_placeholders_round_trip]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
