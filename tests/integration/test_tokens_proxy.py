#!/usr/bin/env python3
"""Reversible tokens through `veil run`: the Prometheus counters of tokens
and placeholders (exact values of known traffic, and promtool over the
real /metrics), detokenize routes (exact bytes the upstream and the client
get), the refusal of a detokenize route on a listener the network reaches,
and POST /detokenize (callers, types, 401, 429, the audit line).

The tokens are made by `veil tokenize --key-file` with the same key as the
proxy's slot k1, so what the proxy turns back was made by another process.

Usage: test_tokens_proxy.py VEIL [test names...]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from harness import Env, check, eq, field, run, split_head, tcp_queues, wait_read

BODY = (b'{"card_number":"4111 1111 1111 1111","email":"jane.doe@example.com",'
        b'"ssn":"536-22-8901"}')
VALUES = (b"4111 1111 1111 1111", b"4111111111111111", b"jane.doe@example.com",
          b"jane.doe@", b"536-22-8901")


def keyfile(d):
    path = os.path.join(d, "k1.key")
    with open(path, "wb") as f:
        f.write(os.urandom(32))
    os.chmod(path, 0o400)
    return path


def tokenize(veil, key, data, fmt="json"):
    """The tokens veil's own CLI makes of <data> (one line)."""
    p = subprocess.run([veil, "tokenize", "--key-file", key, "--format", fmt],
                       input=data + b"\n", capture_output=True)
    eq(p.returncode, 0, "veil tokenize: %r" % p.stderr[-300:])
    return p.stdout[:-1]


def start(veil, config, key, args=()):
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    path = os.path.join(d, "veil.yaml")
    with open(path, "w") as f:
        f.write(config.replace("KEY", key).replace("DIR", d))
    env = Env(veil, ["-c", path] + list(args))
    env.cfg_dir = d
    return env


def post(host, path, body, extra=b"", ctype=b"application/json"):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
            b"Content-Type: " + ctype + b"\r\nConnection: close\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


def metrics(env):
    out, err, rc = env.curl("http://127.0.0.1:%d/metrics" % env.admin_port)
    eq(rc, 0, "GET /metrics: %r" % err)
    return out


def series(text, name):
    """The lines of one metric family, without its comments."""
    return sorted(l for l in text.decode().splitlines()
                  if l.startswith(name + "{") or l.startswith(name + " "))


def promtool(text):
    if shutil.which("promtool") is None:
        print("note: promtool not found (apt-get install prometheus); not run")
        return
    p = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
    eq(p.returncode, 0, "promtool check metrics: %r" % (p.stdout + p.stderr))


def no_values(env, extra=b""):
    raw = env.log_raw() + env.stderr() + extra
    for v in VALUES:
        check(v not in raw, "no value in the log, on stderr or in the metrics: %r" % v)


COUNTERS_CONFIG = """version: 1
keys:
  k1: {file: KEY, slot: 1}
routes:
  - name: tok
    match: {host: tok}
    policy: tok
  - name: ph
    match: {host: ph}
    policy: ph
policies:
  tok:
    request:
      mode: tokenize
      actions:
        credit_card: {action: tokenize, format: fpe}
        email: {action: tokenize, format: fpe}
    response:
      mode: observe
  ph:
    request:
      mode: redact
      actions: {email: placeholder, credit_card: placeholder, default: label}
    response:
      mode: observe
"""


def test_counters_tokens_and_placeholders(veil):
    """Known bodies through mode tokenize and a placeholder route: the
    counters say exactly what was issued, what FPE refused, what came
    back; promtool accepts the whole /metrics page."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    env = start(veil, COUNTERS_CONFIG, keyfile(d))
    try:
        # The card in its field and the e-mail address format-preserving;
        # "ab@example.org" has too few letters for FPE: a tagged token,
        # counted as refused; the SSN tagged (no fpe for it here).
        body = (b'{"card_number":"4111 1111 1111 1111","email":"jane.doe@example.com",'
                b'"alt":"ab@example.org","ssn":"536-22-8901"}')
        for _ in range(2):
            out = env.raw(post(b"tok", b"/echo", body))
            check(out.startswith(b"HTTP/1.1 200"), "tokenized: %r" % out[:80])
        up = split_head(env.requests(2)[0][0])[1]
        m = re.fullmatch(rb'\{"card_number":"4(\d{3} \d{4} \d{4}) 1111",'
                         rb'"email":"([A-Za-z0-9.]+)\+vt1@example\.com",'
                         rb'"alt":"(tok-k1-email-[a-z2-7]+)",'
                         rb'"ssn":"(tok-k1-us_ssn-[a-z2-7]+)"\}', up)
        check(m is not None, "the upstream got FPE and tagged tokens: %r" % up)
        # The round trip: placeholders issued, restored in the echo; one
        # placeholder-shaped string that was never issued is not.
        ph = (b'{"to":"jane.ph@example.com","cc":"joe.ph@example.org",'
              b'"again":"jane.ph@example.com","x":"[EMAIL_9]"}')
        out = env.raw(post(b"ph", b"/echo", ph))
        check(b"[EMAIL_9]" in out and b"jane.ph@example.com" in out, "restored: %r" % out)
        env.settle()
        text = metrics(env)
        eq(series(text, "veil_tokens_issued_total"), sorted([
            'veil_tokens_issued_total{type="email",key="k1",kind="tagged"} 2',
            'veil_tokens_issued_total{type="email",key="k1",kind="fpe"} 2',
            'veil_tokens_issued_total{type="credit_card",key="k1",kind="fpe"} 2',
            'veil_tokens_issued_total{type="us_ssn",key="k1",kind="tagged"} 2',
        ]), "tokens issued in transit, by type, key and kind")
        eq(series(text, "veil_fpe_refused_total"),
           ['veil_fpe_refused_total{type="email",reason="domain_too_small"} 2'],
           "FPE refusals by type and reason")
        eq(series(text, "veil_tokens_kept_total"), ["veil_tokens_kept_total 0"], "kept")
        eq(series(text, "veil_detokenizations_total"), [], "nothing turned back")
        eq(series(text, "veil_placeholders_issued_total"),
           ['veil_placeholders_issued_total{route="ph"} 2'], "placeholders issued")
        eq(series(text, "veil_placeholders_restored_total"),
           ['veil_placeholders_restored_total{route="ph"} 3'], "placeholders restored")
        eq(series(text, "veil_placeholders_not_restored_total"),
           ['veil_placeholders_not_restored_total{route="ph"} 1'],
           "placeholder-shaped strings not restored")
        promtool(text)
        no_values(env, text)
    finally:
        env.stop()


DETOK_CONFIG = """version: 1
keys:
  k1: {file: KEY, slot: 1}
routes:
  - name: psp
    match: {host: psp}
    detokenize: {direction: request, types: [credit_card, email]}
  - name: back
    match: {host: back}
    detokenize: response
policies:
  default:
    # Card tokens are format-preserving in their fields, as veil tokenize
    # --key-file makes them; the log writes tokens for cards too.
    request:
      actions: {credit_card: {action: tokenize, format: fpe}, default: mask}
    response:
      actions: {credit_card: {action: tokenize, format: fpe}, default: mask}
"""


def test_detokenize_route_request(veil):
    """The outbound leg to a payment processor: tokens in the request
    body, a field and the query go upstream as their values (only the
    route's types); the log keeps the tokens; the counters count them."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    key = keyfile(d)
    tok = tokenize(veil, key, BODY)
    mail = tokenize(veil, key, b"jane.doe@example.com", "text")
    m = re.fullmatch(rb'\{"card_number":"(4\d{3} \d{4} \d{4} 1111)","email":"(tok-k1-email-'
                     rb'[a-z2-7]+)","ssn":"(tok-k1-us_ssn-[a-z2-7]+)"\}', tok)
    check(m is not None and m.group(1) != b"4111 1111 1111 1111",
          "veil tokenize made an FPE card token and tagged ones: %r" % tok)
    env = start(veil, DETOK_CONFIG, key)
    try:
        out = env.raw(post(b"psp", b"/echo?email=" + mail + b"&n=1", tok,
                           b"X-Customer: " + mail + b"\r\n"))
        check(out.startswith(b"HTTP/1.1 200"), "answered: %r" % out[:80])
        uh, ub = split_head(env.requests(1)[0][0])
        want = (b'{"card_number":"4111 1111 1111 1111","email":"jane.doe@example.com",'
                b'"ssn":"' + m.group(3) + b'"}')
        eq(ub, want, "the upstream got the values of the route's types, byte for byte")
        eq(uh.split(b"\r\n")[0], b"POST /echo?email=jane.doe@example.com&n=1 HTTP/1.1",
           "the query's token turned back")
        eq(field(uh, b"x-customer"), [b"jane.doe@example.com"], "the field's token turned back")
        eq(field(uh, b"content-length"), [b"%d" % len(want)], "the new length")
        env.settle()
        text = metrics(env)
        eq(series(text, "veil_detokenizations_total"), sorted([
            'veil_detokenizations_total{type="credit_card",key="k1",outcome="restored"} 1',
            'veil_detokenizations_total{type="email",key="k1",outcome="restored"} 3',
            'veil_detokenizations_total{type="us_ssn",key="k1",outcome="not_allowed"} 1',
        ]), "detokenizations by type, key and outcome")
        # The record was made of what the client sent (tokens, which the
        # engine may redact further), never of what went upstream.
        env.log(1)
        promtool(text)
        no_values(env, text)
    finally:
        env.stop()


def test_detokenize_route_response(veil):
    """A service answers with tokens; the client gets the values (every
    type: the route names none), with a length of their own; the upstream
    got the tokens as they were."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    key = keyfile(d)
    tok = tokenize(veil, key, BODY)
    env = start(veil, DETOK_CONFIG, key)
    try:
        out = env.raw(post(b"back", b"/echo", tok))
        head, got = split_head(out)
        eq(split_head(env.requests(1)[0][0])[1], tok, "the upstream got the tokens")
        eq(got, BODY, "the client got the values, byte for byte")
        eq(field(head, b"content-length"), [b"%d" % len(BODY)], "their length")
        env.settle()
        eq(series(metrics(env), "veil_detokenizations_total"), sorted([
            'veil_detokenizations_total{type="credit_card",key="k1",outcome="restored"} 1',
            'veil_detokenizations_total{type="email",key="k1",outcome="restored"} 1',
            'veil_detokenizations_total{type="us_ssn",key="k1",outcome="restored"} 1',
        ]), "counted")
    finally:
        env.stop()


HEAD_CONFIG = """version: 1
keys:
  k1: {file: KEY, slot: 1}
routes:
  - name: psp
    match: {host: psp}
    detokenize: {direction: request, types: [credit_card, email]}
  - name: back
    match: {host: back}
    detokenize: response
policies:
  default:
    # Format-preserving cards (in their fields) and e-mail addresses
    # (anywhere), as veil tokenize -c makes them with this file.
    request:
      actions:
        credit_card: {action: tokenize, format: fpe}
        email: {action: tokenize, format: fpe}
        default: mask
    response:
      actions:
        credit_card: {action: tokenize, format: fpe}
        email: {action: tokenize, format: fpe}
        default: mask
"""

FPE_MAIL = rb"[A-Za-z0-9]{4}\.[A-Za-z0-9]{3}\+vt1@example\.com"


def tokenize_c(veil, cfg, data, fmt):
    """The tokens veil tokenize -c <cfg> makes of <data> (one line)."""
    p = subprocess.run([veil, "tokenize", "-c", cfg, "--format", fmt], input=data + b"\n",
                       capture_output=True)
    eq(p.returncode, 0, "veil tokenize -c: %r" % p.stderr[-300:])
    return p.stdout[:-1]


def head_env(veil):
    """A veil with HEAD_CONFIG, its config file's path and its key's."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    key = keyfile(d)
    env = start(veil, HEAD_CONFIG, key)
    return env, os.path.join(env.cfg_dir, "veil.yaml"), key


def test_detokenize_route_head_fpe(veil):
    """A detokenize route turns format-preserving tokens in the request
    head back as it does in a body: an e-mail token in the path and in a
    field, a card token in its query field and an e-mail token in the
    query (form syntax, its tag escaped); the values the upstream gets,
    byte for byte; counted."""
    env, cfg, key = head_env(veil)
    try:
        mail = tokenize_c(veil, cfg, b"jane.doe@example.com", "text")
        check(re.fullmatch(FPE_MAIL, mail) is not None, "an FPE e-mail token: %r" % mail)
        query = tokenize_c(veil, cfg, b"card_number=4111111111111111&email=jane.doe%40example.com",
                           "form")
        m = re.fullmatch(rb"card_number=(4\d{11}1111)&email=([A-Za-z0-9]{4}\.[A-Za-z0-9]{3})"
                         rb"%2Bvt1%40example\.com", query)
        check(m is not None and m.group(1) != b"4111111111111111",
              "FPE tokens in a form: %r" % query)
        out = env.raw(post(b"psp", b"/echo/" + mail + b"?" + query + b"&n=1", b"{}",
                           b"X-Customer: " + mail + b"\r\n"))
        check(out.startswith(b"HTTP/1.1 200"), "answered: %r" % out[:80])
        uh, _ = split_head(env.requests(1)[0][0])
        eq(uh.split(b"\r\n")[0],
           b"POST /echo/jane.doe@example.com?card_number=4111111111111111"
           b"&email=jane.doe%40example.com&n=1 HTTP/1.1",
           "the path's and the query's FPE tokens turned back")
        eq(field(uh, b"x-customer"), [b"jane.doe@example.com"], "the field's FPE token")
        env.settle()
        eq(series(metrics(env), "veil_detokenizations_total"), sorted([
            'veil_detokenizations_total{type="credit_card",key="k1",outcome="restored"} 1',
            'veil_detokenizations_total{type="email",key="k1",outcome="restored"} 3',
        ]), "counted once each")
        no_values(env)
    finally:
        env.stop()


def test_detokenize_route_response_head(veil):
    """A service answers with tokens in its response fields: a detokenize
    route for responses gives the client the values (tagged tokens, one
    glued to a slug's "-", and format-preserving e-mail tokens); the
    upstream got the tokens as they were."""
    env, cfg, key = head_env(veil)
    try:
        mail = tokenize_c(veil, cfg, b"jane.doe@example.com", "text")
        check(re.fullmatch(FPE_MAIL, mail) is not None, "an FPE e-mail token: %r" % mail)
        tagged = tokenize(veil, key, b"jane.doe@example.com", "text")
        card = tokenize(veil, key, b"card 4111 1111 1111 1111", "text")
        m = re.fullmatch(rb"card (tok-k1-credit_card-[a-z2-7]+)", card)
        check(m is not None, "a tagged card token: %r" % card)
        req = (b"GET /hdrecho HTTP/1.1\r\nHost: back\r\nConnection: close\r\n"
               b"X-Echo-Contact: " + mail + b"\r\n"
               b"X-Echo-Ref: " + tagged + b"\r\n"
               b"X-Echo-Slug: /orders/" + tagged + b"-abcdef\r\n"
               b"X-Echo-Card: " + m.group(1) + b"\r\n\r\n")
        out = env.raw(req)
        head, body = split_head(out)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 200 OK", "answered")
        uh, _ = split_head(env.requests(1)[0][0])
        eq(field(uh, b"x-echo-contact"), [mail], "the upstream got the tokens")
        eq(field(head, b"x-contact"), [b"jane.doe@example.com"], "the FPE token turned back")
        eq(field(head, b"x-ref"), [b"jane.doe@example.com"], "the tagged token turned back")
        eq(field(head, b"x-slug"), [b"/orders/jane.doe@example.com-abcdef"], "in a slug")
        eq(field(head, b"x-card"), [b"4111 1111 1111 1111"], "the card's tagged token")
        eq(body, b"ok", "the body")
        env.settle()
        eq(series(metrics(env), "veil_detokenizations_total"), sorted([
            'veil_detokenizations_total{type="credit_card",key="k1",outcome="restored"} 1',
            'veil_detokenizations_total{type="email",key="k1",outcome="restored"} 3',
        ]), "counted")
        no_values(env)
    finally:
        env.stop()


SLUG_CONFIG = """version: 1
keys:
  k1: {file: KEY, slot: 1}
routes:
  - name: psp
    match: {host: psp}
    detokenize: both
  - name: tok
    match: {host: tok}
    policy: tok
policies:
  tok:
    request:
      mode: tokenize
"""


def test_token_before_a_dash(veil):
    """A tagged token glued to "-" and hex digits (an id after it in a URL
    slug) is still a token: veil detokenize turns it back (and so the
    round trip of a value followed by "-abcdef" is exact), a detokenize
    route turns it back in the path, a field and the body, and mode
    tokenize does not tokenize it again."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    key = keyfile(d)
    mail = tokenize(veil, key, b"jane.doe@example.com", "text")
    check(re.fullmatch(rb"tok-k1-email-[a-z2-7]+", mail) is not None, "a tagged token: %r" % mail)
    # The CLI: a value glued to "-abcdef" goes there and back.
    glued = tokenize(veil, key, b"see jane.doe@example.com-abcdef now", "text")
    eq(glued, b"see " + mail + b"-abcdef now", "tokenized before the dash")
    p = subprocess.run([veil, "detokenize", "--key-file", key, "--reason", "test", "--format",
                        "text"], input=glued + b"\n" + mail + b"-" + mail + b"-9f2c\n",
                       capture_output=True)
    eq((p.returncode, p.stdout), (0, b"see jane.doe@example.com-abcdef now\n"
                                     b"jane.doe@example.com-jane.doe@example.com-9f2c\n"),
       "veil detokenize turns back a token before a dash")
    env = start(veil, SLUG_CONFIG, key)
    try:
        slug = b"/echo/orders/" + mail + b"-abcdef"
        body = b'{"slug":"' + mail + b'-abcdef"}'
        out = env.raw(post(b"psp", slug + b"?ref=" + mail + b"-0f", body,
                           b"X-Slug: " + mail + b"-abcdef\r\n"))
        check(out.startswith(b"HTTP/1.1 200"), "answered: %r" % out[:80])
        uh, ub = split_head(env.requests(1)[0][0])
        eq(uh.split(b"\r\n")[0],
           b"POST /echo/orders/jane.doe@example.com-abcdef?ref=jane.doe@example.com-0f "
           b"HTTP/1.1",
           "the path's and the query's tokens turned back")
        eq(field(uh, b"x-slug"), [b"jane.doe@example.com-abcdef"], "the field's token")
        eq(ub, b'{"slug":"jane.doe@example.com-abcdef"}', "the body's token")
        eq(split_head(out)[1], b'{"slug":"jane.doe@example.com-abcdef"}',
           "the echo's token turned back on the way back")
        # Mode tokenize: the token is one already, left as it is.
        out = env.raw(post(b"tok", slug, body, b"X-Slug: " + mail + b"-abcdef\r\n"))
        check(out.startswith(b"HTTP/1.1 200"), "answered: %r" % out[:80])
        uh, ub = split_head(env.requests(2)[1][0])
        eq(uh.split(b"\r\n")[0], b"POST " + slug + b" HTTP/1.1", "the path as it came")
        eq(field(uh, b"x-slug"), [mail + b"-abcdef"], "the field as it came")
        eq(ub, body, "the body as it came")
        no_values(env)
    finally:
        env.stop()


def check_config(veil, text):
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    path = os.path.join(d, "veil.yaml")
    with open(path, "w") as f:
        f.write(text.replace("KEY", keyfile(d)))
    p = subprocess.run([veil, "check", "-c", path], capture_output=True, cwd=d)
    return p.returncode, p.stderr.decode().replace(path, "veil.yaml")


def test_detokenize_route_refused(veil):
    """veil check refuses a detokenize route that a listener on the
    network serves without client certificates, at the line of the
    route's detokenize key; naming a loopback listener makes it valid."""
    public = """version: 1
keys:
  k1: {file: KEY, slot: 1}
listeners:
  - name: public
    address: 0.0.0.0:18443
  - name: internal
    address: 127.0.0.1:18444
routes:
  - name: psp
    match: {path_prefix: /pay}
    detokenize: request
"""
    rc, err = check_config(veil, public)
    eq(rc, 1, "veil check exits 1")
    eq(err.splitlines(), [
        "error: veil.yaml:12:17: routes[0].detokenize: listener 'public' (0.0.0.0:18443) is "
        "neither on loopback nor requires client certificates (tls.client_auth: required): a "
        "route that turns tokens back may only serve such listeners (match.listener names "
        "them)",
        "veil check: veil.yaml: configuration is not valid"], "the refusal, exactly")
    rc, err = check_config(veil, public.replace("match: {path_prefix: /pay}",
                                                "match: {path_prefix: /pay, listener: internal}"))
    eq((rc, err), (0, ""), "valid when the route serves the loopback listener only")
    rc, err = check_config(veil, public.replace("keys:\n  k1: {file: KEY, slot: 1}\n", "")
                           .replace("0.0.0.0", "127.0.0.1"))
    eq(rc, 1, "no key slots: exit 1")
    check("routes[0].detokenize: detokenize needs token key slots" in err, err)
    # A TLS listener: client certificates required is enough, optional is
    # not (veil check does not open the certificate files).
    tls = """version: 1
keys:
  k1: {file: KEY, slot: 1}
listeners:
  - name: public
    address: 0.0.0.0:18443
    tls:
      certificates: [{cert_file: /nonexistent/c.pem, key_file: /nonexistent/k.pem}]
      client_auth: required
      client_ca_file: /nonexistent/ca.pem
routes:
  - name: psp
    detokenize: request
"""
    rc, err = check_config(veil, tls)
    eq(rc, 0, "client_auth required: valid: %s" % err)
    rc, err = check_config(veil, tls.replace("client_auth: required", "client_auth: optional"))
    eq(err.splitlines()[0],
       "error: veil.yaml:13:17: routes[0].detokenize: listener 'public' (0.0.0.0:18443) is "
       "neither on loopback nor requires client certificates (tls.client_auth: required): a "
       "route that turns tokens back may only serve such listeners (match.listener names "
       "them)", "client_auth optional: refused")


API_CONFIG = """version: 1
keys:
  k1: {file: KEY, slot: 1}
detokenize:
  listen: 127.0.0.1:APIPORT
  socket: DIR/detok.sock
  callers:
    - {name: billing, token_file: DIR/billing.token, types: [credit_card], rate: 3/m, burst: 3}
    - {name: support, token_file: DIR/support.token, types: [email, credit_card]}
policies:
  default:
    request:
      actions: {credit_card: {action: tokenize, format: fpe}, default: mask}
"""

BILLING = "b1llingT0ken-0123456789abcdef"
SUPPORT = "supp0rtT0ken-0123456789abcdef"


def api_post(port, token, body, sock=None):
    args = ["curl", "-s", "-S", "--max-time", "10", "-D", "-", "-X", "POST",
            "-H", "Content-Type: application/json", "--data-binary", "@-"]
    if token is not None:
        args += ["-H", "Authorization: Bearer " + token]
    if sock:
        args += ["--unix-socket", sock, "http://veil/detokenize"]
    else:
        args += ["http://127.0.0.1:%d/detokenize" % port]
    p = subprocess.run(args, input=body, capture_output=True, timeout=15)
    eq(p.returncode, 0, "curl: %r" % p.stderr)
    return split_head(p.stdout)


def audit_lines(env, n):
    end = time.time() + 5
    while True:
        lines = [l for l in env.log_raw(settle=0.05).split(b"\n")
                 if b'"event.action":"veil.detokenize"' in l]
        if len(lines) >= n or time.time() > end:
            return lines
        time.sleep(0.05)


def test_detokenize_api(veil):
    """POST /detokenize: a caller gets its types back (others stay
    tokens), over TCP and the Unix socket; a wrong token is 401, a caller
    over its rate 429; one audit line per request, exact, without a value
    or a token; counted."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    key = keyfile(d)
    tok = tokenize(veil, key, BODY)
    m = re.fullmatch(rb'\{"card_number":"(4\d{3} \d{4} \d{4} 1111)","email":"(tok-k1-email-'
                     rb'[a-z2-7]+)","ssn":"(tok-k1-us_ssn-[a-z2-7]+)"\}', tok)
    check(m is not None, "tokens: %r" % tok)
    from harness import free_port
    api_port = free_port()
    cfg = API_CONFIG.replace("APIPORT", str(api_port))
    for name, t in (("billing", BILLING), ("support", SUPPORT)):
        path = os.path.join(d, name + ".token")
        with open(path, "w") as f:
            f.write(t + "\n")
        os.chmod(path, 0o600)
    cfg_path = os.path.join(d, "veil.yaml")
    with open(cfg_path, "w") as f:
        f.write(cfg.replace("KEY", key).replace("DIR", d))
    env = Env(veil, ["-c", cfg_path])
    try:
        # /config shows the section, without a token or a token file's name.
        out, _, rc = env.curl("http://127.0.0.1:%d/config" % env.admin_port)
        conf = json.loads(out)
        eq(conf["detokenize"], {
            "listen": "127.0.0.1:%d" % api_port, "socket": os.path.join(d, "detok.sock"),
            "max_body_size": conf["detokenize"]["max_body_size"], "audit": "access_log",
            "callers": [{"name": "billing", "token_file": "(set)", "types": ["credit_card"],
                         "rate_per_second": 0.05, "burst": 3},
                        {"name": "support", "token_file": "(set)",
                         "types": ["email", "credit_card"],
                         "rate_per_second": conf["detokenize"]["callers"][1]["rate_per_second"],
                         "burst": conf["detokenize"]["callers"][1]["burst"]}]},
           "/config's detokenize section")
        check(BILLING.encode() not in out and b"billing.token" not in out,
              "no token and no token file's name in /config")
        # billing: cards only.
        head, got = api_post(api_port, BILLING, tok)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 200 OK", "billing: 200")
        eq(got, b'{"card_number":"4111 1111 1111 1111","email":"' + m.group(2) +
           b'","ssn":"' + m.group(3) + b'"}', "billing gets the card, the rest stays tokens")
        eq(field(head, b"content-type"), [b"application/json"], "the request's type")
        # support, over the Unix socket: cards and e-mail addresses.
        head, got = api_post(None, SUPPORT, tok, sock=os.path.join(d, "detok.sock"))
        eq(got, b'{"card_number":"4111 1111 1111 1111","email":"jane.doe@example.com","ssn":"' +
           m.group(3) + b'"}', "support gets cards and e-mail addresses")
        # A wrong token, no token.
        head, got = api_post(api_port, BILLING[:-1] + "x", tok)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 401 Unauthorized", "a wrong token: 401")
        eq(field(head, b"www-authenticate"), [b'Bearer realm="veil-detokenize"'], "challenge")
        check(b"4111 1111" not in got, "no value for a stranger")
        head, _ = api_post(api_port, None, tok)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 401 Unauthorized", "no token: 401")
        # billing's burst is 3 (rate 3/m): the fourth request in a row waits.
        for _ in range(2):
            head, _ = api_post(api_port, BILLING, tok)
            eq(head.split(b"\r\n")[0], b"HTTP/1.1 200 OK", "within the burst")
        head, got = api_post(api_port, BILLING, tok)
        eq(head.split(b"\r\n")[0], b"HTTP/1.1 429 Too Many Requests", "over the rate: 429")
        retry = field(head, b"retry-after")
        check(len(retry) == 1 and 1 <= int(retry[0]) <= 20, "Retry-After: %r" % retry)
        check(b"4111 1111" not in got, "no value past the rate")
        # The audit: one line per request, in order.
        lines = audit_lines(env, 7)
        eq(len(lines), 7, "seven audit lines")
        stamp = rb'\{"@timestamp":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z",'
        for ln in lines:
            check(re.match(stamp, ln), "a timestamp: %r" % ln[:60])
        rest = [re.sub(stamp, b"{", ln) for ln in lines]
        ok = (b'"event.kind":"audit","event.action":"veil.detokenize","veil.caller":"billing",'
              b'"http.response.status_code":200,"event.outcome":"success",'
              b'"http.request.body.bytes":%d,"http.response.body.bytes":%d,' % (
                  len(tok), len(tok) - len(m.group(1)) + 19))
        eq(rest[0], b"{" + ok + b'"veil.restored":[{"type":"credit_card","key":"k1",'
           b'"outcome":"restored","count":1}],"veil.refused":[{"type":"email","key":"k1",'
           b'"outcome":"not_allowed","count":1},{"type":"us_ssn","key":"k1",'
           b'"outcome":"not_allowed","count":1}]}', "billing's audit line, exactly")
        eq(rest[2], b'{"event.kind":"audit","event.action":"veil.detokenize","veil.caller":null,'
           b'"http.response.status_code":401,"event.outcome":"unauthorized",'
           b'"http.request.body.bytes":0,"http.response.body.bytes":0,"veil.restored":[],'
           b'"veil.refused":[]}', "a stranger's audit line, exactly")
        check(b'"veil.caller":"billing","http.response.status_code":429,'
              b'"event.outcome":"rate_limited"' in rest[6], "the 429 audited: %r" % rest[6])
        check(b'"veil.caller":"support"' in rest[1] and b'"count":1}],"veil.refused":[{"type":'
              b'"us_ssn"' in rest[1], "support's line: %r" % rest[1])
        for ln in lines:
            for t in (BILLING.encode(), SUPPORT.encode(), m.group(1), m.group(2), m.group(3)):
                check(t not in ln, "no token in the audit")
        env.settle()
        text = metrics(env)
        eq(series(text, "veil_detokenize_requests_total"), sorted([
            'veil_detokenize_requests_total{caller="billing",status="200"} 3',
            'veil_detokenize_requests_total{caller="billing",status="429"} 1',
            'veil_detokenize_requests_total{caller="none",status="401"} 2',
            'veil_detokenize_requests_total{caller="support",status="200"} 1',
        ]), "requests by caller and status")
        eq(series(text, "veil_detokenizations_total"), sorted([
            'veil_detokenizations_total{type="credit_card",key="k1",outcome="restored"} 4',
            'veil_detokenizations_total{type="email",key="k1",outcome="not_allowed"} 3',
            'veil_detokenizations_total{type="email",key="k1",outcome="restored"} 1',
            'veil_detokenizations_total{type="us_ssn",key="k1",outcome="not_allowed"} 4',
        ]), "what the callers got back, and what they did not")
        promtool(text)
        no_values(env, text)
    finally:
        env.stop()


def test_detokenize_api_refusals(veil):
    """What POST /detokenize refuses before reading a body (404, 405,
    411, 413), each audited; with audit: stderr the lines go to stderr,
    not to the access log."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    key = keyfile(d)
    from harness import free_port
    api_port = free_port()
    path = os.path.join(d, "billing.token")
    with open(path, "w") as f:
        f.write(BILLING + "\n")
    os.chmod(path, 0o600)
    cfg_path = os.path.join(d, "veil.yaml")
    with open(cfg_path, "w") as f:
        f.write("""version: 1
keys:
  k1: {file: %s, slot: 1}
detokenize:
  listen: 127.0.0.1:%d
  max_body_size: 1k
  audit: stderr
  callers:
    - {name: billing, token_file: %s, types: [credit_card], rate: 100}
""" % (key, api_port, path))
    env = Env(veil, ["-c", cfg_path])
    try:
        auth = b"Authorization: Bearer " + BILLING.encode() + b"\r\n"
        cases = [
            (b"POST /other HTTP/1.1\r\nHost: a\r\n" + auth + b"Content-Length: 2\r\n\r\n{}",
             b"HTTP/1.1 404 Not Found", "not_found"),
            (b"GET /detokenize HTTP/1.1\r\nHost: a\r\n" + auth + b"\r\n",
             b"HTTP/1.1 405 Method Not Allowed", "method_not_allowed"),
            (b"POST /detokenize HTTP/1.1\r\nHost: a\r\n" + auth +
             b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
             b"HTTP/1.1 411 Length Required", "length_required"),
            (b"POST /detokenize HTTP/1.1\r\nHost: a\r\n" + auth +
             b"Content-Length: 1025\r\n\r\n" + b"x" * 1025,
             b"HTTP/1.1 413 Content Too Large", "too_large"),
            (b"POST /detokenize HTTP/1.1\r\nHost: a\r\n" + auth +
             b"Content-Length: 0\r\n\r\n", b"HTTP/1.1 200 OK", "success"),
        ]
        for req, status, _ in cases:
            out = env.raw(req, port=api_port)
            eq(out.split(b"\r\n")[0], status, "answer to %r" % req[:40])
            check(b"\r\nConnection: close\r\n" in out, "one request per connection")
        end = time.time() + 5
        while env.stderr().count(b'"event.action":"veil.detokenize"') < 5 and time.time() < end:
            time.sleep(0.05)
        lines = [l for l in env.stderr().split(b"\n") if b'"veil.detokenize"' in l]
        eq([json.loads(l)["event.outcome"] for l in lines], [c[2] for c in cases],
           "one audit line per request, on stderr")
        check(b"veil.detokenize" not in env.log_raw(), "not in the access log")
    finally:
        env.stop()


class _Named:
    """A closed socket's address, for tcp_queues()."""

    def __init__(self, name):
        self.name = name

    def getsockname(self):
        return self.name


def test_detokenize_api_refusals_not_rated(veil):
    """A request refused before any detokenization (411 chunked, 413 over
    max_body_size) or whose body never comes whole does not count against
    its caller's rate: with a burst of 2 and a rate of 1/h, two refusals
    and a body cut short, then two requests served, and only the third of
    those is over the rate (429)."""
    d = tempfile.mkdtemp(prefix="veil-tokp-")
    key = keyfile(d)
    from harness import free_port
    api_port = free_port()
    path = os.path.join(d, "billing.token")
    with open(path, "w") as f:
        f.write(BILLING + "\n")
    os.chmod(path, 0o600)
    cfg_path = os.path.join(d, "veil.yaml")
    with open(cfg_path, "w") as f:
        f.write("""version: 1
keys:
  k1: {file: %s, slot: 1}
detokenize:
  listen: 127.0.0.1:%d
  max_body_size: 1k
  audit: stderr
  callers:
    - {name: billing, token_file: %s, types: [credit_card], rate: 1/h, burst: 2}
""" % (key, api_port, path))
    env = Env(veil, ["-c", cfg_path])
    try:
        auth = b"Authorization: Bearer " + BILLING.encode() + b"\r\n"
        ok = (b"POST /detokenize HTTP/1.1\r\nHost: a\r\n" + auth +
              b"Content-Length: 2\r\n\r\n{}")
        cases = [
            (b"POST /detokenize HTTP/1.1\r\nHost: a\r\n" + auth +
             b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
             b"HTTP/1.1 411 Length Required"),
            (b"POST /detokenize HTTP/1.1\r\nHost: a\r\n" + auth +
             b"Content-Length: 1025\r\n\r\n" + b"x" * 1025,
             b"HTTP/1.1 413 Content Too Large"),
            (ok, b"HTTP/1.1 200 OK"),
            (ok, b"HTTP/1.1 200 OK"),
            (ok, b"HTTP/1.1 429 Too Many Requests"),
        ]
        got = [env.raw(req, port=api_port).split(b"\r\n")[0] for req, _ in cases[:2]]
        # A body cut short: nothing turned back, nothing spent.
        sock = env.raw(b"POST /detokenize HTTP/1.1\r\nHost: a\r\n" + auth +
                       b"Content-Length: 100\r\n\r\n{}", read_until_close=False,
                       port=api_port)
        wait_read(api_port, sock)
        name = sock.getsockname()
        sock.close()
        end = time.time() + 5
        while tcp_queues(api_port, _Named(name)) is not None and time.time() < end:
            time.sleep(0.01)
        got += [env.raw(req, port=api_port).split(b"\r\n")[0] for req, _ in cases[2:]]
        eq(got, [c[1] for c in cases], "the refusals spent nothing of the burst")
        env.settle()
        eq(series(metrics(env), "veil_detokenize_requests_total"), sorted([
            'veil_detokenize_requests_total{caller="billing",status="200"} 2',
            'veil_detokenize_requests_total{caller="billing",status="411"} 1',
            'veil_detokenize_requests_total{caller="billing",status="413"} 1',
            'veil_detokenize_requests_total{caller="billing",status="429"} 1',
        ]), "each request counted by its status")
    finally:
        env.stop()


TESTS = [test_counters_tokens_and_placeholders, test_detokenize_route_request,
         test_detokenize_route_response, test_detokenize_route_head_fpe,
         test_detokenize_route_response_head, test_token_before_a_dash, test_detokenize_route_refused,
         test_detokenize_api, test_detokenize_api_refusals,
         test_detokenize_api_refusals_not_rated]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
