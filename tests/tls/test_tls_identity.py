#!/usr/bin/env python3
"""Routes chosen by the verified client certificate (match.client_sans,
match.client_subject): two client certificates from the throwaway CA reach
two different policies, which the exact bytes the upstream receives show;
no certificate goes to the default route. `veil test` on the same file,
its cases presenting the same certificate files, takes the routes and
gives the log views the live run did. `veil check` refuses a client
identity match when no listener verifies client certificates.

Usage: test_tls_identity.py VEIL [test names...]
"""
import os
import subprocess
import sys

from tlskit import (PKI, Setup, cert_args, check, client_auth_yaml, eq, free_port,
                    listener_yaml, make_cert, run, split_head)

EMAIL = b"jane.identity@example.com"
BODY = b'{"user":{"email":"' + EMAIL + b'","card":"4111 1111 1111 1111","note":"hi"}}'
# What each policy's request side makes of BODY (docs/policies.md):
# billing masks cards and labels the e-mail; support only observes;
# default labels everything.
BODY_BILLING = b'{"user":{"email":"[EMAIL]","card":"**** **** **** 1111","note":"hi"}}'
BODY_SUPPORT = BODY
BODY_DEFAULT = b'{"user":{"email":"[EMAIL]","card":"[CREDIT_CARD]","note":"hi"}}'

POLICIES = """routes:
  - name: billing
    match: {client_sans: ["spiffe://test/client-one"]}
    policy: billing
  - name: support
    match: {client_subject: "CN=client two"}
    policy: support
policies:
  default:
    request: {mode: redact, actions: {default: label}}
    response: {mode: observe}
  billing:
    request: {mode: redact, actions: {default: mask, email: label}}
    response: {mode: observe}
  support:
    request: {mode: observe}
    response: {mode: observe}
"""


class IdentitySetup(Setup):
    def yaml(self, tls_extra, certs, port):
        return ("version: 1\nlisteners:\n  - name: main\n    address: 127.0.0.1:1\n" +
                listener_yaml(self.pki, tls_extra, certs) + POLICIES)


def post(s, rid, *args):
    out, err, rc = s.curl("/json", "-H", "Content-Type: application/json",
                          "-H", "X-Request-Id: " + rid, "--data-binary", BODY, *args)
    eq(rc, 0, "curl %s: %r" % (rid, err))
    check(out.endswith(b"\n200"), "200 for %s: %r" % (rid, out[-100:]))


def test_two_clients_two_policies(veil):
    """client (SAN spiffe://test/client-one) gets policy billing through
    client_sans, client2 (CN=client two) gets support through
    client_subject, no certificate gets the default route; the upstream
    sees each policy's bytes, and the record names the route and policy."""
    pki = PKI()
    s = IdentitySetup(veil, pki, client_auth_yaml(pki, "optional"))
    try:
        post(s, "one", *cert_args(pki, "client"))
        post(s, "two", *cert_args(pki, "client2"))
        post(s, "none")
        reqs = s.env.requests(3)
        eq(len(reqs), 3, "three requests upstream")
        bodies = [split_head(r[0])[1] for r in reqs]
        eq(bodies, [BODY_BILLING, BODY_SUPPORT, BODY_DEFAULT],
           "the bodies upstream, by policy")
        for (data, _), body in zip(reqs, (BODY_BILLING, BODY_SUPPORT, BODY_DEFAULT)):
            head = split_head(data)[0]
            check(b"\r\nContent-Length: %d\r\n" % len(body) in head,
                  "Content-Length of the rewritten body: %r" % head)
        recs = {r["http.request.id"]: r for r in s.env.log(3)}
        eq(sorted(recs), ["none", "one", "two"], "three records")
        for rid, route, policy in (("one", "billing", "billing"), ("two", "support", "support"),
                                   ("none", "default", "default")):
            eq((recs[rid].get("veil.route"), recs[rid].get("veil.policy")), (route, policy),
               "route and policy of %s" % rid)
        eq(recs["one"]["tls.client.subject"], "CN=client one", "client one's subject")
        eq(recs["two"]["tls.client.subject"], "CN=client two", "client two's subject")
        check("tls.client.subject" not in recs["none"], "no certificate, no subject")
    finally:
        s.stop()


def test_identity_never_matches_unverified(veil):
    """A second listener, plain TCP, with the same routes: its requests
    take the default route (no certificate was verified there), as do
    TLS requests without one. SANs compare exactly: a URI that differs in
    case is another URI; a DNS name is compared case-insensitively."""
    pki = PKI()
    make_cert(pki.dir, "ca", "client3", "client three", "DNS:Client3.Test", "clientAuth")
    plain = free_port()
    routes = ("routes:\n"
              "  - name: upper\n    match: {client_sans: [\"SPIFFE://TEST/CLIENT-ONE\"]}\n"
              "    policy: support\n"
              "  - name: billing\n    match: {client_sans: [spiffe://test/client-one]}\n"
              "    policy: billing\n"
              "  - name: dns\n    match: {client_sans: [client3.test]}\n"
              "    policy: support\n")

    class TwoListeners(Setup):
        def yaml(self, tls_extra, certs, port):
            return ("version: 1\nlisteners:\n  - name: main\n    address: 127.0.0.1:1\n" +
                    listener_yaml(self.pki, tls_extra, certs) +
                    "  - name: plain\n    address: 127.0.0.1:%d\n" % plain +
                    routes + POLICIES[POLICIES.index("policies:"):])

    s = TwoListeners(veil, pki, client_auth_yaml(pki, "optional"))
    try:
        post(s, "one", *cert_args(pki, "client"))
        post(s, "three", *cert_args(pki, "client3"))
        post(s, "tls-none")
        p = subprocess.run(["curl", "-s", "-S", "--max-time", "10", "-o", "/dev/null",
                            "-w", "%{http_code}", "-H", "Content-Type: application/json",
                            "-H", "X-Request-Id: plain", "--data-binary", BODY,
                            "http://127.0.0.1:%d/json" % plain],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
        eq(p.stdout, b"200", "the plain listener answers")
        reqs = s.env.requests(4)
        eq([split_head(r[0])[1] for r in reqs],
           [BODY_BILLING, BODY_SUPPORT, BODY_DEFAULT, BODY_DEFAULT], "the bodies upstream")
        recs = {r["http.request.id"]: r.get("veil.route") for r in s.env.log(4)}
        eq(recs, {"one": "billing", "three": "dns", "tls-none": "default",
                  "plain": "default"}, "the routes taken")
    finally:
        s.stop()


# Policies whose log views differ (the actions apply to the log's copy in
# observe mode): the route a client takes shows in the record's body.
SIDE_POLICIES = """routes:
  - name: one
    match: {client_sans: ["spiffe://test/client-one"]}
    policy: one
  - name: two
    match: {client_subject: "CN=client two"}
    policy: two
policies:
  default:
    request: {actions: {default: label}}
  one:
    request: {actions: {default: drop}}
  two:
    request: {actions: {default: mask}}
"""


def test_veil_test_agrees_with_live(veil):
    """The same configuration, run live and given to `veil test`: a
    case that presents a client's certificate file (client_cert_file)
    gets the route and the log view the live handshake with that
    certificate got, for each client and for none; a certificate the
    live handshake refuses is refused by the case too. Both read the
    certificate with config/client_cert.c, which this holds together."""
    pki = PKI()

    class SideBySide(Setup):
        def yaml(self, tls_extra, certs, port):
            return ("version: 1\nlisteners:\n  - name: main\n    address: 127.0.0.1:1\n" +
                    listener_yaml(self.pki, tls_extra, certs) + SIDE_POLICIES)

    s = SideBySide(veil, pki, client_auth_yaml(pki, "optional"))
    try:
        post(s, "one", *cert_args(pki, "client"))
        post(s, "two", *cert_args(pki, "client2"))
        post(s, "none")
        _, err, rc = s.curl("/json", *cert_args(pki, "rogue"))
        check(rc != 0, "the live handshake refuses the rogue certificate: %r" % err)
        recs = {r["http.request.id"]: r for r in s.env.log(3)}
        eq(sorted(recs), ["none", "one", "two"], "three records")
        eq([recs[k]["veil.route"] for k in ("one", "two", "none")], ["one", "two", "default"],
           "the live routes")
        views = {k: recs[k]["http.request.body.content"] for k in recs}
        check(len(set(views.values())) == 3, "three log views: %r" % views)
    finally:
        s.stop()

    def case(name, cert, view):
        req = "{listener: main, client_cert_file: %s}" % pki.path(cert) if cert else \
            "{listener: main}"
        return ("  - name: %s\n    request: %s\n    content_type: application/json\n"
                "    body: '%s'\n    expect:\n      output: '%s'\n"
                % (name, req, BODY.decode(), view))
    with open(s.conf) as f:
        conf = f.read()
    conf += "tests:\n" + case("one", "client.pem", views["one"]) + \
        case("two", "client2.pem", views["two"]) + case("none", None, views["none"]) + \
        ("  - name: rogue\n    request: {listener: main, client_cert_file: %s}\n"
         "    expect:\n      handshake: refused\n" % pki.path("rogue.pem"))
    side = os.path.join(pki.dir, "side.yaml")
    with open(side, "w") as f:
        f.write(conf)
    p = subprocess.run([veil, "test", "-c", side], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode()
    eq(p.returncode, 0, "veil test agrees with the live run:\n" + out)
    check("4 passed, 0 failed" in out, "four cases passed:\n" + out)


def check_out(veil, path):
    p = subprocess.run([veil, "check", "-c", path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=20)
    return p.returncode, p.stdout.decode()


def test_check_refuses_identity_without_client_auth(veil):
    """veil check: a client identity match with no listener verifying
    client certificates is an error at file:line:column of the key; with
    client_auth on a listener the same routes pass and --dump shows
    them."""
    pki = PKI()
    conf = os.path.join(pki.dir, "c.yaml")
    head = ("version: 1\nlisteners:\n  - name: plain\n    address: 127.0.0.1:1\n"
            "  - name: tls\n    address: 127.0.0.1:2\n")
    cases = [
        ("routes:\n  - name: r\n    match: {client_sans: [spiffe://test/client-one]}\n",
         "%s:12:26: routes[0].match.client_sans: no listener verifies client certificates: "
         "a client identity needs listeners[].tls.client_auth (optional or required) and "
         "client_ca_file"),
        ("routes:\n  - name: r\n    match:\n      path_prefix: /\n"
         "      client_subject: CN=client one\n",
         "%s:14:23: routes[0].match.client_subject: no listener verifies client "
         "certificates: a client identity needs listeners[].tls.client_auth (optional or "
         "required) and client_ca_file"),
        ("routes:\n  - name: r\n    match: {client_sans: []}\n",
         "%s:12:26: routes[0].match.client_sans: an empty list matches no client: name the "
         "subject alternative names, or leave the key out"),
    ]
    for routes, want in cases:
        with open(conf, "w") as f:
            f.write(head + listener_yaml(pki, "", ("a",)) + routes)
        rc, out = check_out(veil, conf)
        eq(rc, 1, "veil check exit status:\n" + out)
        eq(out.splitlines()[0], "error: " + want % conf, "the first line")
    with open(conf, "w") as f:
        f.write(head + listener_yaml(pki, client_auth_yaml(pki, "required"), ("a",)) +
                "routes:\n  - name: r\n    match:\n"
                "      client_sans: [spiffe://test/client-one, billing.test]\n"
                "      client_subject: CN=client one\n")
    rc, out = check_out(veil, conf)
    eq(rc, 0, "client_auth on the second listener: accepted:\n" + out)
    p = subprocess.run([veil, "check", "--dump", "-c", conf], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=20)
    want = ('  - name: "r"\n    match:\n      client_subject: "CN=client one"\n'
            '      client_sans: ["spiffe://test/client-one", "billing.test"]\n')
    check(want in p.stdout.decode(), "dump:\n" + p.stdout.decode())


TESTS = [test_two_clients_two_policies, test_identity_never_matches_unverified,
         test_veil_test_agrees_with_live, test_check_refuses_identity_without_client_auth]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
