#!/usr/bin/env python3
"""veil_tls_handshakes_total and veil_tls_handshake_failures_total{reason}
after real clients (curl, openssl s_client, raw sockets) fail a TLS
handshake with veil in each way the reasons name: exact counter values,
every reason checked (a reason that should be 0 is 0).

Usage: test_tls_handshakes.py VEIL [test names...]
"""
import socket
import subprocess
import sys
import time

from tlskit import (PKI, Setup, cert_args, check, client_auth_yaml, client_hello, eq,
                    first_record, run, wait_counters)
from harness import wait_read  # noqa: E402


def s_client(s, *args):
    return s.s_client(*args, data=b"")


def test_counts_by_reason(veil):
    pki = PKI()
    pki.wait_expired()
    s = Setup(veil, pki, client_auth_yaml(pki, "required"),
              args=["--header-timeout", "1s"])
    try:
        port = s.env.port
        # A port check: connect, close. No byte, no handshake.
        socket.create_connection(("127.0.0.1", port)).close()
        wait_counters(s.env, 0, {})

        # Completed: a good client certificate.
        out, err, rc = s.curl("/json", *cert_args(pki, "client"))
        check(rc == 0 and out.endswith(b"\n200"), "good client: %r" % err)
        wait_counters(s.env, 1, {})

        # TLS 1.1: protocol_version.
        out, rc = s_client(s, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
        check(rc != 0 and "alert protocol version" in out, "TLS 1.1 refused:\n" + out)
        wait_counters(s.env, 2, {"protocol_version": 1})

        # A cipher suite veil does not offer (RSA key exchange, CBC).
        out, rc = s_client(s, "-tls1_2", "-cipher", "AES128-SHA")
        check(rc != 0, "AES128-SHA refused:\n" + out)
        wait_counters(s.env, 3, {"protocol_version": 1, "no_shared_cipher": 1})

        # ALPN h2 only.
        out, rc = s_client(s, "-alpn", "h2", *cert_args_s(pki))
        check("no application protocol" in out, "h2 only refused:\n" + out)
        want = {"protocol_version": 1, "no_shared_cipher": 1, "no_application_protocol": 1}
        wait_counters(s.env, 4, want)

        # No client certificate, one from another CA, an expired one.
        for who, reason in ((None, "client_cert_required"), ("rogue", "client_cert_invalid"),
                            ("expired", "client_cert_invalid")):
            out, err, rc = s.curl("/json", *(cert_args(pki, who) if who else []))
            check(rc != 0, "%s refused" % who)
            want[reason] = want.get(reason, 0) + 1
        wait_counters(s.env, 7, want)

        # curl that does not trust veil's CA refuses veil's certificate.
        p = subprocess.run(["curl", "-s", "-S", "--max-time", "10", "--cacert",
                            pki.path("other.pem"), "https://localhost:%d/" % port],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
        check(p.returncode != 0, "curl refuses veil's certificate")
        want["server_cert_rejected"] = 1
        wait_counters(s.env, 8, want)

        # Plain HTTP on the TLS port.
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        c.recv(100)
        c.close()
        want["not_tls"] = 1
        wait_counters(s.env, 9, want)

        # A server_name with a NUL byte in it: unrecognized_name (RFC 6066
        # section 3: a host name has no NUL). The same hello with a good
        # name gets a ServerHello: the name made the difference.
        kind, rec = first_record(port, client_hello(sni=b"a.test"))
        eq(kind, 0x16, "a handshake record for a good server_name")
        want["client_closed"] = 1      # we left after the ServerHello
        wait_counters(s.env, 10, want)
        kind, rec = first_record(port, client_hello(sni=b"a\x00.test"))
        eq((kind, rec[5:]), (0x15, b"\x02\x70"), "a fatal unrecognized_name alert")
        want["sni"] = 1
        wait_counters(s.env, 11, want)

        # Half a ClientHello, then the client goes away: with a FIN, and
        # with a reset.
        hello = client_hello(sni=b"a.test")
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(hello[:20])
        c.shutdown(socket.SHUT_WR)
        c.recv(100)
        c.close()
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(hello[:20])
        wait_read(port, c)  # veil has read the start of the hello
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        c.close()
        want["client_closed"] = 3
        wait_counters(s.env, 13, want)

        # Half a ClientHello and nothing more: server.header_timeout (1s).
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(hello[:20])
        t0 = time.time()
        check(c.recv(100) == b"", "closed by veil")
        check(time.time() - t0 >= 0.9, "after the header timeout")
        c.close()
        want["timeout"] = 1
        wait_counters(s.env, 14, want)
        # A port check times out too, but is still no handshake.
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        check(c.recv(100) == b"", "closed by veil")
        c.close()
        wait_counters(s.env, 14, want)
    finally:
        s.stop()


def cert_args_s(pki):
    return ["-cert", pki.path("client.pem"), "-key", pki.path("client.key")]


def test_stats_document(veil):
    """/stats has the same numbers under "tls_handshakes"."""
    import json
    pki = PKI()
    s = Setup(veil, pki)
    try:
        out, err, rc = s.curl("/json")
        check(rc == 0, "curl: %r" % err)
        out, rc = s_client(s, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
        wait_counters(s.env, 2, {"protocol_version": 1})
        raw = s.env.raw(b"GET /stats HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                        port=s.env.admin_port)
        doc = json.loads(raw.split(b"\r\n\r\n", 1)[1])
        eq(doc["tls_handshakes"]["total"], 2, "total")
        eq(doc["tls_handshakes"]["failures"]["protocol_version"], 1, "protocol_version")
        eq(sum(doc["tls_handshakes"]["failures"].values()), 1, "one failure")
    finally:
        s.stop()


TESTS = [test_counts_by_reason, test_stats_document]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
