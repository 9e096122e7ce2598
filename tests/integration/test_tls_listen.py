#!/usr/bin/env python3
"""TLS on veil's listeners (proxy/net/tls.c, tls_ctx.c), and mTLS and
session resumption to upstreams, against curl and `openssl s_client`.

A throwaway PKI is made with the openssl command in the test's temporary
directory: a CA that veil trusts for clients, a CA it does not ("other"),
server certificates for a.test (the default), b.test and localhost,
client certificates (good, wrong CA, expired, with another SAN).

Usage: test_tls_listen.py VEIL [test names...]
"""
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

from harness import Env, check, eq, run, split_head

CANARY_Q = b"/json?email=canary.4f9c@example.org&card=4111111111111111"



def wait_load(results, ok, timeout=20.0):
    """Waits until the load threads have <ok> successful requests."""
    end = time.time() + timeout
    while results["ok"] < ok:
        check(time.time() < end, "the load made %d requests in %.0f s (%s)"
              % (results["ok"], timeout, results["fail"][:3]))
        time.sleep(0.02)

def openssl(d, *args, inp=None):
    subprocess.run(["openssl"] + list(args), cwd=d, check=True, input=inp,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_ca(d, name):
    openssl(d, "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            name + ".key", "-out", name + ".pem", "-days", "2", "-subj",
            "/CN=veil test " + name, "-addext",
            "basicConstraints=critical,CA:TRUE", "-addext",
            "keyUsage=critical,keyCertSign,cRLSign")


def make_cert(d, ca, name, cn, san, eku="serverAuth", days="2"):
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                "keyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=%s\n" % (san, eku))
    openssl(d, "req", "-new", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn)
    openssl(d, "x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
            "-CAkey", ca + ".key", "-CAcreateserial", "-out", name + ".pem",
            "-days", days, "-extfile", name + ".ext")


class PKI:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="veil-tlsl-")
        d = self.dir
        make_ca(d, "ca")
        make_ca(d, "other")
        make_cert(d, "ca", "a", "a.test", "DNS:a.test,DNS:localhost,IP:127.0.0.1")
        make_cert(d, "ca", "b", "b.test", "DNS:b.test")
        make_cert(d, "ca", "client", "client one",
                  "URI:spiffe://test/client-one", "clientAuth")
        make_cert(d, "ca", "client2", "client two",
                  "URI:spiffe://test/client-two", "clientAuth")
        make_cert(d, "other", "rogue", "client one",
                  "URI:spiffe://test/client-one", "clientAuth")
        # Valid for no time at all: expired a second after it was made.
        make_cert(d, "ca", "expired", "client old",
                  "URI:spiffe://test/client-one", "clientAuth", days="0")

    def path(self, name):
        return os.path.join(self.dir, name)

    def wait_expired(self):
        end = time.time() + 5
        while time.time() < end:
            p = subprocess.run(["openssl", "x509", "-in",
                                self.path("expired.pem"), "-noout",
                                "-checkend", "0"],
                               stdout=subprocess.DEVNULL)
            if p.returncode != 0:
                return
            time.sleep(0.1)
        raise RuntimeError("the expired certificate did not expire")


def listener_yaml(pki, tls_extra="", certs=("a", "b")):
    c = "".join("        - {cert_file: %s, key_file: %s}\n"
                % (pki.path(n + ".pem"), pki.path(n + ".key")) for n in certs)
    return ("    tls:\n      certificates:\n" + c + tls_extra)


class Setup:
    """veil with a TLS listener (from a config file) in front of the
    harness's upstream."""

    def __init__(self, veil, pki=None, tls_extra="", certs=("a", "b"),
                 args=()):
        self.pki = pki or PKI()
        self.conf = os.path.join(self.pki.dir, "veil.yaml")
        self.env = None
        port = 0
        with open(self.conf, "w") as f:
            f.write(self.yaml(tls_extra, certs, port))
        # The first listener's address comes from --listen (the harness).
        self.env = Env(veil, ["-c", self.conf, "--workers", "1"] + list(args))

    def yaml(self, tls_extra, certs, port):
        return ("version: 1\nlisteners:\n  - name: main\n"
                "    address: 127.0.0.1:1\n" +
                listener_yaml(self.pki, tls_extra, certs) +
                "routes: []\n")

    def curl(self, path, *args):
        cmd = ["curl", "-s", "-S", "--max-time", "10", "--cacert",
               self.pki.path("ca.pem"), "-o", "-", "-w", "\n%{http_code}",
               "https://localhost:%d%s" % (self.env.port, path)]
        p = subprocess.run(cmd + list(args), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=20)
        return p.stdout, p.stderr, p.returncode

    def s_client(self, *args, data=b""):
        cmd = ["openssl", "s_client", "-connect",
               "127.0.0.1:%d" % self.env.port, "-CAfile",
               self.pki.path("ca.pem")] + list(args)
        p = subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=20)
        return p.stdout.decode(errors="replace"), p.returncode

    def stop(self):
        try:
            self.env.stop()
        finally:
            self.env.cleanup()


def subject_cn(out):
    m = re.search(r"subject=CN ?= ?([^\n]+)", out)
    return m.group(1).strip() if m else None


def test_curl_exact_bytes(veil):
    """A request over TLS reaches the upstream byte for byte (with
    X-Forwarded-Proto: https), the client gets the answer, and the record
    has the tls.* fields: version, cipher, ALPN."""
    s = Setup(veil)
    try:
        out, err, rc = s.curl("/json?x=1", "-H", "X-Request-Id: r1")
        eq(rc, 0, "curl: " + err.decode())
        check(out.endswith(b"\n200"), "200 over TLS: %r" % out[-200:])
        reqs = s.env.requests(1)
        eq(len(reqs), 1, "one request upstream")
        head = split_head(reqs[0][0])[0]
        eq(head, b"GET /json?x=1 HTTP/1.1\r\nHost: localhost:%d\r\n"
                 b"User-Agent: curl/%s\r\nAccept: */*\r\nX-Request-Id: r1\r\n"
                 b"X-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
                 b"Via: 1.1 veil\r\n\r\n"
                 % (s.env.port, re.search(rb"User-Agent: curl/([^\r]+)",
                                          head).group(1)),
           "the head upstream")
        rec = s.env.log(1)[0]
        eq(rec["tls.version_protocol"], "tls", "tls.version_protocol")
        eq(rec["tls.version"], "1.3", "tls.version")
        eq(rec["tls.next_protocol"], "http/1.1", "ALPN in the log")
        check(rec["tls.cipher"].startswith("TLS_"), "tls.cipher")
        eq(rec["tls.client.server_name"], "localhost", "SNI in the log")
        check("tls.client.subject" not in rec, "no client certificate")
    finally:
        s.stop()


def test_canary_redacted_as_over_tcp(veil):
    """The canary PII through a TLS listener is redacted in the log
    exactly as through a plain one: the same url.query, headers and
    findings."""
    body = (b'{"user":"canary.4f9c@example.org","card":"4111111111111111",'
            b'"ssn":"123-45-6789"}')
    recs = []
    for tls in (False, True):
        if tls:
            s = Setup(veil)
            env = s.env
        else:
            # The same config file, its listener plain.
            d = tempfile.mkdtemp(prefix="veil-tlsl-")
            conf = os.path.join(d, "plain.yaml")
            with open(conf, "w") as f:
                f.write("version: 1\nlisteners:\n  - name: main\n"
                        "    address: 127.0.0.1:1\nroutes: []\n")
            env = Env(veil, ["-c", conf, "--workers", "1"])
        try:
            url = ("https://localhost:%d" if tls else "http://127.0.0.1:%d") \
                % env.port
            p = subprocess.run(
                ["curl", "-s", "-S", "--max-time", "10", "--cacert",
                 os.path.join(s.pki.dir, "ca.pem") if tls else "/dev/null",
                 "-H", "Content-Type: application/json", "-H",
                 "Host: api.test", "-H", "X-Request-Id: canary",
                 "-H", "X-Email: canary.4f9c@example.org",
                 "--data-binary", body, url + CANARY_Q.decode()],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
            eq(p.returncode, 0, "curl")
            recs.append((env.log(1)[0], env.log_raw()))
        finally:
            env.stop()
            env.cleanup()
    for _, raw in recs:
        for v in (b"canary.4f9c", b"4111111111111111", b"123-45-6789"):
            check(v not in raw, "a canary in the log: %r" % v)
    plain, tls = recs[0][0], recs[1][0]
    for k in ("url.path", "url.query", "http.request.headers",
              "http.request.body", "veil.findings",
              "http.response.status_code"):
        eq(tls.get(k), plain.get(k), "the record's %s over TLS and TCP" % k)


def test_sni_choice(veil):
    """SNI b.test gets b's certificate; a.test, an unknown name and no
    SNI get the first one (the default)."""
    s = Setup(veil)
    try:
        for sni, want in (("b.test", "b.test"), ("a.test", "a.test"),
                          ("nobody.test", "a.test"), (None, "a.test")):
            args = ["-servername", sni] if sni else ["-noservername"]
            out, _ = s.s_client(*args)
            eq(subject_cn(out), want, "certificate for SNI %s" % sni)
            check("Verify return code: 0 (ok)" in out or sni != "b.test",
                  "b.test verifies")
    finally:
        s.stop()


def test_alpn(veil):
    """ALPN: http/1.1 chosen among h2 and http/1.1; a client offering only
    h2 is refused (no_application_protocol); none offered is fine."""
    s = Setup(veil)
    try:
        out, _ = s.s_client("-servername", "a.test", "-alpn", "h2,http/1.1")
        check("ALPN protocol: http/1.1" in out, "http/1.1 chosen:\n" + out)
        out, _ = s.s_client("-servername", "a.test", "-alpn", "h2")
        check("no application protocol" in out, "h2 only refused:\n" + out)
        out, _ = s.s_client("-servername", "a.test")
        check("No ALPN negotiated" in out and "Verify return code: 0" in out,
              "no ALPN:\n" + out)
    finally:
        s.stop()


def test_versions(veil):
    """TLS 1.1 is refused by the server (protocol_version alert); 1.2 and
    1.3 work; with min_version "1.3", 1.2 is refused too."""
    s = Setup(veil)
    try:
        out, rc = s.s_client("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
        check(rc != 0 and "alert protocol version" in out,
              "TLS 1.1 refused by veil:\n" + out)
        for v in ("-tls1_2", "-tls1_3"):
            out, rc = s.s_client(v, "-servername", "a.test")
            check("Verify return code: 0 (ok)" in out, v + " works:\n" + out)
    finally:
        s.stop()
    s = Setup(veil, tls_extra='      min_version: "1.3"\n')
    try:
        out, rc = s.s_client("-tls1_2")
        check(rc != 0 and "alert protocol version" in out,
              "TLS 1.2 refused with min_version 1.3:\n" + out)
        out, rc = s.s_client("-tls1_3", "-servername", "a.test")
        check("Verify return code: 0 (ok)" in out, "1.3 works:\n" + out)
    finally:
        s.stop()


def client_auth_yaml(pki, mode, sans=None):
    y = ("      client_auth: %s\n      client_ca_file: %s\n"
         % (mode, pki.path("ca.pem")))
    if sans:
        y += "      client_sans: [%s]\n" % ", ".join('"%s"' % x for x in sans)
    return y


def cert_args(pki, name):
    return ["--cert", pki.path(name + ".pem"), "--key", pki.path(name + ".key")]


def test_client_cert_required(veil):
    """client_auth required: no certificate, one from another CA and an
    expired one are refused in the handshake; a good one gets through and
    its subject, issuer and matched SAN are in the record."""
    pki = PKI()
    pki.wait_expired()
    s = Setup(veil, pki, client_auth_yaml(pki, "required",
                                          ["spiffe://test/client-one"]))
    try:
        for who in (None, "rogue", "expired", "client2"):
            out, err, rc = s.curl("/json", *(cert_args(pki, who) if who else []))
            check(rc != 0 and not out.endswith(b"200"),
                  "refused: %s (rc %d, %r)" % (who, rc, err))
        out, err, rc = s.curl("/json?a=1", *cert_args(pki, "client"))
        check(rc == 0 and out.endswith(b"\n200"), "good certificate: %r" % err)
        recs = s.env.log(1)
        eq(len(recs), 1, "one record: refused handshakes have none")
        rec = recs[0]
        eq(rec["tls.client.subject"], "CN=client one", "subject")
        eq(rec["tls.client.issuer"], "CN=veil test ca", "issuer")
        eq(rec["tls.client.x509.alternative_names"],
           ["spiffe://test/client-one"], "the SAN that matched")
        check(b"BEGIN CERTIFICATE" not in s.env.log_raw(), "no certificate")
    finally:
        s.stop()


def test_client_cert_optional(veil):
    """client_auth optional: no certificate is fine (no tls.client.*); a
    good one is logged; one from another CA is refused."""
    pki = PKI()
    s = Setup(veil, pki, client_auth_yaml(pki, "optional"))
    try:
        out, err, rc = s.curl("/json?n=1")
        check(rc == 0 and out.endswith(b"\n200"), "no certificate: %r" % err)
        out, err, rc = s.curl("/json?n=2", *cert_args(pki, "client"))
        check(rc == 0 and out.endswith(b"\n200"), "good one: %r" % err)
        out, err, rc = s.curl("/json?n=3", *cert_args(pki, "rogue"))
        check(rc != 0, "another CA refused")
        recs = s.env.log(2)
        eq(len(recs), 2, "two records")
        # (By query: two workers may write the two records in either order.)
        by = {r.get("url.query"): r for r in recs}
        eq(sorted(by), ["n=1", "n=2"], "one record for each")
        check("tls.client.subject" not in by["n=1"], "no client in the first")
        eq(by["n=2"]["tls.client.subject"], "CN=client one", "subject")
        check("tls.client.x509.alternative_names" not in by["n=2"],
              "no client_sans: no SAN match logged")
    finally:
        s.stop()


def https_get(port, cafile, path=b"/json"):
    """One request on a new connection; the server certificate's serial."""
    ctx = ssl.create_default_context(cafile=cafile)
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    s = ctx.wrap_socket(raw, server_hostname="localhost")
    serial = s.getpeercert()["serialNumber"]
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: a\r\n"
              b"Connection: close\r\n\r\n")
    data = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        data += d
    s.close()
    return serial, data


def test_reload_renewed_certificate(veil):
    """A renewed certificate written over the files is taken without a
    reload and without dropping a request: requests on new and kept-alive
    connections run all along, none fails, and new connections then see
    the new serial. A file that does not load keeps the old ones, named
    with its path and OpenSSL's reason; SIGHUP takes a good one too."""
    pki = PKI()
    s = Setup(veil, pki, certs=("a",))
    stop = threading.Event()
    results = {"ok": 0, "fail": []}

    def load():
        while not stop.is_set():
            try:
                _, data = https_get(s.env.port, pki.path("ca.pem"))
                if data.startswith(b"HTTP/1.1 200 "):
                    results["ok"] += 1
                else:
                    results["fail"].append(data[:80])
            except (OSError, ssl.SSLError) as e:
                results["fail"].append(repr(e))

    threads = [threading.Thread(target=load) for _ in range(3)]
    try:
        old, _ = https_get(s.env.port, pki.path("ca.pem"))
        for t in threads:
            t.start()
        wait_load(results, 30)  # the load runs before the renewal
        make_cert(pki.dir, "ca", "a2", "a.test",
                  "DNS:a.test,DNS:localhost,IP:127.0.0.1")
        # Renewal as cert-manager does it: new files replace the old.
        os.replace(pki.path("a2.key"), pki.path("a.key"))
        os.replace(pki.path("a2.pem"), pki.path("a.pem"))
        end = time.time() + 10
        while b"certificates reloaded" not in s.env.stderr() and \
                time.time() < end:
            time.sleep(0.05)
        check(b"veil: listeners[0].tls: certificates reloaded"
              in s.env.stderr(), "the change was seen")
        new, _ = https_get(s.env.port, pki.path("ca.pem"))
        check(new != old, "a new connection gets the new serial")
        # A broken file: reported, the certificate in use stays.
        with open(pki.path("a.pem"), "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\nbroken\n")
        end = time.time() + 10
        while b"in use stay" not in s.env.stderr() and time.time() < end:
            time.sleep(0.05)
        err = s.env.stderr().decode()
        check(re.search(r"veil: listeners\[0\]\.tls: %s: [^;\n]+; the "
                        r"certificates in use stay" % re.escape(pki.path("a.pem")),
                        err), "the bad file reported:\n" + err)
        still, _ = https_get(s.env.port, pki.path("ca.pem"))
        eq(still, new, "the old certificate stays")
        # SIGHUP with a good file again.
        make_cert(pki.dir, "ca", "a3", "a.test",
                  "DNS:a.test,DNS:localhost,IP:127.0.0.1")
        os.replace(pki.path("a3.key"), pki.path("a.key"))
        os.replace(pki.path("a3.pem"), pki.path("a.pem"))
        s.env.veil.send_signal(signal.SIGHUP)
        end = time.time() + 10
        while time.time() < end:
            third, _ = https_get(s.env.port, pki.path("ca.pem"))
            if third not in (new, old):
                break
            time.sleep(0.05)
        check(third not in (new, old), "the third certificate is served")
        wait_load(results, results["ok"] + 30)  # and goes on after it
    finally:
        stop.set()
        for t in threads:
            if t.is_alive():
                t.join()
        s.stop()
    eq(results["fail"], [], "no failed request")
    check(results["ok"] > 10, "requests ran (%d)" % results["ok"])


def test_tls_flags(veil):
    """veil run --tls-cert FILE --tls-key FILE: TLS on the first listener
    without a config file; one without the other is refused."""
    pki = PKI()
    env = Env(veil, ["--workers", "1", "--tls-cert", pki.path("a.pem"),
                     "--tls-key", pki.path("a.key")])
    try:
        serial, data = https_get(env.port, pki.path("ca.pem"))
        check(data.startswith(b"HTTP/1.1 200 "), "served over TLS")
    finally:
        env.stop()
        env.cleanup()
    p = subprocess.run([veil, "run", "--tls-cert", pki.path("a.pem")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=20)
    eq(p.returncode, 2, "refused")
    check(b"--tls-cert FILE and --tls-key FILE go together" in p.stderr,
          p.stderr.decode())


def test_config_errors_and_dump(veil):
    """min_version "1.1", client_auth without a CA file, a missing
    certificate: errors with their key; veil check --dump shows tls."""
    pki = PKI()
    cases = [
        ('      min_version: "1.1"\n',
         b'listeners[0].tls.min_version: expected "1.2" or "1.3" '
         b"(TLS 1.1 and below are refused)"),
        ("      client_auth: required\n",
         b"listeners[0].tls: client_auth required needs client_ca_file"),
    ]
    for extra, want in cases:
        conf = os.path.join(pki.dir, "bad.yaml")
        with open(conf, "w") as f:
            f.write("version: 1\nlisteners:\n  - address: 127.0.0.1:1\n" +
                    listener_yaml(pki, extra))
        p = subprocess.run([veil, "check", "-c", conf], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=20)
        check(p.returncode != 0 and want in p.stdout, p.stdout.decode())
    conf = os.path.join(pki.dir, "good.yaml")
    with open(conf, "w") as f:
        f.write("version: 1\nlisteners:\n  - address: 127.0.0.1:1\n" +
                listener_yaml(pki, client_auth_yaml(pki, "optional",
                                                    ["spiffe://x"])))
    p = subprocess.run([veil, "check", "--dump", "-c", conf], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=20)
    want = ('    tls:\n      certificates:\n'
            '        - cert_file: "%s"\n          key_file: "%s"\n'
            '        - cert_file: "%s"\n          key_file: "%s"\n'
            '      min_version: "1.2"\n      client_auth: optional\n'
            '      client_ca_file: "%s"\n      client_sans: ["spiffe://x"]\n'
            % (pki.path("a.pem"), pki.path("a.key"), pki.path("b.pem"),
               pki.path("b.key"), pki.path("ca.pem"))).encode()
    check(want in p.stdout, "dump:\n" + p.stdout.decode())
    # A key that does not load: veil run says which file and why.
    os.remove(pki.path("b.key"))
    p = subprocess.run([veil, "run", "-c", conf, "--admin", "off"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=20)
    check(p.returncode != 0, "does not start")
    check(("veil: listeners[0].tls: %s: " % pki.path("b.key")).encode()
          in p.stderr, p.stderr.decode())


class MtlsUpstream:
    """A TLS server that requires a client certificate from <ca> and
    records, per handshake, the client's subject and whether the session
    was resumed."""

    def __init__(self, pki):
        self.ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.ctx.load_cert_chain(pki.path("a.pem"), pki.path("a.key"))
        self.ctx.verify_mode = ssl.CERT_REQUIRED
        self.ctx.load_verify_locations(pki.path("ca.pem"))
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.lock = threading.Lock()
        self.seen = []           # (client CN, resumed)
        self.refused = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                raw, _ = self.ls.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,),
                             daemon=True).start()

    def _serve(self, raw):
        raw.settimeout(10)
        try:
            s = self.ctx.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            with self.lock:
                self.refused += 1
            raw.close()
            return
        try:
            cn = dict(x[0] for x in s.getpeercert()["subject"])["commonName"]
            buf = b""
            while b"\r\n\r\n" not in buf:
                d = s.recv(65536)
                if not d:
                    return
                buf += d
            with self.lock:
                self.seen.append((cn, s.session_reused))
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                      b"Connection: close\r\n\r\nok")
            try:
                s.unwrap()
            except (ssl.SSLError, OSError):
                pass
        except (ssl.SSLError, OSError):
            pass
        finally:
            s.close()

    def stop(self):
        self.ls.close()


def test_upstream_mtls_and_resumption(veil):
    """upstreams[].tls.cert_file/key_file: veil presents its client
    certificate; an upstream asking for one gets it, and without it
    refuses (502). The second connection resumes the first's session."""
    pki = PKI()
    up = MtlsUpstream(pki)
    conf = os.path.join(pki.dir, "veil.yaml")
    try:
        with open(conf, "w") as f:
            f.write("version: 1\nupstreams:\n  - name: a\n"
                    "    url: http://127.0.0.1:9\n"
                    "  - name: m\n    url: https://localhost:%d\n"
                    "    pool_size: 0\n"
                    "    tls: {ca_file: %s, cert_file: %s, key_file: %s}\n"
                    "  - name: n\n    url: https://localhost:%d\n"
                    "    tls: {ca_file: %s}\n"
                    "routes:\n  - name: n\n    match: {path_prefix: /no}\n"
                    "    upstream: n\n"
                    "  - name: m\n    match: {path_prefix: /}\n"
                    "    upstream: m\n"
                    % (up.port, pki.path("ca.pem"), pki.path("client.pem"),
                       pki.path("client.key"), up.port, pki.path("ca.pem")))
        env = Env(veil, ["-c", conf, "--workers", "1"], upstream=False)
        try:
            for i in range(3):
                out = env.raw(b"GET /x HTTP/1.1\r\nHost: a\r\n"
                              b"Connection: close\r\n\r\n")
                check(out.startswith(b"HTTP/1.1 200 "), "mTLS %d: %r"
                      % (i, out[:100]))
            out = env.raw(b"GET /no HTTP/1.1\r\nHost: a\r\n"
                          b"Connection: close\r\n\r\n")
            check(out.startswith(b"HTTP/1.1 502 "), "no client cert: 502")
        finally:
            env.stop()
            env.cleanup()
        eq([cn for cn, _ in up.seen], ["client one"] * 3, "veil's identity")
        eq(up.seen[0][1], False, "the first handshake is a full one")
        check(any(r for _, r in up.seen[1:]),
              "a later connection resumed: %r" % up.seen)
    finally:
        up.stop()


TESTS = [test_curl_exact_bytes, test_canary_redacted_as_over_tcp,
         test_sni_choice, test_alpn, test_versions,
         test_client_cert_required, test_client_cert_optional,
         test_reload_renewed_certificate, test_tls_flags,
         test_config_errors_and_dump, test_upstream_mtls_and_resumption]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
