#!/usr/bin/env python3
"""TLS to https:// upstreams (proxy/net/tls_up.c): veil verifies the
upstream's certificate and host name, sends the request over TLS byte for
byte, reuses the TLS connection from its pool, and answers 502
upstream_tls_failed (counted) when verification fails; `verify: false`
connects to a server nobody vouches for; a response cut short over TLS is
reported as over plain TCP.

A throwaway CA and server certificates (for localhost and 127.0.0.1) are
made with the openssl command in the test's temporary directory; the
upstream is a small server here on Python's ssl module, which keeps the
exact decrypted bytes of each connection and the SNI name it was sent.

Usage: test_tls.py VEIL [test names...]
"""
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

from harness import Env, check, eq, free_port, run, split_head, wait_stalled

PII_JSON = (b'{"user":"canary.4f9c@example.org","card":"4111111111111111",'
            b'"ssn":"123-45-6789","note":"ok"}')
# Masked: the default action of a config file's policy.
PII_JSON_RED = ('{"user":"******.****@*******.***","card":"************1111",'
                '"ssn":"***-**-****","note":"ok"}')
# The client gets the generic 502; the reason is in the log and stats.
ERR_TLS = (b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n"
           b"Content-Length: 24\r\nConnection: close\r\n\r\n"
           b'{"error":"bad_gateway"}\n')


def openssl(d, *args):
    subprocess.run(["openssl"] + list(args), cwd=d, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    openssl(d, "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            name + ".key", "-out", name + ".pem", "-days", "2", "-subj",
            "/CN=veil test " + name, "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign,cRLSign")


def make_cert(d, ca, name):
    """A server certificate for localhost and 127.0.0.1 signed by <ca>."""
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "basicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n")
    openssl(d, "req", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            name + ".key", "-out", name + ".csr", "-subj", "/CN=localhost")
    openssl(d, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
            "-CAkey", ca + ".key", "-CAcreateserial", "-out", name + ".pem",
            "-days", "2", "-extfile", name + ".ext")


class PKI:
    """ca signs srv; other (a CA veil is never told about) signs rogue."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="veil-tls-")
        make_ca(self.dir, "ca")
        make_ca(self.dir, "other")
        make_cert(self.dir, "ca", "srv")
        make_cert(self.dir, "other", "rogue")

    def path(self, name):
        return os.path.join(self.dir, name)


# 3 MiB that no detector looks at, different at every offset, so that a
# byte lost, doubled or moved shows.
BIG = b"".join(b"%015d\n" % i for i in range(3 * 65536))


class TlsUpstream:
    """An HTTP/1.1 server over TLS on 127.0.0.1. Answers, by path:
    /big   200 with BIG (3 MiB), keep-alive
    /then-close  200 PII_JSON, then a close_notify and the end
    /garbage     bytes that are not TLS records, then the end
    /cut   a 200 head announcing 100 bytes, 10 of them, then the TCP
           connection closes (no close_notify)
    other  200 PII_JSON, keep-alive
    """

    def __init__(self, pki, cert="srv"):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(pki.path(cert + ".pem"),
                                 pki.path(cert + ".key"))
        self.ctx.sni_callback = self._sni
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.lock = threading.Lock()
        self.accepts = 0         # TCP connections
        self.handshakes = 0      # completed TLS handshakes
        self.sni = []            # server names sent, one per handshake
        self.conns = []          # decrypted bytes, one per connection
        self.closed = 0          # connections closed with close_notify
        threading.Thread(target=self._accept, daemon=True).start()

    def _sni(self, sock, name, ctx):
        with self.lock:
            self.sni.append(name)

    def stop(self):
        try:
            self.ls.close()
        except OSError:
            pass

    def received(self):
        with self.lock:
            return [bytes(c) for c in self.conns]

    def _accept(self):
        while True:
            try:
                s, _ = self.ls.accept()
            except OSError:
                return
            with self.lock:
                self.accepts += 1
            threading.Thread(target=self._serve, args=(s,),
                             daemon=True).start()

    def _serve(self, raw):
        raw.settimeout(20)
        try:
            s = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        with self.lock:
            self.handshakes += 1
            self.conns.append(bytearray())
            num = len(self.conns)
        buf = bytearray()
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    d = s.recv(65536)
                    if not d:
                        return
                    with self.lock:
                        self.conns[num - 1] += d
                    buf += d
                i = buf.index(b"\r\n\r\n") + 4
                head = bytes(buf[:i])
                del buf[:i]
                n = 0
                for ln in head.split(b"\r\n")[1:]:
                    if ln.lower().startswith(b"content-length:"):
                        n = int(ln.split(b":")[1])
                while len(buf) < n:
                    d = s.recv(65536)
                    if not d:
                        return
                    with self.lock:
                        self.conns[num - 1] += d
                    buf += d
                del buf[:n]
                path = head.split(b" ")[1]
                if path == b"/big":
                    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: "
                              b"application/octet-stream\r\n"
                              b"Content-Length: %d\r\n\r\n" % len(BIG) + BIG)
                    continue
                if path == b"/cut":
                    s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain"
                              b"\r\nContent-Length: 100\r\n\r\n0123456789")
                    # The TCP connection ends without a close_notify (the
                    # SSLSocket's shutdown() is the socket's, not TLS's).
                    s.shutdown(socket.SHUT_RDWR)
                    return
                if path == b"/garbage":
                    # Bytes that are no TLS record, past the session.
                    socket.socket.sendall(s, b"HTTP/1.1 200 OK\r\n\r\n")
                    s.shutdown(socket.SHUT_RDWR)
                    return
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: "
                          b"application/json\r\nContent-Length: %d\r\n\r\n"
                          % len(PII_JSON) + PII_JSON)
                if path == b"/then-close":
                    # A clean TLS close of the now idle connection.
                    s.settimeout(5)
                    try:
                        s.unwrap()
                    except (ssl.SSLError, OSError):
                        pass
                    with self.lock:
                        self.closed += 1
                    return
        except (ssl.SSLError, OSError):
            return
        finally:
            s.close()


def config(upstream_port, host="localhost", tls=""):
    """Upstream a is the harness's --upstream (the first one, which the
    flag overrides); the catch-all route goes to the TLS upstream s."""
    return ("version: 1\nupstreams:\n"
            "  - name: a\n    url: http://127.0.0.1:9\n"
            "  - name: s\n    url: https://%s:%d\n%s"
            "routes:\n  - name: tls\n    match: {path_prefix: /}\n"
            "    upstream: s\n" % (host, upstream_port, tls))


class Setup:
    def __init__(self, veil, cert="srv", host="localhost", tls=None,
                 pki=None):
        self.pki = pki or PKI()
        self.up = TlsUpstream(self.pki, cert)
        if tls is None:
            tls = "    tls: {ca_file: %s}\n" % self.pki.path("ca.pem")
        path = os.path.join(self.pki.dir, "veil.yaml")
        with open(path, "w") as f:
            f.write(config(self.up.port, host, tls))
        self.env = Env(veil, ["-c", path, "--workers", "1"], upstream=False)

    def stop(self):
        try:
            self.env.stop()
        finally:
            self.up.stop()
            self.env.cleanup()


def req(path, close=True, body=None):
    r = b"GET " if body is None else b"POST "
    r += path + b" HTTP/1.1\r\nHost: api.test\r\nX-Request-Id: t1\r\n"
    if body is not None:
        r += b"Content-Length: %d\r\n" % len(body)
    if close:
        r += b"Connection: close\r\n"
    return r + b"\r\n" + (body or b"")


def upstream_head(path, method=b"GET", length=None):
    """The exact head veil sends upstream for req(path)."""
    h = (method + b" " + path + b" HTTP/1.1\r\nHost: api.test\r\n"
         b"X-Request-Id: t1\r\nX-Forwarded-For: 127.0.0.1\r\n"
         b"X-Forwarded-Proto: http\r\nVia: 1.1 veil\r\n")
    if length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h + b"\r\n"


OK_JSON = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
           b"Via: 1.1 veil\r\nContent-Length: %d\r\nConnection: close\r\n"
           b"\r\n" % len(PII_JSON) + PII_JSON)


def metrics(env):
    env.log_raw()  # records and counters of finished exchanges are in
    out = env.raw(b"GET /metrics HTTP/1.1\r\nHost: a\r\n"
                  b"Connection: close\r\n\r\n", port=env.admin_port)
    return split_head(out)[1].decode().splitlines()


def findings(rec, loc):
    return sorted((f["detector"], f["count"]) for f in rec["veil.findings"]
                  if f["location"] == loc)


def test_exact_bytes(veil):
    """A GET and a POST with PII over TLS: the upstream decrypts exactly
    the bytes a plain upstream gets, the client gets the answer, the log
    record is redacted as usual, and SNI named the host."""
    s = Setup(veil)
    try:
        eq(s.env.raw(req(b"/json?email=canary.4f9c@example.org")), OK_JSON,
           "GET: client bytes")
        body = b'{"email":"canary.4f9c@example.org"}'
        eq(s.env.raw(req(b"/post", body=body)), OK_JSON, "POST: client bytes")
        got = s.up.received()
        eq(got, [upstream_head(b"/json?email=canary.4f9c@example.org") +
                 upstream_head(b"/post", b"POST", len(body)) + body],
           "bytes the upstream decrypted (one pooled connection)")
        eq(s.up.sni, ["localhost"], "SNI")
        log = s.env.log(2)
        r = log[0]
        eq(r["http.response.status_code"], 200, "status")
        eq(r["url.query"], "email=******.****@*******.***",
           "query redacted (masked, the config default)")
        eq(r["http.response.body.content"], PII_JSON_RED, "body redacted")
        eq(findings(r, "response.body"),
           [("credit_card", 1), ("email", 1), ("us_ssn", 1)], "findings")
        eq(r["veil.upstream"], "s", "upstream named")
        eq(log[1]["http.request.body.content"],
           '{"email":"******.****@*******.***"}',
           "request body redacted")
        check(b"canary" not in s.env.log_raw(), "nothing unredacted logged")
    finally:
        s.stop()


def test_keepalive_reuse(veil):
    """Three requests from three client connections: one TCP connection
    and one handshake upstream, all three requests on it."""
    s = Setup(veil)
    try:
        for _ in range(3):
            eq(s.env.raw(req(b"/json")), OK_JSON, "client bytes")
        eq(s.up.received(), [upstream_head(b"/json") * 3],
           "three requests on one TLS connection")
        eq((s.up.accepts, s.up.handshakes), (1, 1), "accepts, handshakes")
    finally:
        s.stop()


def test_ip_literal(veil):
    """https://127.0.0.1: the address is checked against the certificate's
    IP entry, and no SNI is sent (RFC 6066 names hosts only)."""
    s = Setup(veil, host="127.0.0.1")
    try:
        eq(s.env.raw(req(b"/json")), OK_JSON, "client bytes")
        eq(s.up.sni, [None], "no SNI for an address")
    finally:
        s.stop()


def expect_tls_failure(s, what, reason):
    eq(s.env.raw(req(b"/json?email=canary.4f9c@example.org")), ERR_TLS,
       what + ": 502")
    r = s.env.log(1)[0]
    eq(r["http.response.status_code"], 502, what + ": logged status")
    eq(r["error.type"], "upstream_tls_failed", what + ": reason")
    eq(r["url.query"], "email=******.****@*******.***",
       what + ": query redacted")
    eq(s.up.received(), [], what + ": no request bytes reached it")
    check('veil_upstream_errors_total{route="tls",'
          'kind="upstream_tls_failed"} 1' in metrics(s.env),
          what + ": counted")
    err = s.env.stderr()
    eq(err.count(b"veil: upstream s: TLS verification failed: " + reason +
                 b"\n"), 1, what + ": stderr names the upstream and reason")
    check(b"canary" not in err, what + ": no PII on stderr")


def test_untrusted_ca(veil):
    """The server's certificate comes from a CA veil was not given."""
    s = Setup(veil, cert="rogue")
    try:
        expect_tls_failure(s, "untrusted CA",
                           b"unable to get local issuer certificate")
    finally:
        s.stop()


def test_system_store_default(veil):
    """Without ca_file the system store is used: the test CA is not in
    it, so the connection is refused (verification is on by default)."""
    s = Setup(veil, tls="")
    try:
        expect_tls_failure(s, "system store",
                           b"unable to get local issuer certificate")
    finally:
        s.stop()


def test_wrong_host_name(veil):
    """A trusted certificate for another name: server_name says
    wrong.example, which the certificate does not cover."""
    pki = PKI()
    s = Setup(veil, pki=pki, tls="    tls: {ca_file: %s, server_name: "
              "wrong.example}\n" % pki.path("ca.pem"))
    try:
        expect_tls_failure(s, "wrong host name", b"hostname mismatch")
        eq(s.up.sni, ["wrong.example"], "SNI is the server_name")
    finally:
        s.stop()


def test_verify_off(veil):
    """verify: false connects to the server nobody vouches for, and veil
    warns about it at start."""
    s = Setup(veil, cert="rogue", tls="    tls: {verify: false}\n")
    try:
        eq(s.env.raw(req(b"/json")), OK_JSON, "client bytes")
        eq(s.up.received(), [upstream_head(b"/json")], "upstream bytes")
        check(b"veil: upstream s: tls verify is off" in s.env.stderr(),
              "warned")
    finally:
        s.stop()


def test_upstream_cuts_response(veil):
    """The upstream closes its TCP connection mid-body: the client gets
    the head and the 10 bytes, then the end of the connection; the log
    says upstream_truncated, as for plain TCP; the connection is not
    reused."""
    s = Setup(veil)
    try:
        out = s.env.raw(req(b"/cut", close=False))
        eq(out, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                b"Via: 1.1 veil\r\nContent-Length: 100\r\n\r\n0123456789",
           "client bytes: cut")
        r = s.env.log(1)[0]
        eq(r["error.type"], "upstream_truncated", "reason")
        eq(s.env.raw(req(b"/json")), OK_JSON, "next request")
        eq(s.up.received(), [upstream_head(b"/cut"), upstream_head(b"/json")],
           "a new connection for the next request")
        eq(s.up.accepts, 2, "accepts")
    finally:
        s.stop()


def test_large_bodies_slow_client(veil):
    """1 MiB up and 3 MiB down over TLS, the client reading only after a
    pause: the response waits in the TLS session and the socket while
    the client is slow (veil stops reading the upstream), and every byte
    arrives in order; then the same TLS connection serves again."""
    s = Setup(veil)
    try:
        body = BIG[:1 << 20]
        c = s.env.raw(b"POST /big HTTP/1.1\r\nHost: api.test\r\n"
                      b"X-Request-Id: t1\r\nContent-Type: "
                      b"application/octet-stream\r\nContent-Length: %d\r\n"
                      b"Connection: close\r\n\r\n" % len(body) + body,
                      read_until_close=False)
        wait_stalled(s.env.port, c)  # the response waits for the client
        out = b""
        while True:
            d = c.recv(65536)
            if not d:
                break
            out += d
        c.close()
        head, got = split_head(out)
        check(head.startswith(b"HTTP/1.1 200 OK\r\n"), "status")
        eq(len(got), len(BIG), "response length")
        check(got == BIG, "response bytes in order")
        eq(s.env.raw(req(b"/json")), OK_JSON, "next request")
        up = s.up.received()
        eq(len(up), 1, "one TLS connection")
        head = (b"POST /big HTTP/1.1\r\nHost: api.test\r\n"
                b"X-Request-Id: t1\r\nContent-Type: application/octet-stream"
                b"\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: "
                b"http\r\nVia: 1.1 veil\r\nContent-Length: %d\r\n\r\n"
                % len(body))
        eq(up[0][:len(head)], head, "request head upstream")
        eq(len(up[0]), len(head) + len(body) + len(upstream_head(b"/json")),
           "bytes upstream")
        check(up[0][len(head):len(head) + len(body)] == body,
              "request body decrypted in order")
        eq(up[0][len(head) + len(body):], upstream_head(b"/json"),
           "the next request on the same connection")
    finally:
        s.stop()


def test_upstream_closes_idle(veil):
    """The upstream ends an idle pooled connection with close_notify: the
    next request goes on a new TLS connection and succeeds."""
    s = Setup(veil)
    try:
        eq(s.env.raw(req(b"/then-close")), OK_JSON, "first request")
        end = time.time() + 10
        while s.up.closed < 1 and time.time() < end:
            time.sleep(0.02)
        eq(s.up.closed, 1, "the upstream closed its connection")
        eq(s.env.raw(req(b"/json")), OK_JSON, "second request")
        eq(s.up.received(), [upstream_head(b"/then-close"),
                             upstream_head(b"/json")], "two connections")
        eq((s.up.accepts, s.up.handshakes), (2, 2), "accepts, handshakes")
    finally:
        s.stop()


def test_garbage_records(veil):
    """Bytes that are no TLS record where the response should be: 502
    as for a connection reset, and the connection is not reused."""
    s = Setup(veil)
    try:
        eq(s.env.raw(req(b"/garbage")),
           b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n"
           b"Content-Length: 33\r\nConnection: close\r\n\r\n"
           b'{"error":"upstream_unavailable"}\n', "502")
        eq(s.env.log(1)[0]["error.type"], "upstream_unavailable", "reason")
        eq(s.env.raw(req(b"/json")), OK_JSON, "next request")
        eq(s.up.accepts, 2, "a new connection for the next request")
    finally:
        s.stop()


def test_upstream_flag(veil):
    """--upstream https://localhost:PORT without a config: verified
    against the system store, which does not know the test CA."""
    pki = PKI()
    up = TlsUpstream(pki)
    env = Env(veil, ["--upstream", "https://localhost:%d" % up.port,
                     "--workers", "1"], upstream=False)
    try:
        eq(env.raw(req(b"/json")), ERR_TLS, "502")
        eq(env.log(1)[0]["error.type"], "upstream_tls_failed", "reason")
        out = env.raw(b"GET /config HTTP/1.1\r\nHost: a\r\n"
                      b"Connection: close\r\n\r\n", port=env.admin_port)
        check(b'"url":"https://localhost:%d"' % up.port in out,
              "/config names the https upstream")
        eq(env.stderr().count(b"veil: upstream default: TLS verification "
                              b"failed: unable to get local issuer "
                              b"certificate\n"), 1, "stderr")
    finally:
        env.stop()
        up.stop()
        env.cleanup()


def test_tls_needs_https(veil):
    """tls: on an http:// upstream is a configuration error."""
    d = tempfile.mkdtemp(prefix="veil-tls-")
    path = os.path.join(d, "veil.yaml")
    with open(path, "w") as f:
        f.write("version: 1\nupstreams:\n  - name: a\n"
                "    url: http://127.0.0.1:9\n    tls: {verify: false}\n"
                "routes: []\n")
    p = subprocess.run([veil, "check", "-c", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=20)
    check(p.returncode != 0, "refused")
    check(b"upstreams[0].tls: tls settings need an https:// url"
          in p.stdout, "the message: %r" % p.stdout)


def test_bad_ca_file(veil):
    """A ca_file that cannot be read stops veil at start, naming the
    upstream and the file."""
    d = tempfile.mkdtemp(prefix="veil-tls-")
    path = os.path.join(d, "veil.yaml")
    missing = os.path.join(d, "missing.pem")
    with open(path, "w") as f:
        f.write("version: 1\nupstreams:\n  - name: s\n"
                "    url: https://127.0.0.1:9\n"
                "    tls: {ca_file: %s}\nroutes: []\n" % missing)
    p = subprocess.run([veil, "run", "-c", path, "--admin", "off",
                        "--listen", "127.0.0.1:%d" % free_port()],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=20)
    check(p.returncode != 0, "refused")
    eq(p.stderr, b"veil: upstream s: cannot load the CA file %s\n"
       % missing.encode(), "the message")


def test_config_dump(veil):
    """veil check --dump shows each https upstream's tls settings (verify
    always, the others when given), and its output loads again as the
    same configuration."""
    d = tempfile.mkdtemp(prefix="veil-tls-")
    path = os.path.join(d, "veil.yaml")
    with open(path, "w") as f:
        f.write("version: 1\nupstreams:\n  - name: s\n"
                "    url: https://api.example:8443\n"
                "    tls: {verify: false, ca_file: /etc/ca.pem, "
                "server_name: api.internal}\n"
                "  - name: t\n    url: https://b.example\n"
                "  - name: u\n    url: http://c.example\nroutes: []\n")
    p = subprocess.run([veil, "check", "-c", path, "--dump"],
                       stdout=subprocess.PIPE, timeout=20)
    eq(p.returncode, 0, "valid")
    ups = p.stdout.split(b"\nupstreams:\n")[1].split(b"\n\n")[0]
    tail = (b"    pool_size: 64\n    resolve_interval: 30s\n")
    eq(ups.split(b"  - name: ")[1:], [
        b'"s"\n    url: "https://api.example:8443"\n'
        b"    connect_timeout: 5s\n    response_timeout: 1m\n"
        b"    idle_timeout: 1m\n" + tail +
        b'    tls:\n      verify: false\n      ca_file: "/etc/ca.pem"\n'
        b'      server_name: "api.internal"\n',
        b'"t"\n    url: "https://b.example"\n'
        b"    connect_timeout: 5s\n    response_timeout: 1m\n"
        b"    idle_timeout: 1m\n" + tail + b"    tls:\n      verify: true\n",
        b'"u"\n    url: "http://c.example"\n'
        b"    connect_timeout: 5s\n    response_timeout: 1m\n"
        b"    idle_timeout: 1m\n" + tail[:-1]], "dumped upstreams")
    again = os.path.join(d, "dumped.yaml")
    with open(again, "wb") as f:
        f.write(p.stdout)
    q = subprocess.run([veil, "check", "-c", again, "--dump"],
                       stdout=subprocess.PIPE, timeout=20)
    # The first line names the file.
    eq(q.stdout.split(b"\n", 1)[1], p.stdout.split(b"\n", 1)[1],
       "the dump loads as the same configuration")


TESTS = [test_exact_bytes, test_keepalive_reuse, test_ip_literal,
         test_untrusted_ca, test_system_store_default, test_wrong_host_name,
         test_verify_off, test_upstream_cuts_response,
         test_large_bodies_slow_client, test_upstream_closes_idle,
         test_garbage_records, test_upstream_flag, test_tls_needs_https,
         test_config_dump, test_bad_ca_file]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
