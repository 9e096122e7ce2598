#!/usr/bin/env python3
"""Fail-closed details outside the data path: log lines that stay one
line for every consumer (also when the log is a pipe that fills up),
and an admin listener that is not opened to the network without a
token.

Usage: test_hardening.py VEIL [test names...]
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

from faultlib import (FaultEnv, check, eq, read_all, request, run,
                      wait_until)
from harness import free_port, wait_port

LS = "\u2028".encode()      # E2 80 A8, LINE SEPARATOR
PS = "\u2029".encode()      # E2 80 A9, PARAGRAPH SEPARATOR


def test_line_separators_escaped(veil):
    """U+2028 and U+2029 are line terminators for JavaScript (before
    ES2019) and for str.splitlines(): in a logged header value, body
    (text, JSON, form) or percent-decoded place they must be written as
    the escapes \\u2028 and \\u2029 (RFC 8259 allows escaping any
    character), never as raw bytes, so every consumer sees one record per
    line."""
    with FaultEnv(veil) as env:
        text = b"Content-Type: text/plain\r\n"
        cases = [
            request(b"/f/ok/a%E2%80%A8b?q=x%E2%80%A9y", b"ls1", close=True),
            request(b"/f/ok", b"ls2", close=True,
                    extra=b"X-Note: a" + LS + b"b" + PS + b"c\r\n"),
            request(b"/f/echo", b"ls3", method=b"POST", close=True,
                    extra=text, body=b"one" + LS + b"two" + PS + b"three"),
            request(b"/f/echo", b"ls4", method=b"POST", close=True,
                    extra=b"Content-Type: application/json\r\n",
                    body=b'{"a":"x' + LS + b'y","b":"' + PS + b'"}'),
            request(b"/f/echo", b"ls5", method=b"POST", close=True,
                    extra=b"Content-Type: application/x-www-form-"
                          b"urlencoded\r\n",
                    body=b"a=x" + LS + b"y&b=" + PS),
        ]
        for req in cases:
            s = env.connect()
            s.sendall(req)
            out, _ = read_all(s)
            s.close()
            check(out.startswith(b"HTTP/1.1 200 OK\r\n") or
                  out.startswith(b"HTTP/1.1 404 "), "answered: %r" % out[:40])
        records = env.log(len(cases))
        eq(len(records), len(cases), "records")
        raw = env.log_raw()
        problems = []
        for name, b in (("U+2028", LS), ("U+2029", PS)):
            if b in raw:
                problems.append("%d raw %s in the log" % (raw.count(b),
                                                          name))
        lines = raw.decode("utf-8").splitlines()
        if len(lines) != len(cases):
            problems.append("str.splitlines() sees %d lines for %d records"
                            % (len(lines), len(cases)))
        check(not problems, "; ".join(problems))
        # Not vacuous: the characters were logged, escaped.
        for rid, where in (("ls2", "http.request.headers"),
                           ("ls3", "http.request.body.content"),
                           ("ls4", "http.request.body.content"),
                           ("ls5", "http.request.body.content")):
            r = [x for x in records if x["http.request.id"] == rid][0]
            v = r.get(where)
            # str() of a dict is its repr, which escapes U+2028: look at
            # the values themselves.
            text = "".join(v.values()) if isinstance(v, dict) else str(v)
            check("\u2028" in text or "\u2029" in text,
                  "%s: the separator is in %s" % (rid, where))
        check(raw.count(b"\\u2028") >= 4 and raw.count(b"\\u2029") >= 4,
              "written as escapes")


def test_stdout_pipe_lines_whole(veil):
    """`--access-log -` to a pipe (a container's stdout): two workers
    write batches of large records while the reader is slow, so the pipe
    fills and writes block half way. Every line must still be one whole
    JSON record (docs/operations.md: lines never interleave or split);
    a write over PIPE_BUF bytes is not atomic on a pipe."""
    with FaultEnv(veil, record=False) as env:
        port = free_port()
        p = subprocess.Popen([veil, "run", "--listen", "127.0.0.1:%d" % port,
                              "--upstream", "http://127.0.0.1:%d" %
                              env.up_port, "--access-log", "-", "--workers",
                              "2", "--admin", "off"],
                             stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        out = []

        def slow_reader():
            while True:
                d = os.read(p.stdout.fileno(), 65536)
                if not d:
                    return
                out.append(d)
                time.sleep(0.005)

        try:
            wait_port(port, proc=p)
            rt = threading.Thread(target=slow_reader)
            rt.start()
            body = (b"lorem ipsum dolor sit amet " * 1300)[:32768]

            def client(k):
                for i in range(20):
                    s = socket.create_connection(("127.0.0.1", port))
                    s.settimeout(20)
                    s.sendall(request(b"/f/echo", b"pl%d-%d" % (k, i),
                                      method=b"POST", body=body, close=True,
                                      extra=b"Content-Type: text/plain\r\n"))
                    read_all(s)
                    s.close()

            clients = [threading.Thread(target=client, args=(k,))
                       for k in range(16)]
            for t in clients:
                t.start()
            for t in clients:
                t.join()
        finally:
            p.terminate()
            eq(p.wait(timeout=20), 0, "exit status")
        rt.join()
        lines = [ln for ln in b"".join(out).split(b"\n") if ln]
        bad = 0
        for ln in lines:
            try:
                json.loads(ln)
            except ValueError:
                bad += 1
        check(bad == 0, "%d of %d lines are not one JSON record" %
              (bad, len(lines)))
        eq(len(lines), 320, "one line per exchange")


def admin_start(veil, tmp, admin, extra=()):
    """Starts veil with --admin <admin> and stops it once it has either
    exited or opened the admin port. Returns (exit status, or None when it
    had started; its stderr)."""
    err_path = os.path.join(tmp, "stderr")
    port = free_port()
    admin_port = int(admin.rsplit(":", 1)[1])
    err = open(err_path, "wb")
    p = subprocess.Popen([veil, "run", "--listen", "127.0.0.1:%d" % port,
                          "--upstream", "http://127.0.0.1:9",
                          "--access-log", os.path.join(tmp, "log"),
                          "--workers", "1", "--admin", admin] + list(extra),
                         stdout=subprocess.DEVNULL, stderr=err)

    def decided():
        if p.poll() is not None:
            return True
        try:
            socket.create_connection(("127.0.0.1", admin_port),
                                     timeout=0.5).close()
            return True
        except OSError:
            return False

    wait_until(decided, 10, "veil to start or exit")
    rc = p.poll()
    if rc is None:
        p.terminate()
        p.wait(timeout=10)
    err.close()
    with open(err_path, "rb") as f:
        msg = f.read()
    return rc, msg


def test_admin_off_loopback_needs_token(veil):
    """--admin on a non-loopback address without --admin-token-file is
    refused at start (exit status != 0, a message naming the way out),
    unless --admin-insecure says it is meant; with a token file it
    starts; on loopback it starts without one."""
    problems = []
    tmp = tempfile.mkdtemp(prefix="veil-adm-")
    try:
        token = os.path.join(tmp, "token")
        with open(token, "w") as f:
            f.write("t0ken-for-the-test\n")
        os.chmod(token, 0o600)
        for admin, extra, refused in (
                ("0.0.0.0", [], True),
                ("0.0.0.0", ["--admin-insecure"], False),
                ("0.0.0.0", ["--admin-token-file", token], False),
                ("127.0.0.1", [], False)):
            what = " ".join(["--admin", admin] + extra)
            rc, msg = admin_start(veil, tmp, "%s:%d" % (admin, free_port()),
                                  extra)
            if refused and rc is None:
                problems.append("%s: veil started (stderr: %r)" %
                                (what, msg[:200]))
            elif refused and (rc == 0 or b"token" not in msg.lower()):
                problems.append("%s: exit %s, stderr %r (want a refusal "
                                "naming the token)" % (what, rc, msg[:200]))
            elif not refused and rc is not None:
                problems.append("%s: exit %s, stderr %r" % (what, rc,
                                                            msg[:200]))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check(not problems, "\n  ".join([""] + problems))


TESTS = [test_line_separators_escaped, test_stdout_pipe_lines_whole,
         test_admin_off_loopback_needs_token]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
