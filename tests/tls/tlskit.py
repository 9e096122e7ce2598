"""What the tests in tests/tls share: the throwaway PKI and the veil
set-up of tests/integration/test_tls_listen.py, the admin /metrics
counters, and a TLS ClientHello built byte by byte.

The ClientHello is written from the specifications, not from veil's code:
the record layer and ClientHello of RFC 5246 sections 6.2.1 and 7.4.1.2,
extensions as RFC 5246 section 7.4.1.4 frames them, server_name from RFC
6066 section 3, supported_groups and ec_point_formats from RFC 8422
section 5.1, signature_algorithms from RFC 5246 section 7.4.1.4.1, and
the code points from the IANA TLS registries.
"""
import os
import re
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Env, check, eq, free_port, run, split_head, wait_port  # noqa: E402,F401
from test_tls_listen import (PKI, Setup, cert_args, client_auth_yaml,  # noqa: E402,F401
                             listener_yaml, make_ca, make_cert, openssl)


def metrics(env):
    """/metrics of <env>'s admin listener, as text."""
    out = env.raw(b"GET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                  port=env.admin_port)
    check(out.startswith(b"HTTP/1.1 200 "), "/metrics answers")
    return split_head(out)[1].decode()


def tls_counters(env):
    """The two TLS handshake families: (total, {reason: count})."""
    text = metrics(env)
    m = re.search(r"^veil_tls_handshakes_total (\d+)$", text, re.M)
    check(m is not None, "veil_tls_handshakes_total in /metrics")
    fails = {k: int(v) for k, v in re.findall(
        r'^veil_tls_handshake_failures_total\{reason="([a-z_]+)"\} (\d+)$', text, re.M)}
    return int(m.group(1)), fails


REASONS = ["protocol_version", "no_shared_cipher", "no_application_protocol", "sni",
           "client_cert_required", "client_cert_invalid", "server_cert_rejected", "not_tls",
           "timeout", "client_closed", "other"]


def wait_counters(env, total, fails, timeout=10.0):
    """Waits until the counters are exactly (<total>, <fails> with every
    other reason 0) and checks them: a handshake is counted when it ends,
    which for a reset or a timeout is when veil closes the connection."""
    want = {r: fails.get(r, 0) for r in REASONS}
    end = time.time() + timeout
    while True:
        got = tls_counters(env)
        if got == (total, want) or time.time() > end:
            break
        time.sleep(0.05)
    eq(got, (total, want), "veil_tls_handshakes_total and the failures by reason")


def _vec(n, data):
    """An opaque vector with an <n>-byte length (RFC 5246 section 4.3)."""
    return len(data).to_bytes(n, "big") + data


def client_hello(sni=None, version=0x0303):
    """The bytes of one TLS record holding a ClientHello: TLS 1.2
    (client_version 3,3), the ECDHE-ECDSA/RSA AES-GCM suites, no
    compression, and extensions server_name (when <sni> is given, as
    bytes, sent as they are), supported_groups (secp256r1, x25519),
    ec_point_formats (uncompressed) and signature_algorithms
    (ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256)."""
    ext = b""
    if sni is not None:
        # ServerNameList of one HostName (name_type 0).
        names = _vec(2, b"\x00" + _vec(2, sni))
        ext += struct.pack(">H", 0) + _vec(2, names)
    ext += struct.pack(">H", 10) + _vec(2, _vec(2, b"\x00\x17\x00\x1d"))
    ext += struct.pack(">H", 11) + _vec(2, _vec(1, b"\x00"))
    ext += struct.pack(">H", 13) + _vec(2, _vec(2, b"\x04\x03\x08\x04\x04\x01"))
    body = (struct.pack(">H", version) + bytes(range(32)) + _vec(1, b"") +
            _vec(2, b"\xc0\x2b\xc0\x2f") + _vec(1, b"\x00") + _vec(2, ext))
    hs = b"\x01" + _vec(3, body)
    return b"\x16\x03\x01" + _vec(2, hs)


def first_record(port, data, timeout=5.0):
    """Sends <data> on a new connection and returns the first record veil
    answers with: (content type, bytes), or (None, b"") when it closed
    without one."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        buf = b""
        while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
            d = s.recv(65536)
            if not d:
                return None, buf
            buf += d
        n = 5 + int.from_bytes(buf[3:5], "big")
        return buf[0], buf[:n]
    finally:
        s.close()
