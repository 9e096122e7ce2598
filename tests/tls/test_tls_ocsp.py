#!/usr/bin/env python3
"""OCSP stapling (listeners[].tls.certificates[].ocsp_file): responses
made by the openssl command for the throwaway CA (`openssl ocsp` as a
responder over an index.txt), stapled when `openssl s_client -status`
asks, replaced when the file changes (good, then revoked), and a response
that is not for the certificate, or not successful, refused with the old
one kept.

index.txt is the CA database `openssl ca` keeps and `openssl ocsp -index`
reads: one line per certificate, tab-separated: status (V valid, R
revoked), expiry time, revocation time (empty unless revoked), serial in
hex, file name ("unknown"), subject DN.

Usage: test_tls_ocsp.py VEIL [test names...]
"""
import datetime
import os
import re
import subprocess
import sys
import time

from tlskit import PKI, Setup, check, eq, free_port, openssl, run


def serial_of(pki, name):
    out = subprocess.run(["openssl", "x509", "-in", pki.path(name + ".pem"), "-noout",
                          "-serial"], stdout=subprocess.PIPE, check=True).stdout.decode()
    return out.strip().split("=", 1)[1]


def ocsp_response(pki, name, out, revoked=False):
    """A DER OCSP response for certificate <name>, signed by the CA."""
    stamp = lambda t: t.strftime("%y%m%d%H%M%SZ")  # noqa: E731 (UTCTime)
    now = datetime.datetime.now(datetime.timezone.utc)
    line = "%s\t%s\t%s\t%s\tunknown\t/CN=%s.test\n" % (
        "R" if revoked else "V", stamp(now + datetime.timedelta(days=2)),
        stamp(now - datetime.timedelta(hours=1)) if revoked else "", serial_of(pki, name), name)
    with open(pki.path("index.txt"), "w") as f:
        f.write(line)
    openssl(pki.dir, "ocsp", "-issuer", "ca.pem", "-cert", name + ".pem", "-no_nonce",
            "-reqout", name + ".req")
    openssl(pki.dir, "ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "ca.key",
            "-CA", "ca.pem", "-reqin", name + ".req", "-respout", out, "-ndays", "1")


def chain(pki, name):
    """<name>-chain.pem: the leaf, then its CA (what lets veil check that a
    response names this certificate)."""
    with open(pki.path(name + "-chain.pem"), "w") as f:
        for part in (name + ".pem", "ca.pem"):
            with open(pki.path(part)) as g:
                f.write(g.read())


class OcspSetup(Setup):
    def yaml(self, tls_extra, certs, port):
        p = self.pki.path
        return ("version: 1\nlisteners:\n  - name: main\n    address: 127.0.0.1:1\n"
                "    tls:\n      certificates:\n"
                "        - {cert_file: %s, key_file: %s, ocsp_file: %s}\n"
                "        - {cert_file: %s, key_file: %s}\n"
                % (p("a-chain.pem"), p("a.key"), p("a.ocsp"), p("b.pem"), p("b.key")))


def status(s, *extra):
    out, _ = s.s_client("-servername", "a.test", "-status", *extra)
    return out


def cert_status(out):
    m = re.search(r"Cert Status: (\w+)", out)
    return m.group(1) if m else None


def wait_stderr(s, text, count=1, timeout=10.0):
    """Waits until stderr holds <text> <count> times."""
    end = time.time() + timeout
    while s.env.stderr().count(text) < count and time.time() < end:
        time.sleep(0.05)
    eq(s.env.stderr().count(text), count, "stderr says %r:\n%s" % (text, s.env.stderr().decode()))


def test_stapled_and_reloaded(veil):
    pki = PKI()
    chain(pki, "a")
    ocsp_response(pki, "a", "a.ocsp")
    s = OcspSetup(veil, pki)
    try:
        # Asked for: stapled, as openssl ocsp made it.
        out = status(s)
        check("OCSP Response Status: successful (0x0)" in out, "stapled:\n" + out)
        eq(cert_status(out), "good", "Cert Status")
        check("Verify return code: 0 (ok)" in out, "verifies")
        # Not asked for: nothing stapled.
        out, _ = s.s_client("-servername", "a.test")
        check("OCSP response" not in out, "no staple unasked:\n" + out)
        # b.test has no ocsp_file: no response.
        out, _ = s.s_client("-servername", "b.test", "-status")
        check("OCSP response: no response sent" in out, "b.test staples nothing:\n" + out)

        # The CA revokes a.test; the new response replaces the file.
        ocsp_response(pki, "a", "a2.ocsp", revoked=True)
        os.replace(pki.path("a2.ocsp"), pki.path("a.ocsp"))
        wait_stderr(s, b"veil: listeners[0].tls: certificates reloaded\n")
        out = status(s)
        eq(cert_status(out), "revoked", "the new response is stapled:\n" + out)

        # A response for b.test written over a.test's: refused, the revoked
        # one stays.
        ocsp_response(pki, "b", "b.ocsp")
        os.replace(pki.path("b.ocsp"), pki.path("a.ocsp"))
        wait_stderr(s, ("veil: listeners[0].tls: %s: the OCSP response is not for the "
                        "certificate; the certificates in use stay\n"
                        % pki.path("a.ocsp")).encode())
        eq(cert_status(status(s)), "revoked", "the old response stays")

        # A response that is not successful (RFC 6960 section 4.2.1:
        # OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED
        # unauthorized (6) }, no responseBytes).
        with open(pki.path("u.ocsp"), "wb") as f:
            f.write(bytes([0x30, 0x03, 0x0a, 0x01, 0x06]))
        os.replace(pki.path("u.ocsp"), pki.path("a.ocsp"))
        wait_stderr(s, ("veil: listeners[0].tls: %s: the OCSP response says unauthorized; "
                        "the certificates in use stay\n" % pki.path("a.ocsp")).encode())
        eq(cert_status(status(s)), "revoked", "the old response stays")

        # A good response again.
        ocsp_response(pki, "a", "a3.ocsp")
        os.replace(pki.path("a3.ocsp"), pki.path("a.ocsp"))
        wait_stderr(s, b"veil: listeners[0].tls: certificates reloaded\n", count=2)
        eq(cert_status(status(s)), "good", "good again")
    finally:
        s.stop()


def test_bad_response_at_start(veil):
    """A response for another certificate stops veil at start, with the
    file and the reason."""
    pki = PKI()
    chain(pki, "a")
    ocsp_response(pki, "b", "a.ocsp")
    conf = pki.path("veil.yaml")
    with open(conf, "w") as f:
        f.write(OcspSetup.yaml(type("X", (), {"pki": pki})(), "", (), 0))
    p = subprocess.run([veil, "run", "-c", conf, "--admin", "off", "--listen",
                        "127.0.0.1:%d" % free_port()], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=20)
    check(p.returncode != 0, "does not start")
    eq(p.stderr.decode(), "veil: listeners[0].tls: %s: the OCSP response is not for the "
                          "certificate\n" % pki.path("a.ocsp"), "stderr")


TESTS = [test_stapled_and_reloaded, test_bad_response_at_start]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
