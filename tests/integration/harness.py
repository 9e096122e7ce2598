"""Helpers for the integration tests: free ports, the scripted upstream
process (upstream.py), `veil run`, curl, raw sockets and the access log.

Everything runs on 127.0.0.1. VEIL is the path of the veil executable
(first argument of each test script or $VEIL).
"""
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


# Ports handed out by free_port(), reserved across the test processes ctest
# runs in parallel: a file per port, created exclusively, holding the
# owner's pid; removed when the owner exits, taken over when it died.
PORTS_DIR = os.path.join(tempfile.gettempdir(), "veil-test-ports")
_reserved = []


def _release_ports():
    for path in _reserved:
        try:
            os.unlink(path)
        except OSError:
            pass


def _reserve(port):
    """Reserves <port> for this process; False when another live one has."""
    os.makedirs(PORTS_DIR, exist_ok=True)
    path = os.path.join(PORTS_DIR, str(port))
    for _ in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                with open(path) as f:
                    owner = int(f.read() or "0")
                os.kill(owner, 0)
                return False  # its owner is alive
            except (OSError, ValueError):
                # the owner is gone (or the file half written: taken over)
                try:
                    os.unlink(path)
                except OSError:
                    pass
                continue
        with os.fdopen(fd, "w") as f:
            f.write(str(os.getpid()))
        if not _reserved:
            import atexit
            atexit.register(_release_ports)
        _reserved.append(path)
        return True
    return False


def free_port():
    """A port nobody listens on, for a server started after this returns.
    Drawn from below the kernel's ephemeral range (32768-60999 on Linux),
    where bind(port 0) and every outgoing connection of the tests running
    in parallel take theirs: a port from there could be taken between this
    call and the server's bind ("Address already in use"). Reserved for
    this process (PORTS_DIR), so that two tests that ctest runs at once
    are never handed the same port in that time."""
    import random
    for _ in range(200):
        port = random.randint(20000, 32000)
        if not _reserve(port):
            continue
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        return port
    raise RuntimeError("no free port in 20000-32000")


def wait_port(port, timeout=10.0, proc=None):
    end = time.time() + timeout
    while time.time() < end:
        if proc is not None and proc.poll() is not None:
            break
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d did not open" % port)


class Failure(Exception):
    pass


def tcp_queues(port, sock):
    """(send queue, receive queue) in bytes of veil's end of the client
    socket <sock> connected to <port> (/proc/net/tcp), or None."""
    peer = sock.getsockname()[1]
    want_l, want_r = "0100007F:%04X" % port, "0100007F:%04X" % peer
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            p = line.split()
            if p[1] == want_l and p[2] == want_r:
                tx, rx = p[4].split(":")
                return int(tx, 16), int(rx, 16)
    return None


def wait_read(port, sock, timeout=5.0):
    """Waits until veil's end of <sock> has no unread bytes: veil has read
    what was sent, so what the test does next (an abort, a second
    segment) meets a veil that has seen the first part."""
    end = time.time() + timeout
    while time.time() < end:
        q = tcp_queues(port, sock)
        if q is not None and q[1] == 0:
            return
        time.sleep(0.01)
    raise Failure("veil did not read what was sent in %.0f s" % timeout)


def wait_stalled(port, sock, timeout=10.0):
    """Waits until veil's end of <sock> has bytes it cannot send (the
    client is not reading): the state a slow client puts veil in."""
    end = time.time() + timeout
    while time.time() < end:
        q = tcp_queues(port, sock)
        if q is not None and q[0] > 0:
            return
        time.sleep(0.01)
    raise Failure("veil's writes to the client did not stall in %.0f s" % timeout)


def check(cond, what):
    if not cond:
        raise Failure(what)


def eq(got, want, what):
    if got != want:
        raise Failure("%s:\n  got:  %r\n  want: %r" % (what, got, want))


class Env:
    """An upstream process and a veil process, torn down by stop()."""

    def __init__(self, veil, veil_args=(), upstream=True):
        self.tmp = tempfile.mkdtemp(prefix="veil-it-")
        self.veil_bin = veil
        self.up_port = free_port()
        self.port = free_port()
        self.admin_port = free_port()
        self.log_path = os.path.join(self.tmp, "access.log")
        self.err_path = os.path.join(self.tmp, "veil.stderr")
        self.rec = os.path.join(self.tmp, "upstream")
        self.upstream = None
        if upstream:
            self.start_upstream()
        self.err = open(self.err_path, "wb")
        # A port picked free may be taken by a parallel test before veil
        # binds it: then veil exits at once, and we try other ports.
        for attempt in range(5):
            args = [veil, "run", "--listen", "127.0.0.1:%d" % self.port,
                    "--upstream", "http://127.0.0.1:%d" % self.up_port,
                    "--access-log", self.log_path, "--workers", "2",
                    "--admin", "127.0.0.1:%d" % self.admin_port]
            self.veil = subprocess.Popen(args + list(veil_args),
                                         stdout=subprocess.DEVNULL,
                                         stderr=self.err)
            try:
                wait_port(self.port, proc=self.veil)
                return
            except RuntimeError:
                if self.veil.poll() is None or attempt == 4:
                    # Do not leave the processes behind a failed start.
                    if self.veil.poll() is None:
                        self.veil.kill()
                        self.veil.wait()
                    self.stop_upstream()
                    self.err.close()
                    raise
                self.port = free_port()
                self.admin_port = free_port()

    def start_upstream(self):
        self.upstream = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "upstream.py"),
             str(self.up_port), self.rec])
        wait_port(self.up_port)

    def stop_upstream(self):
        if self.upstream is not None:
            self.upstream.kill()
            self.upstream.wait()
            self.upstream = None

    def stop(self, sig=signal.SIGTERM):
        rc = None
        if self.veil is not None:
            self.veil.send_signal(sig)
            try:
                rc = self.veil.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.veil.kill()
                self.veil.wait()
                rc = "killed"
            self.veil = None
        self.stop_upstream()
        self.err.close()
        err = self.stderr()
        for bad in (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:",
                    b"ThreadSanitizer"):
            check(bad not in err, "sanitizer report in veil's stderr:\n" +
                  err.decode(errors="replace")[-3000:])
        if sig == signal.SIGTERM and rc is not None:
            # With veil's last words: a failure here is rare (one in
            # hundreds of loaded runs) and says nothing without them.
            eq(rc, 0, "veil's exit status after SIGTERM (its stderr ends: %r)"
               % err[-600:].decode(errors="replace"))
        return rc

    def cleanup(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    # --- what the sides saw ---

    def requests(self, min_count=0, timeout=5.0):
        """The requests the upstream recorded, in order: (bytes, conn)."""
        end = time.time() + timeout
        while True:
            files = glob.glob(os.path.join(self.rec, "req-*.bin"))
            if len(files) >= min_count or time.time() > end:
                break
            time.sleep(0.05)
        out = []
        for i in range(1, len(files) + 1):
            with open(os.path.join(self.rec, "req-%d.bin" % i), "rb") as f:
                data = f.read()
            with open(os.path.join(self.rec, "req-%d.conn" % i)) as f:
                conn = int(f.read())
            out.append((data, conn))
        return out

    def log(self, min_lines=0, timeout=5.0):
        end = time.time() + timeout
        while True:
            try:
                with open(self.log_path, "rb") as f:
                    raw = f.read()
            except FileNotFoundError:
                raw = b""
            lines = [l for l in raw.split(b"\n") if l]
            # A read that meets a write in progress sees part of a batch:
            # read again; a log that stays cut short fails below.
            whole = raw == b"" or raw.endswith(b"\n")
            if (len(lines) >= min_lines and whole) or time.time() > end:
                break
            time.sleep(0.05)
        check(raw == b"" or raw.endswith(b"\n"), "log ends with a newline")
        return [json.loads(l) for l in lines]

    def log_raw(self, settle=0.2, timeout=5.0):
        """The log's bytes once it has stopped growing for <settle>
        seconds (at most <timeout>): a record is written when its
        exchange's last bytes have left for the client, so a client that
        has its answer may look before the record is there. Checks that
        something is NOT in the log must not look too early."""
        def read():
            try:
                with open(self.log_path, "rb") as f:
                    return f.read()
            except FileNotFoundError:
                return b""
        end = time.time() + timeout
        raw = read()
        quiet_since = time.time()
        while time.time() < end:
            time.sleep(0.02)
            now = read()
            if now != raw:
                raw = now
                quiet_since = time.time()
            elif time.time() - quiet_since >= settle:
                break
        return raw

    def settle(self):
        """Waits until the records (and so the counters, which are taken
        with them) of the exchanges that have finished are written."""
        self.log_raw()

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read()

    # --- clients ---

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def curl(self, *args, direct=False, timeout=20):
        port = self.up_port if direct else self.port
        cmd = ["curl", "-s", "-S", "--max-time", str(timeout)]
        cmd += [a.replace("{base}", "http://127.0.0.1:%d" % port)
                for a in args]
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout + 5)
        return p.stdout, p.stderr, p.returncode

    def raw(self, data, read_until_close=True, timeout=10.0, port=None):
        s = socket.create_connection(("127.0.0.1", port or self.port))
        s.settimeout(timeout)
        if data:
            s.sendall(data)
        out = b""
        if read_until_close:
            try:
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    out += d
            except (socket.timeout, ConnectionResetError):
                pass
            s.close()
            return out
        return s


FORWARDING = (b"x-forwarded-for", b"x-forwarded-proto", b"via",
              b"x-request-id")


def split_head(data):
    i = data.index(b"\r\n\r\n") + 4
    return data[:i], data[i:]


def head_fields(head):
    lines = head.split(b"\r\n")
    fields = []
    for ln in lines[1:]:
        if not ln:
            continue
        k, v = ln.split(b":", 1)
        fields.append((k, v.strip()))
    return lines[0], fields


def without(head, names):
    """The head with the fields named in <names> (lower case) removed."""
    start, fields = head_fields(head)
    out = start + b"\r\n"
    for k, v in fields:
        if k.lower() not in names:
            out += k + b": " + v + b"\r\n"
    return out + b"\r\n"


def field(head, name):
    _, fields = head_fields(head)
    vals = [v for k, v in fields if k.lower() == name]
    return vals


def dechunk(body):
    out = b""
    while True:
        i = body.index(b"\r\n")
        size = int(body[:i].split(b";")[0], 16)
        body = body[i + 2:]
        if size == 0:
            return out, body
        out += body[:size]
        check(body[size:size + 2] == b"\r\n", "chunk ends with CRLF")
        body = body[size + 2:]


def run(tests, argv):
    """Runs the named tests (all when none named). Exit status 0 on
    success; failures are printed with the test name."""
    veil = os.environ.get("VEIL") or (argv[1] if len(argv) > 1 else None)
    names = argv[2:] if len(argv) > 2 else [t.__name__ for t in tests]
    by_name = {t.__name__: t for t in tests}
    failed = 0
    for n in names:
        t0 = time.time()
        try:
            by_name[n](veil)
            print("ok   %s (%.2fs)" % (n, time.time() - t0))
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s: %s: %s" % (n, type(e).__name__, e))
            # A failure raised while tearing down (env.stop() in a
            # finally) hides the one that led to it: print that too.
            cause = e.__context__
            while cause is not None:
                print("  during: %s: %s" % (type(cause).__name__, cause))
                cause = cause.__context__
    sys.stdout.flush()
    return 1 if failed else 0
