"""systemd's notification protocol (sd_notify(3)) from a real `veil run`:
a Python datagram socket stands in for the service manager through
$NOTIFY_SOCKET, and each message is checked exactly and in order.

usage: test_notify.py VEIL [test_name ...]
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import check, eq, free_port, run  # noqa: E402

GOOD = "server:\n  drain_timeout: 5s\n"
BROKEN = "server:\n  drain_timeout: soon\n"


class Manager:
    """The service manager's end: a Unix datagram socket, by path or by
    abstract name ('@...')."""

    def __init__(self, tmp, abstract=False):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "veil-test-" + uuid.uuid4().hex
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(tmp, "notify.sock")
            self.sock.bind(self.address)

    def next(self, timeout=10.0):
        self.sock.settimeout(timeout)
        try:
            return self.sock.recv(4096)
        except socket.timeout:
            return None

    def close(self):
        self.sock.close()


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class Veil:
    def __init__(self, veil, tmp, notify_address, config=True):
        self.port = free_port()
        self.cfg = os.path.join(tmp, "veil.yaml")
        with open(self.cfg, "w") as f:
            f.write(GOOD)
        env = dict(os.environ)
        if notify_address is None:
            env.pop("NOTIFY_SOCKET", None)
        else:
            env["NOTIFY_SOCKET"] = notify_address
        args = [veil, "run", "--listen", "127.0.0.1:%d" % self.port, "--admin", "off",
                "--upstream", "http://127.0.0.1:1", "--workers", "2",
                "--access-log", os.path.join(tmp, "access.log")]
        if config:
            args += ["-c", self.cfg]
        self.err_path = os.path.join(tmp, "veil.stderr")
        self.err = open(self.err_path, "wb")
        self.p = subprocess.Popen(args, env=env, stderr=self.err)

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()
        self.err.close()
        with open(self.err_path, "rb") as f:
            err = f.read()
        for bad in (b"AddressSanitizer", b"LeakSanitizer", b"runtime error:"):
            check(bad not in err, "sanitizer report: " + err.decode(errors="replace"))
        return err


def monotonic_usec():
    return int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1e6)


def test_ready_reload_stop(veil):
    tmp = tempfile.mkdtemp(prefix="veil-notify-")
    m = Manager(tmp)
    v = Veil(veil, tmp, m.address)
    try:
        eq(m.next(), b"READY=1\nSTATUS=listening\n", "first message")
        # READY=1 is sent once the listeners are bound.
        check(accepts(v.port), "the data port accepts when READY=1 arrives")

        # A good reload: RELOADING=1 with the monotonic clock, then READY=1.
        before = monotonic_usec()
        v.p.send_signal(signal.SIGHUP)
        msg = m.next()
        after = monotonic_usec()
        check(msg is not None, "RELOADING=1 after SIGHUP")
        lines = msg.decode().split("\n")
        eq(lines[0], "RELOADING=1", "first line")
        check(lines[1].startswith("MONOTONIC_USEC="), "MONOTONIC_USEC: %r" % msg)
        usec = int(lines[1].split("=", 1)[1])
        check(before <= usec <= after, "MONOTONIC_USEC %d within [%d, %d]" % (usec, before, after))
        eq(lines[2:], ["STATUS=reloading the configuration", ""], "rest of RELOADING")
        eq(m.next(), b"READY=1\nSTATUS=configuration reloaded\n", "READY=1 after the reload")

        # A rejected file: the old config keeps serving, and the manager
        # hears READY=1 all the same (the service is up).
        with open(v.cfg, "w") as f:
            f.write(BROKEN)
        time.sleep(0.5)  # the file watch reloads it too: let that pass
        while True:
            msg = m.next(timeout=1.0)
            if msg is None:
                break
            eq(msg, b"READY=1\nSTATUS=configuration rejected, the running one stays\n",
               "the watch's own reload")
        v.p.send_signal(signal.SIGHUP)
        eq(m.next()[:12], b"RELOADING=1\n", "RELOADING=1 for the broken file")
        eq(m.next(), b"READY=1\nSTATUS=configuration rejected, the running one stays\n",
           "READY=1 after a rejected reload")
        check(accepts(v.port), "still serving")

        v.p.send_signal(signal.SIGTERM)
        eq(m.next(), b"STOPPING=1\nSTATUS=draining\n", "STOPPING=1 at SIGTERM")
        eq(v.p.wait(timeout=15), 0, "exit status")
        eq(m.next(timeout=0.5), None, "nothing after STOPPING=1")
    finally:
        v.stop()
        m.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_abstract_socket_and_sigint(veil):
    tmp = tempfile.mkdtemp(prefix="veil-notify-")
    m = Manager(tmp, abstract=True)
    v = Veil(veil, tmp, m.address, config=False)
    try:
        eq(m.next(), b"READY=1\nSTATUS=listening\n", "READY=1 over an abstract name")
        # Without -c, SIGHUP reloads nothing and tells the manager nothing.
        v.p.send_signal(signal.SIGHUP)
        eq(m.next(timeout=0.5), None, "no RELOADING=1 without a file")
        v.p.send_signal(signal.SIGINT)
        eq(m.next(), b"STOPPING=1\nSTATUS=stopping\n", "STOPPING=1 at SIGINT")
        eq(v.p.wait(timeout=15), 0, "exit status")
    finally:
        v.stop()
        m.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_stop_during_reload_says_nothing_more(veil):
    """A SIGHUP and a SIGTERM back to back: whatever order the reload and
    the drain end in, nothing follows STOPPING=1."""
    tmp = tempfile.mkdtemp(prefix="veil-notify-")
    m = Manager(tmp)
    v = Veil(veil, tmp, m.address)
    try:
        eq(m.next(), b"READY=1\nSTATUS=listening\n", "READY=1")
        v.p.send_signal(signal.SIGHUP)
        eq(m.next()[:12], b"RELOADING=1\n", "RELOADING=1")
        v.p.send_signal(signal.SIGTERM)
        seen = []
        while True:
            msg = m.next(timeout=2.0)
            if msg is None:
                break
            seen.append(msg)
        check(b"STOPPING=1\nSTATUS=draining\n" in seen, "STOPPING=1 in %r" % seen)
        eq(seen[-1], b"STOPPING=1\nSTATUS=draining\n", "STOPPING=1 is the last message")
        eq(v.p.wait(timeout=15), 0, "exit status")
    finally:
        v.stop()
        m.close()
        shutil.rmtree(tmp, ignore_errors=True)


def test_unreachable_socket_is_harmless(veil):
    """$NOTIFY_SOCKET naming nothing (or another kind of address) does not
    keep veil from serving."""
    for address in ("/nonexistent/notify.sock", "vsock:2:1234"):
        tmp = tempfile.mkdtemp(prefix="veil-notify-")
        v = Veil(veil, tmp, address)
        try:
            # "listening on" is printed once the signal handlers are in
            # place: the port accepts a moment earlier, and a SIGTERM
            # then would find the default action.
            end = time.time() + 10
            while time.time() < end and b"veil: listening on" not in open(v.err_path,
                                                                          "rb").read():
                check(v.p.poll() is None, "veil exited early")
                time.sleep(0.05)
            check(accepts(v.port), "serving with NOTIFY_SOCKET=" + address)
            v.p.send_signal(signal.SIGTERM)
            eq(v.p.wait(timeout=15), 0, "exit status")
        finally:
            v.stop()
            shutil.rmtree(tmp, ignore_errors=True)


TESTS = [test_ready_reload_stop, test_abstract_socket_and_sigint,
         test_stop_during_reload_says_nothing_more, test_unreachable_socket_is_harmless]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
