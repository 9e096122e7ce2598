#!/usr/bin/env python3
"""The upstream's name is looked up again every
--upstream-resolve-interval: veil keeps serving across lookups, follows a
name that moves (new connections go to the new address; a pooled
connection to the old one is used until it closes), keeps the last good
addresses when a lookup fails (counted, warned once, without the name),
and tries the next address of an answer when connecting fails.

Names other than localhost are answered by fake_resolver.c, preloaded
into veil ($VEIL_FAKE_RESOLVER) and reading the hosts file the test
rewrites, so nothing depends on /etc/hosts or DNS. The upstreams are
mini_upstream.py instances on 127.0.0.1, 127.0.0.2 and ::1, which name
themselves and their connection in each answer.

Usage: test_resolve.py VEIL [test names...]
"""
import json
import os
import socket
import sys
import time

from harness import Env, check, eq, run, split_head
from mini_upstream import MiniUpstream

ERR_502 = (b"HTTP/1.1 502 Bad Gateway\r\n"
           b"Content-Type: application/json\r\n"
           b"Content-Length: 33\r\n"
           b"Connection: close\r\n"
           b"\r\n"
           b'{"error":"upstream_unavailable"}\n')


def get(env, path=b"/who"):
    """One request on a new client connection: (status, body)."""
    out = env.raw(b"GET " + path + b" HTTP/1.1\r\nHost: a\r\n"
                  b"Connection: close\r\n\r\n")
    head, body = split_head(out)
    return int(head.split(b" ")[1]), body.decode()


def wait_for(cond, what, timeout=15.0):
    end = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


class Fake:
    """The hosts file of fake_resolver.c, preloaded into veil."""

    def __init__(self):
        self.dir = os.path.join("/tmp", "veil-resolve-%d" % os.getpid())
        os.makedirs(self.dir, exist_ok=True)
        self.path = os.path.join(self.dir, "hosts")
        self.env = {}

    def write(self, text):
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, self.path)  # whole, never half-written

    def __enter__(self):
        lib = os.environ.get("VEIL_FAKE_RESOLVER")
        check(lib and os.path.exists(lib), "VEIL_FAKE_RESOLVER is set")
        self.saved = {k: os.environ.get(k) for k in
                      ("LD_PRELOAD", "VEIL_FAKE_HOSTS", "ASAN_OPTIONS")}
        os.environ["LD_PRELOAD"] = lib
        os.environ["VEIL_FAKE_HOSTS"] = self.path
        # An ASan build wants its runtime first; the stand-in is loaded
        # before it on purpose.
        asan = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = ((asan + ":") if asan else "") + \
            "verify_asan_link_order=0"
        return self

    def __exit__(self, *a):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        for n in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, n))
        os.rmdir(self.dir)


def veil_env(veil, url, *args):
    return Env(veil, ["--upstream", url, "--workers", "1"] + list(args),
               upstream=False)


def metric(env, prefix):
    env.log_raw()  # records and counters of finished exchanges are in
    out = env.raw(b"GET /metrics HTTP/1.1\r\nHost: a\r\n"
                  b"Connection: close\r\n\r\n", port=env.admin_port)
    for ln in split_head(out)[1].decode().splitlines():
        if ln.startswith(prefix + " "):
            return int(ln.split(" ")[1])
    return 0


def test_localhost_across_intervals(veil):
    up = MiniUpstream("a")
    env = veil_env(veil, "http://localhost:%d" % up.port,
                   "--upstream-resolve-interval", "1s")
    try:
        # A new upstream connection each time (/bye closes it), for
        # about three intervals: every one is served.
        seen = []
        end = time.time() + 3.5
        while time.time() < end:
            seen.append(get(env, b"/bye"))
            time.sleep(0.1)
        check(len(seen) >= 10, "requests made")
        eq(seen, [(200, "a:%d" % (i + 1)) for i in range(len(seen))],
           "each request served on its own new upstream connection")
        check(b"warning" not in env.stderr(), "no resolution warning")
    finally:
        env.stop()
        env.cleanup()
        up.stop()


def test_failover_to_second_address(veil):
    up = MiniUpstream("v4", "127.0.0.1")
    # Nothing listens on [::1]:port (checked), so the first address of
    # the answer refuses and veil must go on to the second.
    s = socket.socket(socket.AF_INET6)
    check(s.connect_ex(("::1", up.port)) != 0, "[::1]:port is closed")
    s.close()
    env = None
    with Fake() as fake:
        fake.write("veil-multi.test ::1 127.0.0.1\n"
                   "veil-dead.test ::1 127.0.0.2\n")
        try:
            env = veil_env(veil, "http://veil-multi.test:%d" % up.port,
                           "--upstream-resolve-interval", "0")
            eq([get(env, b"/bye") for _ in range(3)],
               [(200, "v4:1"), (200, "v4:2"), (200, "v4:3")],
               "served through the second address")
            eq(metric(env, 'veil_upstream_errors_total{route="default",'
                           'kind="upstream_unavailable"}'), 0,
               "a failover is not an upstream error")
            env.stop()
            env.cleanup()
            # Every address refuses: one 502 after trying them all.
            env = veil_env(veil, "http://veil-dead.test:%d" % up.port,
                           "--upstream-resolve-interval", "0")
            out = env.raw(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n")
            eq(out, ERR_502, "all addresses refused")
            eq(metric(env, 'veil_upstream_errors_total{route="default",'
                           'kind="upstream_unavailable"}'), 1,
               "one upstream error for the request")
        finally:
            if env is not None and env.veil is not None:
                env.stop()
                env.cleanup()
            up.stop()


def test_switch_keeps_pooled_connection(veil):
    a = MiniUpstream("a", "127.0.0.1")
    b = MiniUpstream("b", "127.0.0.2", a.port)
    env = None
    with Fake() as fake:
        fake.write("veil-move.test 127.0.0.1\n")
        try:
            env = veil_env(veil, "http://veil-move.test:%d" % a.port,
                           "--upstream-resolve-interval", "1s")
            eq(get(env), (200, "a:1"), "served by the first address")
            fake.write("veil-move.test 127.0.0.2\n")
            # Whether or not the new answer is in yet, the pooled
            # connection to the old address serves the next request.
            eq(get(env), (200, "a:1"), "the pooled connection kept")
            # /bye closes that connection; new ones follow the name.
            got = wait_for(lambda: [r for r in [get(env, b"/bye")]
                                    if r[1].startswith("b:")],
                           "a request served at the new address")
            eq(got, [(200, "b:1")], "the new address")
            # (/bye closed b:1 too.)
            eq([get(env), get(env)], [(200, "b:2"), (200, "b:2")],
               "pooled at the new address")
            eq(len(b.received()), 2, "connections to the new address")
            check(all(r.startswith(b"GET /") for r in a.received()),
                  "only whole requests at the old address")
        finally:
            if env is not None:
                env.stop()
                env.cleanup()
            a.stop()
            b.stop()


def test_failure_keeps_last_good(veil):
    a = MiniUpstream("a", "127.0.0.1")
    env = None
    series = ('veil_upstream_errors_total{route="default",'
              'kind="upstream_resolve_failed"}')
    warning = (b"veil: warning: upstream default: the upstream name could not be resolved "
               b"again (unknown node or service); keeping the last good "
               b"addresses\n")
    with Fake() as fake:
        fake.write("veil-flaky.test 127.0.0.1\n")
        try:
            env = veil_env(veil, "http://veil-flaky.test:%d" % a.port,
                           "--upstream-resolve-interval", "1s")
            eq(get(env, b"/bye"), (200, "a:1"), "served")
            fake.write("veil-flaky.test\n")  # no address: EAI_NONAME
            wait_for(lambda: metric(env, series) >= 2,
                     "two failed lookups counted")
            eq(get(env, b"/bye"), (200, "a:2"),
               "a new connection to the last good address")
            err = env.stderr()
            eq(err.count(warning), 1, "one warning for the run of failures")
            check(b"veil-flaky" not in err[err.index(warning):],
                  "the warning does not name the host")
            out = env.raw(b"GET /stats HTTP/1.1\r\nHost: a\r\n"
                          b"Connection: close\r\n\r\n", port=env.admin_port)
            st = json.loads(split_head(out)[1])
            n = [e["count"] for e in st["upstream_errors"]
                 if e["kind"] == "upstream_resolve_failed"]
            check(len(n) == 1 and n[0] >= 2, "/stats counts the failures")
            fake.write("veil-flaky.test 127.0.0.1\n")
            wait_for(lambda: b"veil: upstream default: the upstream name resolves again\n"
                     in env.stderr(), "recovery noted")
            eq(env.stderr().count(warning), 1, "still one warning")
            eq(get(env, b"/bye"), (200, "a:3"), "served after recovery")
        finally:
            if env is not None:
                env.stop()
                env.cleanup()
            a.stop()


if __name__ == "__main__":
    sys.exit(run([test_localhost_across_intervals,
                  test_failover_to_second_address,
                  test_switch_keeps_pooled_connection,
                  test_failure_keeps_last_good], sys.argv))
