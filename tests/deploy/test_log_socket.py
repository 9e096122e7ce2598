"""The access log on a Unix socket (access_log.path unix:/PATH and
unixgram:/PATH, proxy/observe/log_socket.c), with a real `veil run`, the
scripted upstream and a Python receiver in place of the log shipper.

usage: test_log_socket.py VEIL [test_name ...]
"""
import atexit
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import Env, Failure, check, eq, run  # noqa: E402


class StreamReceiver:
    """A stream socket shipper: accepts connections one after another and
    keeps what each one carried."""

    def __init__(self, path, read=True):
        self.path = path
        self.read = read
        self.conns = []          # bytes per connection, in order
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.stop_flag = False
        self.current = None
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while not self.stop_flag:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.current = c
            with self.lock:
                self.conns.append(b"")
                k = len(self.conns) - 1
            while not self.read and not self.stop_flag:
                time.sleep(0.05)
            try:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    with self.lock:
                        self.conns[k] += d
            except OSError:
                pass
            c.close()

    def start_reading(self):
        self.read = True

    def close(self):
        """The shipper goes away: the listening socket and the current
        connection are closed and the socket file removed."""
        self.stop_flag = True
        self.read = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        if self.current is not None:
            try:
                self.current.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.t.join(timeout=5)
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass

    def records(self):
        """The JSON records of every connection; a connection's last line
        may be cut short only if the connection broke (not counted)."""
        with self.lock:
            conns = list(self.conns)
        out = []
        for data in conns:
            lines = data.split(b"\n")
            tail = lines.pop()   # b"" when the data ended with a newline
            out += [json.loads(l) for l in lines]
            if tail:
                # A cut copy: veil sends the whole record again later.
                try:
                    json.loads(tail)
                    raise AssertionError("a whole record without its newline")
                except ValueError:
                    pass
        return out

    def wait(self, n, timeout=10.0):
        end = time.time() + timeout
        while time.time() < end:
            got = self.records()
            if len(got) >= n:
                return got
            time.sleep(0.05)
        return self.records()


class DgramReceiver:
    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)

    def datagrams(self, n, timeout=10.0):
        out = []
        end = time.time() + timeout
        while len(out) < n and time.time() < end:
            self.sock.settimeout(max(0.05, end - time.time()))
            try:
                out.append(self.sock.recv(1 << 20))
            except socket.timeout:
                break
        return out

    def close(self):
        self.sock.close()
        os.unlink(self.path)


def wait_unreachable(env, timeout=10.0):
    """Waits until veil has tried the receiver and said it is not
    reachable: records from then on wait in its queue."""
    end = time.time() + timeout
    while b"not reachable" not in env.stderr():
        if time.time() > end:
            raise Failure("veil never found the receiver gone")
        time.sleep(0.02)


def metric(env, name):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % env.admin_port,
                                timeout=10) as r:
        body = r.read().decode()
    m = re.search(r"^%s (\d+)$" % re.escape(name), body, re.M)
    check(m is not None, "metric %s in /metrics" % name)
    return int(m.group(1))


def drops(env):
    return {k: metric(env, 'veil_access_log_dropped_total{reason="%s"}' % k)
            for k in ("too_large", "buffer_full", "unavailable", "write_error")}


NO_DROPS = {"too_large": 0, "buffer_full": 0, "unavailable": 0, "write_error": 0}


def get(env, n, path="/json"):
    for i in range(n):
        out, err, rc = env.curl("-o", "/dev/null", "-w", "%{http_code}",
                                "{base}%s?i=%d" % (path, i))
        eq((out, rc), (b"200", 0), "request %d" % i)


def sock_path(name="log.sock"):
    """A socket path in a folder of its own, removed at exit."""
    d = tempfile.mkdtemp(prefix="veil-sock-")
    atexit.register(shutil.rmtree, d, True)
    return os.path.join(d, name)


def test_stream_records(veil):
    path = sock_path()
    rcv = StreamReceiver(path)
    env = Env(veil, ["--access-log", "unix:" + path])
    try:
        get(env, 5)
        recs = rcv.wait(5)
        eq(len(recs), 5, "records received")
        eq([r["url.query"] for r in recs], ["i=%d" % i for i in range(5)], "in order")
        eq([r["http.response.status_code"] for r in recs], [200] * 5, "statuses")
        check(all("@timestamp" in r and "http.request.id" in r for r in recs), "fields")
        eq(len(rcv.conns), 1, "one connection")
        eq(drops(env), NO_DROPS, "nothing dropped")
        check(b"access log unix:%s: connected" % path.encode() in env.stderr(),
              "stderr: %r" % env.stderr())
    finally:
        env.stop()
        rcv.close()
        env.cleanup()


def test_stream_receiver_restarts(veil):
    """The shipper goes away and comes back: the records of the outage
    are queued and delivered, whole, each once."""
    path = sock_path()
    rcv = StreamReceiver(path)
    env = Env(veil, ["--access-log", "unix:" + path])
    try:
        get(env, 3)
        eq(len(rcv.wait(3)), 3, "before the restart")
        rcv.close()
        first = rcv.records()
        get(env, 4, "/echo")          # while nobody listens
        wait_unreachable(env)
        rcv2 = StreamReceiver(path)
        try:
            recs = rcv2.wait(4)
            eq([(r["url.path"], r["url.query"]) for r in recs],
               [("/echo", "i=%d" % i) for i in range(4)], "the outage's records, in order")
            get(env, 1)
            eq(len(rcv2.wait(5)), 5, "and the next one")
            eq(len(first) + len(rcv2.records()), 8, "each record once")
            eq(drops(env), NO_DROPS, "nothing dropped")
            err = env.stderr()
            check(b"not reachable" in err and err.count(b": connected") == 2,
                  "stderr tells the outage once: %r" % err)
        finally:
            env.stop()
            rcv2.close()
    finally:
        if env.veil is not None:
            env.stop()
        env.cleanup()


def test_receiver_starts_later(veil):
    path = sock_path()
    env = Env(veil, ["--access-log", "unix:" + path])
    rcv = None
    try:
        get(env, 2)
        wait_unreachable(env)
        rcv = StreamReceiver(path)
        eq(len(rcv.wait(2, timeout=10)), 2, "queued records delivered")
    finally:
        env.stop()
        if rcv:
            rcv.close()
        env.cleanup()


def test_datagrams(veil):
    path = sock_path()
    rcv = DgramReceiver(path)
    env = Env(veil, ["--access-log", "unixgram:" + path])
    try:
        get(env, 4)
        grams = rcv.datagrams(4)
        eq(len(grams), 4, "one datagram per record")
        for i, g in enumerate(grams):
            check(g.endswith(b"}\n") and g.count(b"\n") == 1, "one whole record: %r" % g[-40:])
            eq(json.loads(g)["url.query"], "i=%d" % i, "record %d" % i)
        eq(drops(env), NO_DROPS, "nothing dropped")
    finally:
        env.stop()
        rcv.close()
        env.cleanup()


def test_too_large_is_replaced(veil):
    """A record over access_log.max_record_size: a stand-in with its time
    and request id goes instead, never a cut record."""
    for kind in ("unixgram", "unix"):
        path = sock_path(kind + ".sock")
        rcv = DgramReceiver(path) if kind == "unixgram" else StreamReceiver(path)
        env = Env(veil, ["--access-log", "%s:%s" % (kind, path),
                         "--access-log-max-record", "4k"])
        try:
            body = os.path.join(env.tmp, "body")
            with open(body, "w") as f:
                f.write("x" * 3000)
            out, _, rc = env.curl("-o", "/dev/null", "-w", "%{http_code}",
                                  "-H", "X-Request-Id: client-id_42.a",
                                  "--data-binary", "@" + body, "{base}/echo")
            eq((out, rc), (b"200", 0), "the request itself")
            get(env, 1)
            if kind == "unixgram":
                grams = rcv.datagrams(2)
                recs = [json.loads(g) for g in grams]
                check(all(len(g) <= 4096 for g in grams), "datagrams within the limit")
            else:
                recs = rcv.wait(2)
            eq(len(recs), 2, kind + ": two records")
            stand = recs[0]
            eq(sorted(stand), ["@timestamp", "error.type", "http.request.id",
                               "veil.log.record_bytes"], kind + ": stand-in keys")
            eq(stand["error.type"], "log_record_too_large", "error.type")
            eq(stand["http.request.id"], "client-id_42.a", "request id kept")
            check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", stand["@timestamp"]),
                  "timestamp: %r" % stand["@timestamp"])
            check(stand["veil.log.record_bytes"] > 6000, "size: %r" % stand)
            eq(recs[1]["url.path"], "/json", kind + ": the next record is whole")
            eq(drops(env), dict(NO_DROPS, too_large=1), "counted as too_large")
        finally:
            env.stop()
            rcv.close()
            env.cleanup()


def test_stalled_receiver_never_blocks(veil):
    """A shipper that accepts and never reads: requests keep being served
    at full speed, the queue fills, and what does not fit is dropped and
    counted; once it reads, it gets the rest, each record whole."""
    path = sock_path()
    rcv = StreamReceiver(path, read=False)
    env = Env(veil, ["--access-log", "unix:" + path, "--access-log-max-record", "1m"])
    try:
        body = os.path.join(env.tmp, "body")
        with open(body, "w") as f:
            f.write("y" * 100000)
        n = 60
        t0 = time.time()
        for i in range(n):
            out, _, rc = env.curl("-o", "/dev/null", "-w", "%{http_code}",
                                  "--data-binary", "@" + body, "{base}/echo?i=%d" % i)
            eq((out, rc), (b"200", 0), "request %d" % i)
        check(time.time() - t0 < 30, "served without waiting for the log")
        dropped = drops(env)["buffer_full"]
        check(dropped > 0, "some records dropped: the queue is 4 MiB")
        rcv.start_reading()
        recs = rcv.wait(n - dropped, timeout=15)
        eq(len(recs), n - dropped, "the rest delivered")
        qs = [int(r["url.query"][2:]) for r in recs]
        eq(qs, sorted(qs), "in order")
        eq(qs[0], 0, "the first records were queued, the last ones dropped")
        eq(drops(env), dict(NO_DROPS, buffer_full=dropped), "counters")
    finally:
        env.stop()
        rcv.close()
        env.cleanup()


def test_unavailable_at_exit(veil):
    path = sock_path()
    env = Env(veil, ["--access-log", "unixgram:" + path])
    try:
        get(env, 3)
        t0 = time.time()
        env.stop()
        check(time.time() - t0 < 5, "the exit waits about a second for the receiver")
        err = env.stderr()
        check(b"access log unixgram:%s: not reachable (No such file or directory)"
              % path.encode() in err, "stderr: %r" % err)
        check(b"access log unixgram:%s: 3 records not sent" % path.encode() in err,
              "stderr: %r" % err)
    finally:
        env.cleanup()


def test_bad_address(veil):
    for addr, kind in (("unix:relative.sock", "unix:"), ("unixgram:x", "unixgram:"),
                       ("unix:/" + "a" * 120, "unix:")):
        r = subprocess.run([veil, "run", "--access-log", addr, "--admin", "off",
                            "--listen", "127.0.0.1:1", "--upstream", "http://127.0.0.1:1"],
                           capture_output=True, timeout=10)
        eq(r.returncode, 1, addr)
        eq(r.stderr.decode(), "veil: access log %s: expected %s/absolute/path or %s@name "
           "(at most 107 bytes)\n" % (addr, kind, kind), "message for " + addr)


TESTS = [test_stream_records, test_stream_receiver_restarts, test_receiver_starts_later,
         test_datagrams, test_too_large_is_replaced, test_stalled_receiver_never_blocks,
         test_unavailable_at_exit, test_bad_address]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
