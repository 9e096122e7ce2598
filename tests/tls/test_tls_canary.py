#!/usr/bin/env python3
"""The canary test on TLS paths (issue 13): the canaries of
tests/integration/test_canary.py in a client certificate's subject and
SAN, in the SNI of failed and abandoned handshakes, and in requests over
TLS that the client aborts or that fail at a TLS upstream, must never
appear in an access-log value, on veil's stderr or in the admin
endpoints (/stats, /metrics, /config, /report).

The TLS paths: a certificate carrying canaries accepted (its names are
logged redacted), the same from another CA and expired (handshakes
refused), a TLS 1.1 hello and a malformed server_name whose SNI is a
canary, hellos cut off by a FIN, a reset and the header timeout, a
request reset in the middle of its body, and a request to an https
upstream whose certificate does not verify.

Usage: test_tls_canary.py VEIL [test names...]
"""
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

from tlskit import (PKI, Setup, check, client_auth_yaml, client_hello, eq, first_record,
                    listener_yaml, make_cert, run, wait_counters)
from test_canary import CARD, EMAIL, SSN, leaks_everywhere, report
from harness import wait_read  # noqa: E402

# The certificate names: the e-mail canary as the CN and as an e-mail SAN.
SUBJECT_CN = EMAIL.decode()


def rst(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


class BadUpstream:
    """A TLS server whose certificate chains to the test CA, which veil's
    system store does not trust: every connection to it fails
    verification."""

    def __init__(self, pki):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(pki.path("a.pem"), pki.path("a.key"))
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(8)
        self.port = self.ls.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                raw, _ = self.ls.accept()
            except OSError:
                return
            try:
                raw.settimeout(5)
                self.ctx.wrap_socket(raw, server_side=True).close()
            except (ssl.SSLError, OSError):
                raw.close()

    def stop(self):
        self.ls.close()


def test_tls_paths(veil):
    pki = PKI()
    # File names say nothing: /config lists them.
    san = "email:%s,URI:spiffe://test/pii" % SUBJECT_CN
    make_cert(pki.dir, "ca", "pii", SUBJECT_CN, san, "clientAuth")
    make_cert(pki.dir, "other", "piirogue", SUBJECT_CN, san, "clientAuth")
    make_cert(pki.dir, "ca", "piiold", SUBJECT_CN, san, "clientAuth", days="0")
    up = BadUpstream(pki)

    class CanarySetup(Setup):
        def yaml(self, tls_extra, certs, port):
            return ("version: 1\nlisteners:\n  - name: main\n    address: 127.0.0.1:1\n" +
                    listener_yaml(self.pki, tls_extra, certs) +
                    "upstreams:\n  - name: api\n    url: http://127.0.0.1:9\n"
                    "  - name: bad\n    url: https://localhost:%d\n" % up.port +
                    "routes:\n  - name: bad\n    match: {path_prefix: /bad}\n"
                    "    upstream: bad\n")

    # Expired: wait until the "0 days" certificate has expired.
    end = time.time() + 5
    while time.time() < end and subprocess.run(
            ["openssl", "x509", "-in", pki.path("piiold.pem"), "-noout", "-checkend", "0"],
            stdout=subprocess.DEVNULL).returncode == 0:
        time.sleep(0.1)
    s = CanarySetup(veil, pki, client_auth_yaml(pki, "optional"),
                    args=["--header-timeout", "1s"])
    try:
        port = s.env.port
        q = "/json?email=%s&card=%s&ssn=%s" % (EMAIL.decode(), CARD.decode(), SSN.decode())
        cert = ["--cert", pki.path("pii.pem"), "--key", pki.path("pii.key")]

        # The accepted certificate: its names are logged, redacted.
        out, err, rc = s.curl(q, "-H", "X-Request-Id: accepted", *cert)
        eq(rc, 0, "curl with the canary certificate: %r" % err)
        # Refused certificates: another CA, expired.
        for name in ("piirogue", "piiold"):
            out, err, rc = s.curl(q, "--cert", pki.path(name + ".pem"), "--key",
                                  pki.path(name + ".key"))
            check(rc != 0, "%s refused" % name)
        # A TLS 1.1 hello and a malformed server name, the SNI a canary.
        kind, _ = first_record(port, client_hello(sni=EMAIL.replace(b"@", b"-"),
                                                  version=0x0302))
        eq(kind, 0x15, "TLS 1.1: an alert")
        kind, _ = first_record(port, client_hello(sni=EMAIL + b"\x00" + CARD))
        eq(kind, 0x15, "NUL in the server name: an alert")
        # Hellos cut off: a FIN, a reset, the header timeout.
        hello = client_hello(sni=EMAIL.replace(b"@", b"-"))
        for how in ("fin", "rst", "timeout"):
            c = socket.create_connection(("127.0.0.1", port), timeout=5)
            c.sendall(hello[:len(hello) // 2])
            if how == "fin":
                c.shutdown(socket.SHUT_WR)
                c.recv(100)
                c.close()
            elif how == "rst":
                time.sleep(0.05)
                rst(c)
            else:
                check(c.recv(100) == b"", "closed at the header timeout")
                c.close()
        # A request over TLS reset in the middle of its body.
        ctx = ssl.create_default_context(cafile=pki.path("ca.pem"))
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        t = ctx.wrap_socket(raw, server_hostname="localhost")
        body = b'{"email":"' + EMAIL + b'","ssn":"' + SSN + b'"}'
        t.sendall(b"POST " + q.encode() + b" HTTP/1.1\r\nHost: a\r\n"
                  b"X-Request-Id: aborted\r\nContent-Type: application/json\r\n"
                  b"X-Email: " + EMAIL + b"\r\nContent-Length: 1000\r\n\r\n" + body)
        wait_read(port, t)  # veil has the records of the partial request
        rst(t)
        # A request to the https upstream that does not verify: 502.
        out, err, rc = s.curl("/bad" + q, "-H", "X-Request-Id: upstream", "-H",
                              "X-Email: " + EMAIL.decode())
        check(out.endswith(b"\n502"), "502 from the bad upstream: %r" % out[-100:])

        want = {"client_cert_invalid": 2, "protocol_version": 1, "sni": 1,
                "client_closed": 2, "timeout": 1}
        # Completed: the accepted certificate, the aborted request's and
        # the upstream request's handshakes; failed: the seven others.
        wait_counters(s.env, 3 + 7, want)
        recs = {r["http.request.id"]: r for r in s.env.log(3)}
        eq(sorted(recs), ["aborted", "accepted", "upstream"], "three records")
        # The log's default action for an e-mail address is mask.
        eq(recs["accepted"]["tls.client.subject"], "CN=******.****@*******.***",
           "the subject, redacted")
        eq(recs["aborted"].get("error.type"), "client_aborted", "the aborted request")
        eq(recs["upstream"].get("error.type"), "upstream_tls_failed", "the upstream's error")
        err = s.env.stderr().decode()
        check("veil: upstream bad: TLS verification failed: " in err, err)
        report(leaks_everywhere(s.env), "canaries on TLS paths")
    finally:
        up.stop()
        s.stop()


TESTS = [test_tls_paths]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
