#!/usr/bin/env python3
"""Routes to several upstreams (veil run -c): each request goes to the
upstream of its route, by Host and by path prefix, byte for byte, and the
other upstreams receive nothing; each upstream has its own keep-alive pool
(a connection is reused only for its own upstream); an upstream that is
down gives 502 on its routes while the others keep serving; a reload that
moves a route, or changes an upstream's URL, sends the next request to the
new target; the access log names the route of each exchange.

The upstreams are mini_upstream.py instances that name themselves and
their connection in each answer ("b:2": upstream b, its second
connection) and keep every byte each connection received.

Usage: test_upstreams.py VEIL [test names...]
"""
import json
import os
import signal
import sys
import tempfile
import time

from harness import Env, check, eq, free_port, run, split_head
from mini_upstream import MiniUpstream

ERR_502 = (b"HTTP/1.1 502 Bad Gateway\r\n"
           b"Content-Type: application/json\r\n"
           b"Content-Length: 33\r\n"
           b"Connection: close\r\n"
           b"\r\n"
           b'{"error":"upstream_unavailable"}\n')


def config(ports, routes, hosts=None, extra=None):
    """A config with upstreams a, b, c (in this order: a is the first,
    the default route's) at <ports>, and the <routes> YAML (which may go
    on with other top-level keys)."""
    hosts = hosts or ["127.0.0.1"] * 3
    extra = extra or {}
    up = "".join("  - name: %s\n    url: http://%s:%d\n%s" %
                 (n, h, p, extra.get(n, "    pool_size: 4\n"))
                 for n, h, p in zip(("a", "b", "c"), hosts, ports))
    return "version: 1\nupstreams:\n" + up + "routes:\n" + routes


ROUTES = """  - name: to-b
    match: {host: b.test}
    upstream: b
  - name: to-c
    match: {path_prefix: /c/}
    upstream: c
"""


class Setup:
    """Three upstreams and a veil with <routes>; one worker so that the
    connection numbers of the pools are predictable."""

    def __init__(self, veil, routes=ROUTES, down=(), args=(), extra=None):
        self.extra = extra
        self.ups = {n: MiniUpstream(n) for n in ("a", "b", "c")}
        # An upstream that is down: a port nothing listens on.
        self.ports = [free_port() if n in down else self.ups[n].port
                      for n in ("a", "b", "c")]
        self.dir = tempfile.mkdtemp(prefix="veil-ups-")
        self.path = os.path.join(self.dir, "veil.yaml")
        self.write(routes)
        # The harness passes --upstream (its own port); ours comes after
        # it and wins: it overrides the first upstream, a, with a's port.
        self.env = Env(veil, ["-c", self.path, "--workers", "1",
                              "--upstream", "http://127.0.0.1:%d" %
                              self.ports[0]] + list(args), upstream=False)

    def write(self, routes, ports=None, hosts=None):
        tmp = self.path + ".new"
        with open(tmp, "w") as f:
            f.write(config(ports or self.ports, routes, hosts, self.extra))
        os.rename(tmp, self.path)

    def reload(self, routes, ports=None, hosts=None):
        n = self.env.stderr().count(b"veil: configuration reloaded")
        self.write(routes, ports, hosts)
        self.env.veil.send_signal(signal.SIGHUP)
        wait_for(lambda: self.env.stderr().count(
            b"veil: configuration reloaded") > n, "the reload")

    def received(self):
        return {n: u.received() for n, u in self.ups.items()}

    def stop(self):
        try:
            self.env.stop()
        finally:
            for u in self.ups.values():
                u.stop()


def wait_for(cond, what, timeout=10.0):
    end = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() > end:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.05)


def req(host, path, close=True, body=None):
    r = b"GET " if body is None else b"POST "
    # A request id of our own: veil forwards it instead of generating
    # one, so the bytes upstream are known exactly.
    r += path + b" HTTP/1.1\r\nHost: " + host + b"\r\nX-Request-Id: t1\r\n"
    if body is not None:
        r += b"Content-Length: %d\r\n" % len(body)
    if close:
        r += b"Connection: close\r\n"
    return r + b"\r\n" + (body or b"")


def get(env, host, path):
    """One request on a new client connection: (status, body)."""
    out = env.raw(req(host, path))
    head, body = split_head(out)
    return int(head.split(b" ")[1]), body


def upstream_head(host, path, method=b"GET", length=None):
    """The exact head veil sends upstream for req(host, path)."""
    h = (method + b" " + path + b" HTTP/1.1\r\nHost: " + host + b"\r\n"
         b"X-Request-Id: t1\r\nX-Forwarded-For: 127.0.0.1\r\n"
         b"X-Forwarded-Proto: http\r\nVia: 1.1 veil\r\n")
    if length is not None:
        h += b"Content-Length: %d\r\n" % length
    return h


def test_routes_by_host_and_path(veil):
    s = Setup(veil)
    try:
        eq(get(s.env, b"b.test", b"/x?q=1"), (200, b"b:1"), "host b.test")
        eq(get(s.env, b"other", b"/c/items"), (200, b"c:1"), "path /c/")
        eq(get(s.env, b"other", b"/d"), (200, b"a:1"), "default route")
        body = b'{"note":"to c"}'
        eq(get_post(s.env, b"x", b"/c/post", body), (200, b"c:1"),
           "a POST by path, on c's pooled connection")
        got = s.received()
        eq(len(got["a"]), 1, "connections to a")
        eq(len(got["b"]), 1, "connections to b")
        eq(len(got["c"]), 1, "connections to c")
        eq(got["b"][0],
           upstream_head(b"b.test", b"/x?q=1") + b"\r\n", "bytes b received")
        eq(got["c"][0],
           upstream_head(b"other", b"/c/items") + b"\r\n" +
           upstream_head(b"x", b"/c/post", b"POST", len(body)) + b"\r\n" +
           body, "bytes c received: both requests")
        eq(got["a"][0],
           upstream_head(b"other", b"/d") + b"\r\n", "bytes a received")
        out = s.env.raw(b"GET /config HTTP/1.1\r\nHost: a\r\n"
                        b"Connection: close\r\n\r\n", port=s.env.admin_port)
        ups = json.loads(split_head(out)[1])["upstreams"]
        eq([(u["name"], u["url"], u["pool_size"]) for u in ups],
           [(n, "http://127.0.0.1:%d" % p, 4)
            for n, p in zip("abc", s.ports)], "/config upstreams")
    finally:
        s.stop()


def get_post(env, host, path, body):
    out = env.raw(req(host, path, body=body))
    head, rbody = split_head(out)
    return int(head.split(b" ")[1]), rbody


def test_host_of_each_upstream(veil):
    """An HTTP/1.0 request without Host gets its upstream's authority."""
    s = Setup(veil, routes="""  - name: to-b
    match: {path_prefix: /b/}
    upstream: b
""")
    try:
        out = s.env.raw(b"GET /b/old HTTP/1.0\r\n\r\n")
        check(out.endswith(b"b:1"), "served by b")
        out = s.env.raw(b"GET /old HTTP/1.0\r\n\r\n")
        check(out.endswith(b"a:1"), "served by a")
        got = s.received()
        check(b"\r\nHost: 127.0.0.1:%d\r\n" % s.ports[1] in got["b"][0],
              "b's authority as Host")
        check(b"\r\nHost: 127.0.0.1:%d\r\n" % s.ports[0] in got["a"][0],
              "a's authority as Host")
        eq(got["c"], [], "c received nothing")
    finally:
        s.stop()


def test_pool_per_upstream(veil):
    """Keep-alive: each upstream's connection is reused for its own
    requests only, whatever the order of the routes."""
    s = Setup(veil)
    try:
        seq = [(b"b.test", b"/1", b"b:1"), (b"x", b"/c/2", b"c:1"),
               (b"x", b"/3", b"a:1"), (b"b.test", b"/4", b"b:1"),
               (b"x", b"/c/5", b"c:1"), (b"x", b"/6", b"a:1"),
               (b"b.test", b"/7", b"b:1")]
        for host, path, want in seq:
            eq(get(s.env, host, path)[1], want, "served by " + path.decode())
        got = s.received()
        eq([len(got[n]) for n in "abc"], [1, 1, 1], "one connection each")
        eq(got["b"][0].count(b"GET "), 3, "three requests on b's")
        eq(got["c"][0].count(b"GET "), 2, "two requests on c's")
        eq(got["a"][0].count(b"GET "), 2, "two requests on a's")
        for n, paths in (("b", [b"/1", b"/4", b"/7"]), ("c", [b"/c/2", b"/c/5"]),
                         ("a", [b"/3", b"/6"])):
            heads = [ln.split(b" ")[1] for ln in got[n][0].split(b"\r\n")
                     if ln.startswith(b"GET ")]
            eq(heads, paths, "paths on " + n)
    finally:
        s.stop()


def test_pool_size_per_upstream(veil):
    """b keeps at most one idle connection (pool_size: 1), a four: after
    two exchanges at once on each, one of b's two connections is closed
    and the other serves the next request; both of a's serve the next
    two."""
    s = Setup(veil, extra={"b": "    pool_size: 1\n"})
    body = b"0123456789"
    try:
        for host, name in ((b"b.test", "b"), (b"x", "a")):
            socks = [s.env.raw(req(host, b"/p%d" % i, body=body)[:-5],
                               read_until_close=False) for i in (1, 2)]
            wait_for(lambda: len(s.ups[name].received()) == 2,
                     name + ": two connections")
            for sock in socks:
                sock.sendall(body[-5:])
            got = sorted(split_head(read_all(x))[1] for x in socks)
            eq(got, [name.encode() + b":1", name.encode() + b":2"],
               name + ": two exchanges at once")
        wait_for(lambda: len(s.ups["b"].closed) == 1,
                 "one of b's connections closed")
        kept = 3 - s.ups["b"].closed[0]
        eq(get(s.env, b"b.test", b"/next"), (200, b"b:%d" % kept),
           "b's pooled connection serves")
        keep_a = [s.env.raw(req(b"x", b"/n%d" % i, body=body)[:-5],
                            read_until_close=False) for i in (1, 2)]
        # Both heads are upstream (on two connections) before either
        # body ends.
        wait_for(lambda: sum(c.count(b"POST /n") for c in
                             s.ups["a"].received()) == 2, "a: both heads")
        for sock in keep_a:
            sock.sendall(body[-5:])
        got = sorted(split_head(read_all(x))[1] for x in keep_a)
        eq(got, [b"a:1", b"a:2"], "a's two pooled connections serve")
        eq(s.ups["a"].closed, [], "a closed none")
        eq(len(s.ups["b"].received()), 2, "b: no third connection")
    finally:
        s.stop()


def test_one_upstream_down(veil):
    """b is down: its route gets 502, a and c keep serving; the record
    names the route and the error."""
    s = Setup(veil, down=("b",))
    try:
        out = s.env.raw(req(b"b.test", b"/x"))
        eq(out, ERR_502, "502 on b's route")
        eq(get(s.env, b"x", b"/c/1"), (200, b"c:1"), "c serves")
        eq(get(s.env, b"x", b"/1"), (200, b"a:1"), "a serves")
        out = s.env.raw(req(b"b.test", b"/y"))
        eq(out, ERR_502, "still 502 on b's route")
        recs = s.env.log(4)
        # (Records are written as exchanges end, by two workers: compared
        # without their order.)
        eq(sorted((r["veil.route"], r["http.response.status_code"], r.get("error.type") or "")
                  for r in recs),
           [("default", 200, ""), ("to-b", 502, "upstream_unavailable"),
            ("to-b", 502, "upstream_unavailable"), ("to-c", 200, "")],
           "routes, statuses and the error logged")
        got = s.received()
        eq(len(got["a"]), 1, "a one connection")
        eq(len(got["c"]), 1, "c one connection")
    finally:
        s.stop()


def test_reload_moves_route(veil):
    """A reload points route to-b at c: the next request goes to c, b
    gets nothing more, and b's idle pooled connection is closed."""
    s = Setup(veil)
    try:
        eq(get(s.env, b"b.test", b"/before"), (200, b"b:1"), "before")
        s.reload("""  - name: to-b
    match: {host: b.test}
    upstream: c
""")
        eq(get(s.env, b"b.test", b"/after"), (200, b"c:1"), "after: c")
        eq(get(s.env, b"x", b"/c/gone"), (200, b"a:1"),
           "the /c/ route is gone: default")
        got = s.received()
        eq(len(got["b"]), 1, "b: one connection")
        eq(got["b"][0].count(b"GET "), 1, "b: one request")
        check(got["c"][0].startswith(
            upstream_head(b"b.test", b"/after")), "c got /after")
        recs = s.env.log(3)
        eq(sorted(r["veil.route"] for r in recs), ["default", "to-b", "to-b"],
           "routes logged")
        # b was kept (same name, URL and settings): its pooled connection
        # stays usable; a route back to it reuses it.
        s.reload(ROUTES)
        eq(get(s.env, b"b.test", b"/back"), (200, b"b:1"), "back to b")
    finally:
        s.stop()


HELD = """  - name: to-b
    match: {host: b.test}
    upstream: b
  - name: held
    match: {host: held.test}
    upstream: b
    policy: red
  - name: to-c
    match: {path_prefix: /c/}
    upstream: c
policies:
  red:
    request:
      mode: redact
      actions: {default: mask}
    response:
      mode: observe
"""

MOVED = HELD.replace("upstream: b", "upstream: c")


def test_reload_in_flight_keeps_upstream(veil):
    """Exchanges that started before a reload finish on their upstream:
    one streaming its body to b, and one whose body is held for its
    policy (redact) and that connects only once the body is complete,
    after the reload. The next request goes to c."""
    s = Setup(veil, routes=HELD)
    body = b'{"note":"nothing personal here"}'
    try:
        # The held one asks for 100 Continue, which veil sends once it
        # has taken the config and the route: then the reload comes
        # after its start.
        head = req(b"held.test", b"/held", body=body)[:-len(body)]
        held = s.env.raw(head[:-2] + b"Expect: 100-continue\r\n\r\n",
                         read_until_close=False)
        eq(held.recv(100), b"HTTP/1.1 100 Continue\r\n\r\n", "100 Continue")
        held.sendall(body[:-10])
        streaming = s.env.raw(req(b"b.test", b"/stream", body=body)[:-10],
                              read_until_close=False)
        # The streaming one is connected to b: its head is there.
        wait_for(lambda: len(s.ups["b"].received()) == 1 and
                 b"/stream" in s.ups["b"].received()[0], "b got /stream")
        s.reload(MOVED)
        eq(get(s.env, b"b.test", b"/next"), (200, b"c:1"), "next: c")
        # The held one first, while the streaming one still holds b's
        # first connection: it needs a second. (Finished the other way
        # round, the streamed exchange could hand its connection back to
        # the pool first and the held one reuse it, on a loaded machine.)
        held.sendall(body[-10:])
        eq(split_head(read_all(held))[1], b"b:2", "the held one finished on b")
        streaming.sendall(body[-10:])
        eq(split_head(read_all(streaming))[1], b"b:1", "the streamed one finished on b")
        b = s.ups["b"].received()
        eq(b[0], upstream_head(b"b.test", b"/stream", b"POST", len(body)) +
           b"\r\n" + body, "b's first connection: the streamed request")
        # Expect is not forwarded: veil answered it and sends the held
        # body whole right after the head.
        eq(b[1], b"POST /held HTTP/1.1\r\nHost: held.test\r\n"
           b"X-Request-Id: t1\r\n"
           b"X-Forwarded-For: 127.0.0.1\r\n"
           b"X-Forwarded-Proto: http\r\nVia: 1.1 veil\r\n"
           b"Content-Length: 32\r\n\r\n" + body,
           "b's second connection: the held request, whole")
        eq(len(s.ups["c"].received()), 1, "c: only /next")
        check(b"/stream" not in s.ups["c"].received()[0] and
              b"/held" not in s.ups["c"].received()[0], "c got neither")
    finally:
        s.stop()


def read_all(sock, timeout=10.0):
    sock.settimeout(timeout)
    out = b""
    while True:
        d = sock.recv(65536)
        if not d:
            break
        out += d
    sock.close()
    return out


def test_reload_changes_url(veil):
    """A reload gives upstream b c's address: the next request to b's
    route goes to c, on a new connection; b's old idle connection is
    closed (drained), never reused for the new target."""
    s = Setup(veil)
    try:
        eq(get(s.env, b"b.test", b"/1"), (200, b"b:1"), "before")
        s.reload(ROUTES, [s.ports[0], s.ports[2], s.ports[2]])
        eq(get(s.env, b"b.test", b"/2"), (200, b"c:1"), "b's URL is c's")
        wait_for(lambda: 1 in s.ups["b"].closed,
                 "b's pooled connection closed")
        got = s.received()
        eq(got["b"][0].count(b"GET "), 1, "b: one request")
        check(got["c"][0].startswith(
            upstream_head(b"b.test", b"/2")), "c got /2")
    finally:
        s.stop()


def test_reload_bad_upstream_keeps_old(veil):
    """A reload naming an upstream that does not exist is rejected; the
    routes keep their upstreams."""
    s = Setup(veil)
    try:
        eq(get(s.env, b"b.test", b"/1"), (200, b"b:1"), "before")
        n = s.env.stderr().count(b"configuration rejected")
        s.write("""  - name: to-b
    match: {host: b.test}
    upstream: nowhere
""")
        s.env.veil.send_signal(signal.SIGHUP)
        wait_for(lambda: s.env.stderr().count(b"configuration rejected") > n,
                 "the rejection")
        eq(get(s.env, b"b.test", b"/2"), (200, b"b:1"), "still b")
        eq(get(s.env, b"x", b"/c/3"), (200, b"c:1"), "still c")
    finally:
        s.stop()


def test_reload_start_only_settings_warned(veil):
    """A reload applies what the settings table does not mark as read at
    start (server.max_body_size: a 2k body is now refused), warns about
    what it does (server.inspect: takes effect at the next restart), and
    applies the routes of the same file."""
    s = Setup(veil)
    body = b"x" * 2048
    try:
        eq(get_post(s.env, b"b.test", b"/big", body)[0], 200, "2k passes before")
        s.reload("""  - name: to-b
    match: {host: b.test}
    upstream: c
server:
  max_body_size: 1k
  inspect: false
""")
        check(b"server.inspect: changed; takes effect at the next restart\n"
              in s.env.stderr(), "warned: %r" % s.env.stderr()[-400:])
        check(b"server.max_body_size" not in s.env.stderr(), "not warned: applied")
        eq(get_post(s.env, b"b.test", b"/big", body)[0], 413, "2k refused now")
        eq(get_post(s.env, b"b.test", b"/small", b"x" * 512), (200, b"c:1"),
           "a small body to the new upstream")
    finally:
        s.stop()


def test_reload_unresolvable_upstream_keeps_old(veil):
    """A reload whose changed upstream's name does not resolve is
    rejected as a whole (the message names the upstream, not the host)
    and the routes keep their upstreams; once the name resolves, the
    same file is taken. Names come from fake_resolver.c."""
    from test_resolve import Fake
    with Fake() as fake:
        fake.write("veil-later.test\n")  # no address: EAI_NONAME
        s = Setup(veil)
        try:
            eq(get(s.env, b"b.test", b"/1"), (200, b"b:1"), "before")
            n = s.env.stderr().count(b"configuration rejected")
            hosts = ["127.0.0.1", "veil-later.test", "127.0.0.1"]
            ports = [s.ports[0], s.ports[2], s.ports[2]]
            s.write(ROUTES, ports, hosts)
            s.env.veil.send_signal(signal.SIGHUP)
            wait_for(lambda: s.env.stderr().count(
                b"configuration rejected") > n, "the rejection")
            err = s.env.stderr()
            check(b"veil: cannot resolve the host of upstream b: " in err,
                  "the upstream named")
            check(b"veil-later" not in err, "the host not named")
            eq(get(s.env, b"b.test", b"/2"), (200, b"b:1"), "still b")
            fake.write("veil-later.test 127.0.0.1\n")
            s.reload(ROUTES, ports, hosts)
            eq(get(s.env, b"b.test", b"/3"), (200, b"c:1"), "now c")
        finally:
            s.stop()


ERR_504 = (b"HTTP/1.1 504 Gateway Timeout\r\n"
           b"Content-Type: application/json\r\n"
           b"Content-Length: 29\r\n"
           b"Connection: close\r\n"
           b"\r\n"
           b'{"error":"upstream_timeout"}\n')


def test_timeouts_per_upstream(veil):
    """b never answers (a listener that accepts nothing: the connect
    succeeds through the backlog) and has response_timeout 300ms: its
    route gets 504 and the record says upstream_timeout, while a and c
    (60s) serve (b gets the silent address by a reload). Were a's
    timeout used for b, the client would still be
    waiting when its 10 s read gives up, and the 504 would be missing."""
    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    s = Setup(veil, extra={"b": "    response_timeout: 300ms\n"
                                    "    pool_size: 4\n"})
    try:
        s.reload(ROUTES, [s.ports[0], silent.getsockname()[1], s.ports[2]])
        eq(s.env.raw(req(b"b.test", b"/slow")), ERR_504, "504 on b's route")
        eq(get(s.env, b"x", b"/c/1"), (200, b"c:1"), "c serves")
        eq(get(s.env, b"x", b"/1"), (200, b"a:1"), "a serves")
        recs = s.env.log(3)
        eq(sorted((r["veil.route"], r.get("error.type") or "") for r in recs),
           [("default", ""), ("to-b", "upstream_timeout"), ("to-c", "")],
           "routes and errors logged")
    finally:
        s.stop()
        silent.close()


TESTS = [test_routes_by_host_and_path, test_host_of_each_upstream,
         test_pool_per_upstream, test_pool_size_per_upstream,
         test_one_upstream_down,
         test_reload_moves_route, test_reload_in_flight_keeps_upstream,
         test_reload_changes_url,
         test_reload_bad_upstream_keeps_old,
         test_reload_start_only_settings_warned,
         test_reload_unresolvable_upstream_keeps_old,
         test_timeouts_per_upstream]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
