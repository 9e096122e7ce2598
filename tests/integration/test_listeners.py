#!/usr/bin/env python3
"""A config's listeners are all served: every address gets its own
SO_REUSEPORT listener on each worker, --listen replaces only the first,
and a drain closes them all.

Usage: test_listeners.py VEIL [test names...]
"""
import os
import signal
import socket
import sys
import tempfile

from harness import Env, check, eq, free_port, run, split_head

CONFIG = """version: 1
listeners:
  - name: public
    address: 127.0.0.1:%d
  - name: internal
    address: 127.0.0.1:%d
"""


def start(veil):
    d = tempfile.mkdtemp(prefix="veil-listeners-")
    second = free_port()
    path = os.path.join(d, "listeners.yaml")
    with open(path, "w") as f:
        # The first address is replaced by the harness's --listen.
        f.write(CONFIG % (free_port(), second))
    return Env(veil, ["-c", path]), second


def get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    return out


def test_every_listener_served(veil):
    env, second = start(veil)
    try:
        one = get(env.port, b"/json")
        two = get(second, b"/json")
        eq(split_head(one)[0].split(b"\r\n")[0], b"HTTP/1.1 200 OK", "the first listener")
        eq(split_head(two)[0].split(b"\r\n")[0], b"HTTP/1.1 200 OK", "the second listener")
        eq(split_head(one)[1], split_head(two)[1], "the same upstream answer")
        eq(len(env.requests(2)), 2, "both requests reached the upstream")
        recs = env.log(2)
        eq(len(recs), 2, "one record each")
        err = env.stderr()
        check(b"listening on 127.0.0.1:%d, 127.0.0.1:%d," % (env.port, second) in err,
              "the start message names both addresses: %r" % err)
    finally:
        env.stop()


def test_drain_closes_every_listener(veil):
    env, second = start(veil)
    try:
        eq(split_head(get(second, b"/json"))[0].split(b"\r\n")[0], b"HTTP/1.1 200 OK", "served")
        env.veil.send_signal(signal.SIGTERM)
        env.veil.wait(timeout=15)
        eq(env.veil.returncode, 0, "clean exit")
        for port in (env.port, second):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                check(False, "port %d still accepts after the drain" % port)
            except OSError:
                pass
    finally:
        env.stop()


if __name__ == "__main__":
    sys.exit(run([test_every_listener_served, test_drain_closes_every_listener], sys.argv))
