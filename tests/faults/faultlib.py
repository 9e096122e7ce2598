"""Helpers for the fault suite: veil in front of fault_upstream.py, raw
client sockets, what the upstream recorded per connection, veil's file
descriptors and memory from /proc.

Built on tests/integration/harness.py (Env, check, eq, run): the same
veil start-up, access log and stderr checks.
"""
import glob
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Env, Failure, check, eq, run, split_head  # noqa: E402,F401


def wait_until(pred, timeout, what, step=0.02):
    """Polls pred() until it returns a true value (returned) or the
    deadline passes (Failure naming <what>)."""
    end = time.time() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.time() > end:
            raise Failure("timed out after %.1fs waiting for %s"
                          % (timeout, what))
        time.sleep(step)


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def anon_kib(pid):
    """RssAnon: what the process allocated (VmRSS less its file pages)."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    raise Failure("no RssAnon for %d" % pid)


def steady_anon_kib(pid, within=0.02, every=0.25, limit=15.0):
    """RssAnon once it has stopped moving: two samples <every> seconds
    apart within <within> of each other (a process warming up grows for a
    while). Fails after <limit> seconds of change."""
    last = anon_kib(pid)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        time.sleep(every)
        now = anon_kib(pid)
        if abs(now - last) <= within * max(last, 1):
            return now
        last = now
    raise Failure("RssAnon of %d still moving after %.0f s (%d KiB)" % (pid, limit, last))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise Failure("no VmRSS for %d" % pid)


class FaultEnv(Env):
    """veil (harness.Env) in front of fault_upstream.py. After start the
    veil process's descriptor count is taken as the baseline: listeners,
    loops, the log, no connection."""

    def __init__(self, veil, veil_args=(), record=True, tls=None):
        """<tls>: (cert, key, port): the upstream serves TLS on that port,
        which the caller's config (-c in veil_args) routes to."""
        self.record = record
        self.tls = tls
        # A short drain: a test that leaves an exchange in flight must
        # not wait the default 30 s at its SIGTERM.
        Env.__init__(self, veil, ["--drain-timeout", "2s"] +
                     list(veil_args))
        # harness.wait_port's probe connection is closed by veil once it
        # reads the end of stream; wait for that before taking the count.
        self.baseline = None
        self.baseline = self.settled_fds()

    def start_upstream(self):
        if self.tls is not None:
            # The config names this port; harness's --upstream flag then
            # points its (unrouted) first upstream here too.
            self.up_port = self.tls[2]
        args = [sys.executable, os.path.join(HERE, "fault_upstream.py"),
                str(self.up_port), self.rec]
        if not self.record:
            args.append("--no-record")
        if self.tls is not None:
            args += ["--tls", self.tls[0], self.tls[1]]
        self.upstream = subprocess.Popen(args)
        wait_until(lambda: os.path.exists(os.path.join(self.rec, "ready")),
                   10, "fault_upstream to listen")

    def settled_fds(self, timeout=5.0):
        """The descriptor count once it stopped changing for 0.2 s."""
        pid = self.veil.pid
        last = [fd_count(pid), time.time()]

        def stable():
            n = fd_count(pid)
            if n != last[0]:
                last[0], last[1] = n, time.time()
                return False
            return time.time() - last[1] >= 0.2

        wait_until(stable, timeout, "veil's descriptor count to settle")
        return last[0]

    # --- the upstream's records ---

    def conn_rx(self, n):
        try:
            with open(os.path.join(self.rec, "conn-%d.rx" % n), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def conn_end(self, n, timeout=5.0):
        """The record of upstream connection <n> once it ended."""
        path = os.path.join(self.rec, "conn-%d.json" % n)
        wait_until(lambda: os.path.exists(path), timeout,
                   "upstream connection %d to end" % n)
        with open(path) as f:
            return json.load(f)

    def conn_ended(self, n):
        return os.path.exists(os.path.join(self.rec, "conn-%d.json" % n))

    def accepted(self):
        return len(glob.glob(os.path.join(self.rec, "conn-*.rx")))

    def open_upstream(self):
        return self.accepted() - len(glob.glob(os.path.join(self.rec,
                                                            "conn-*.json")))

    def check_fds(self, timeout=10.0, extra=None):
        """veil's descriptors are back to the baseline plus one per
        upstream connection still open (idle in the pool), once the
        clients are gone."""
        pid = self.veil.pid
        seen = []

        def back():
            up = self.open_upstream() if extra is None else extra
            n = fd_count(pid)
            seen[:] = [n, up]
            return n == self.baseline + up

        try:
            wait_until(back, timeout, "descriptors back to the baseline")
        except Failure:
            raise Failure("veil holds %d descriptors, baseline %d + %d open "
                          "upstream connections" % (seen[0], self.baseline,
                                                    seen[1]))

    # --- clients ---

    def connect(self, timeout=10.0):
        s = socket.create_connection(("127.0.0.1", self.port))
        s.settimeout(timeout)
        return s

    def admin_get(self, path):
        out = self.raw(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: a\r\n"
                       b"Connection: close\r\n\r\n", port=self.admin_port)
        head, body = split_head(out)
        return int(head.split(b" ")[1]), body

    def stats(self):
        code, body = self.admin_get("/stats")
        eq(code, 200, "/stats")
        return json.loads(body)

    def kill(self):
        """Ends both processes at once (after a failure: a drain would
        wait for the exchange that failed)."""
        if self.veil is not None:
            self.veil.kill()
            self.veil.wait()
            self.veil = None
        self.stop_upstream()
        self.err.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        """After the test: SIGTERM and its checks (exit status 0, no
        sanitizer report) when it passed, a kill when it failed (its
        failure is the one reported); the directory is removed unless
        VEIL_KEEP_TMP is set."""
        try:
            if exc_type is None:
                self.stop()
            else:
                self.kill()
        finally:
            if os.environ.get("VEIL_KEEP_TMP"):
                print("kept", self.tmp)
            else:
                self.cleanup()
        return False


def request(path, rid, extra=b"", method=b"GET", body=None, close=False):
    """A request head (and body) with a fixed X-Request-Id, so what the
    upstream receives is known byte for byte (forwarded())."""
    h = (method + b" " + path + b" HTTP/1.1\r\nHost: app.test\r\n"
         b"X-Request-Id: " + rid + b"\r\n" + extra)
    if body is not None:
        h += b"Content-Length: %d\r\n" % len(body)
    if close:
        h += b"Connection: close\r\n"
    return h + b"\r\n" + (body or b"")


def forwarded(head, via=b"1.1"):
    """What veil sends upstream for a client head that carries its own
    X-Request-Id (docs/operations.md, *What is forwarded*): the same head
    with Connection removed, then X-Forwarded-For, X-Forwarded-Proto and
    Via appended, then veil's own framing (Content-Length moves last).
    Only the head: the body follows as sent."""
    head = head[:head.index(b"\r\n\r\n")]
    lines = head.split(b"\r\n")
    keep, framing = [], []
    for ln in lines:
        name = ln.split(b":", 1)[0].lower()
        if name == b"connection":
            continue
        (framing if name == b"content-length" else keep).append(ln)
    return (b"\r\n".join(keep) + b"\r\nX-Forwarded-For: 127.0.0.1\r\n"
            b"X-Forwarded-Proto: http\r\nVia: " + via + b" veil\r\n" +
            b"".join(f + b"\r\n" for f in framing) + b"\r\n")


def eq_bytes(got, want, what):
    """eq() for long byte strings: names the first difference instead of
    printing megabytes."""
    if got == want:
        return
    if got is None:
        raise Failure("%s: nothing (want %d bytes)" % (what, len(want)))
    i = 0
    while i < min(len(got), len(want)) and got[i] == want[i]:
        i += 1
    raise Failure("%s: %d bytes, want %d; first difference at %d:\n"
                  "  got:  %r\n  want: %r" % (what, len(got), len(want), i,
                                               got[max(0, i - 40):i + 80],
                                               want[max(0, i - 40):i + 80]))


def read_all(s, limit=None):
    """Reads until end of stream (or a reset, or <limit> bytes). Returns
    (bytes, how): how is "eof", "reset" or "limit"."""
    out = bytearray()
    while True:
        try:
            d = s.recv(1 << 16)
        except ConnectionResetError:
            return bytes(out), "reset"
        if not d:
            return bytes(out), "eof"
        out += d
        if limit is not None and len(out) >= limit:
            return bytes(out), "limit"


def read_head(s):
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = s.recv(4096)
        if not d:
            raise Failure("end of stream before a response head: %r" % buf)
        buf += d
    return split_head(buf)


def abort(s):
    """Closes with a reset (SO_LINGER 0), as a crashing client would."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def tcp_socket(local_port, remote_port):
    """The /proc/net/tcp fields of the IPv4 socket 127.0.0.1:local_port ->
    127.0.0.1:remote_port, or None when there is none (closed)."""
    want_l = "0100007F:%04X" % local_port
    want_r = "0100007F:%04X" % remote_port
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            p = line.split()
            if p[1] == want_l and p[2] == want_r:
                return p
    return None


TCP_CLOSE_WAIT = "08"


def tcp_state(local_port, remote_port):
    """The TCP state (hex, as in include/net/tcp_states.h) or None."""
    p = tcp_socket(local_port, remote_port)
    return p[3] if p is not None else None


def upstream_rx_queue(up_port):
    """Bytes waiting unread in veil's sockets to the upstream."""
    n = 0
    want_r = "0100007F:%04X" % up_port
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            p = line.split()
            if p[2] == want_r:
                n += int(p[4].split(":")[1], 16)
    return n


class Frozen:
    """with Frozen(env): veil is stopped (SIGSTOP) inside the block and
    continued (SIGCONT) after it, so that events reach its loops together
    in a known order when it wakes."""

    def __init__(self, env):
        self.pid = env.veil.pid

    def __enter__(self):
        os.kill(self.pid, signal.SIGSTOP)
        return self

    def __exit__(self, *exc):
        os.kill(self.pid, signal.SIGCONT)
        return False


def tcp_queues(local_port, remote_port):
    """(tx_queue, rx_queue) of the IPv4 TCP socket 127.0.0.1:local_port ->
    127.0.0.1:remote_port, from /proc/net/tcp: bytes sent but not yet
    acknowledged, and bytes received but not yet read."""
    want_l = "0100007F:%04X" % local_port
    want_r = "0100007F:%04X" % remote_port
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            p = line.split()
            if p[1] == want_l and p[2] == want_r:
                tx, rx = p[4].split(":")
                return int(tx, 16), int(rx, 16)
    return None


def stall(env, s):
    """Waits until veil's socket towards client <s> holds unsent bytes
    that no longer change: the client's window is closed."""
    cport = s.getsockname()[1]
    prev = [None]

    def stalled():
        q = tcp_queues(env.port, cport)
        same = q is not None and q == prev[0] and q[0] > 0
        prev[0] = q
        return same

    wait_until(stalled, 10, "veil's writes to the client to stall", step=0.1)


def one_record(env, what="one log record"):
    lines = env.log(1)
    eq(len(lines), 1, what)
    return lines[0]
