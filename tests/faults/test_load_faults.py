#!/usr/bin/env python3
"""Many connections at once: 5,000 idle clients, a burst of 100
pipelined requests in one write, and twelve bursts of 5,000 short
connections after which veil's memory must come back down.

Usage: test_load_faults.py VEIL [test names...]
"""
import resource
import selectors
import socket
import sys
import threading
import time

from faultlib import (FaultEnv, anon_kib, check, eq, eq_bytes, forwarded,
                      read_all, request, rss_kib, run, steady_anon_kib,
                      wait_until)

IDLE = 5000


def raise_fd_limit(need):
    """Raises RLIMIT_NOFILE to <need> (the veil this process starts
    inherits it): the soft limit up to the hard one, the hard one too
    where that is allowed; fails when the limit stays too low."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < need:
        try:
            # Only root (CAP_SYS_RESOURCE) may raise the hard limit.
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
            soft = hard = need
        except (ValueError, OSError):
            pass
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    check(soft == resource.RLIM_INFINITY or soft >= need,
          "RLIMIT_NOFILE %d < %d needed (raise the hard limit)" %
          (soft, need))


def ok_exchange(env, rid, body=b"ok"):
    s = env.connect()
    req = request(b"/f/ok?body=" + body, rid, close=True)
    s.sendall(req)
    out, how = read_all(s)
    s.close()
    eq((out, how), (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                    b"Via: 1.1 veil\r\nContent-Length: %d\r\n"
                    b"Connection: close\r\n\r\n" % len(body) + body, "eof"),
       "a normal exchange")
    return req


def test_idle_connections(veil):
    """5,000 connections that send nothing (under --max-connections'
    default of 10,000): veil holds one descriptor for each, still serves a
    normal request, and gives every descriptor back when they close."""
    raise_fd_limit(IDLE + 1000)
    with FaultEnv(veil) as env:
        idle = []
        for _ in range(IDLE):
            idle.append(socket.create_connection(("127.0.0.1", env.port)))
        env.check_fds(extra=IDLE, timeout=30)
        req = ok_exchange(env, b"id1")
        eq(env.conn_rx(1), forwarded(req), "upstream received")
        r = env.log(1)
        eq([(x["http.request.id"], x["http.response.status_code"])
            for x in r], [("id1", 200)], "one record")
        for s in idle:
            s.close()
        env.check_fds(timeout=30)
        # None of them was answered or logged: they never sent a byte.
        eq(len(env.log()), 1, "records after the idle ones closed")


def test_pipelined_burst(veil):
    """100 requests in one write: 100 responses, in order, each exact;
    100 log lines in order; the upstream got the 100 requests in order."""
    with FaultEnv(veil) as env:
        reqs = [request(b"/f/ok?body=p%03d" % i, b"p%03d" % i,
                        close=(i == 99)) for i in range(100)]
        s = env.connect()
        s.sendall(b"".join(reqs))
        out, how = read_all(s)
        s.close()
        want = b"".join(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nVia: 1.1 veil"
            b"\r\nContent-Length: 4\r\n" +
            (b"Connection: close\r\n" if i == 99 else b"") +
            b"\r\np%03d" % i for i in range(100))
        eq(how, "eof", "closed after the last")
        eq_bytes(out, want, "100 responses in order")
        log = env.log(100)
        eq([r["http.request.id"] for r in log],
           ["p%03d" % i for i in range(100)], "100 records in order")
        eq({r["http.response.status_code"] for r in log}, {200}, "statuses")
        upstream = b"".join(env.conn_rx(n) or b""
                            for n in range(1, env.accepted() + 1))
        eq_bytes(upstream, b"".join(forwarded(r) for r in reqs),
                 "upstream received")
        env.check_fds()


def burst(port, n, req, timeout=60):
    """n connections opened at once, each sends <req>, reads to the end
    and closes. Returns the n answers."""
    sel = selectors.DefaultSelector()
    out = []
    for _ in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        sel.register(s, selectors.EVENT_WRITE, [s, 0, bytearray()])
    end = time.time() + timeout
    while len(out) < n and time.time() < end:
        for key, ev in sel.select(timeout=1):
            st = key.data
            s = st[0]
            try:
                if ev & selectors.EVENT_WRITE:
                    st[1] += s.send(req[st[1]:])
                    if st[1] == len(req):
                        sel.modify(s, selectors.EVENT_READ, st)
                    continue
                d = s.recv(65536)
                if d:
                    st[2] += d
                    continue
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as e:
                st[2] += b"<%s>" % e.strerror.encode()
            sel.unregister(s)
            s.close()
            out.append(bytes(st[2]))
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    return out


def burst_all_ok(env, n, req):
    """<n> connections at once, each sending <req>: every answer must be
    a 200."""
    answers = burst(env.port, n, req)
    good = sum(1 for a in answers if a.startswith(b"HTTP/1.1 200 OK\r\n"))
    eq(good, n, "answers that are 200")


def test_memory_after_bursts(veil):
    """Twelve bursts of 5,000 connections (request, response, close):
    veil's RSS comes back within twice its idle RSS, within 10 s of the
    last one on a quiet machine; the test waits up to 40 s for it, since
    under a loaded ctest -j2 the trims' timer ticks and the log writer's
    batch run late (a single reading at 10 s once failed that way, and
    passed alone)."""
    raise_fd_limit(IDLE * 2 + 1000)
    with FaultEnv(veil, record=False) as env:
        pid = env.veil.pid
        ok_exchange(env, b"warm")
        idle = rss_kib(pid)
        want = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nVia: 1.1 "
                b"veil\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        req = b"GET /f/ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
        peaks = []
        for k in range(12):
            answers = burst(env.port, IDLE, req)
            good = sum(1 for a in answers if a == want)
            eq(good, IDLE, "round %d: answers that are the 200" % k)
            peaks.append(rss_kib(pid))
        total = 12 * IDLE + 1
        wait_until(lambda: len(env.log_raw().splitlines()) >= total, 30,
                   "%d log lines" % total)
        last = time.time()
        seen = []

        def settled():
            seen.append(rss_kib(pid))
            return seen[-1] <= 2 * idle

        try:
            wait_until(settled, 40, "RSS within 2 x idle %d KiB (after each "
                       "burst: %s)" % (idle, peaks), step=0.25)
        finally:
            print("RSS idle %d KiB, after each burst %s, %d KiB %.1f s later"
                  % (idle, peaks, seen[-1], time.time() - last))


def test_memory_settles_under_steady_load(veil):
    """200 connections at once, each with a 48 KiB body (fewer than the
    bursts the trim after a burst waits for), then a steady trickle on
    two keep-alive connections, so veil is never idle: within 75 s the
    buffers the trickle does not need are freed and veil's anonymous
    memory is back within twice its idle figure."""
    with FaultEnv(veil, record=False) as env:
        pid = env.veil.pid
        ok_exchange(env, b"warm")
        idle = anon_kib(pid)
        body = b"x" * (48 * 1024)
        req = (b"POST /f/ok HTTP/1.1\r\nHost: a\r\nContent-Type: application/"
               b"octet-stream\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
               % len(body)) + body
        burst_all_ok(env, 200, req)
        peak = anon_kib(pid)
        check(peak > 2 * idle, "the burst left more than 2 x idle (%d KiB, idle %d KiB): "
              "nothing to give back" % (peak, idle))
        stop = threading.Event()
        failures = []

        def trickle():
            s = env.connect()
            one = request(b"/f/ok", b"tr")
            try:
                while not stop.is_set():
                    s.sendall(one)
                    got = b""
                    while not got.endswith(b"\r\n\r\nok"):
                        d = s.recv(4096)
                        if not d:
                            failures.append("closed")
                            return
                        got += d
                    stop.wait(0.1)
            finally:
                s.close()

        threads = [threading.Thread(target=trickle) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            wait_until(lambda: anon_kib(pid) <= 2 * idle, 75,
                       "anonymous memory within 2 x idle (%d KiB; %d KiB after "
                       "the burst)" % (idle, peak))
        finally:
            stop.set()
            for t in threads:
                t.join()
        eq(failures, [], "the trickle's connections")
        print("RssAnon idle %d KiB, after the burst %d KiB, settled %d KiB"
              % (idle, peak, anon_kib(pid)))


def pii_form(kib, seed):
    """A form body of about <kib> KiB whose every field holds personal
    data (an e-mail address, a card number, a phone number)."""
    parts = []
    n = 0
    while sum(len(p) + 1 for p in parts) < kib * 1024:
        parts.append(b"email%d=user.%d.%d%%40example.org&card%d=4111+1111+1111+"
                     b"1111&phone%d=%%2B1+415+555+%04d" % (n, seed, n, n, n, n % 10000))
        n += 1
    return b"&".join(parts)


def test_memory_settles_after_inspection_peak(veil):
    """64 uploads of 64 KiB forms full of personal data at once, so each
    worker inspects many bodies side by side, then a steady trickle of the
    same kind of upload, one at a time on two keep-alive connections: the
    inspection state the peak needed (each worker keeps a few redactors
    for reuse, with the buffers their biggest body grew) is freed within
    75 s, and veil's anonymous memory comes back within 2 x what it was
    with the trickle alone before the peak. (The peak is 5 to 7 times the
    trickle's figure. With the trickle alone veil came back to 1.24 to
    1.47 times that figure in six runs of two builds, and stayed above
    1.5 for the whole 75 s in one `make test` on a loaded machine: a bound
    of 1.5 x measured the trickle's own drift more than the peak's
    leftovers.)"""
    with FaultEnv(veil, record=False) as env:
        pid = env.veil.pid
        ok_exchange(env, b"warm")
        stop = threading.Event()
        failures = []
        done = [0]

        def upload(s, seed):
            body = pii_form(64, seed)
            s.sendall(request(b"/f/ok", b"tr", method=b"POST", body=body,
                              extra=b"Content-Type: application/"
                                    b"x-www-form-urlencoded\r\n"))
            got = b""
            while not got.endswith(b"\r\n\r\nok"):
                d = s.recv(4096)
                if not d:
                    raise OSError("closed")
                got += d

        def trickle(k):
            s = env.connect()
            try:
                while not stop.is_set():
                    upload(s, k)
                    done[0] += 1
                    stop.wait(0.1)
            except OSError as e:
                failures.append(str(e))
            finally:
                s.close()

        threads = [threading.Thread(target=trickle, args=(k,))
                   for k in range(2)]
        for t in threads:
            t.start()
        try:
            wait_until(lambda: done[0] >= 40, 30, "40 uploads of the trickle")
            # The trickle's own working set, once it has stopped growing.
            steady = steady_anon_kib(pid)
            req = request(b"/f/ok", b"pk", method=b"POST",
                          body=pii_form(64, 7), close=True,
                          extra=b"Content-Type: application/"
                                b"x-www-form-urlencoded\r\n")
            burst_all_ok(env, 64, req)
            peak = anon_kib(pid)
            print("RssAnon with the trickle %d KiB, after the peak %d KiB"
                  % (steady, peak))
            check(peak > 2 * steady, "the peak left more than 2 x the "
                  "trickle's (%d KiB, trickle %d KiB): nothing to give back"
                  % (peak, steady))
            wait_until(lambda: anon_kib(pid) <= 2 * steady, 75,
                       "anonymous memory within 2 x the trickle's (%d KiB; "
                       "%d KiB after the peak)" % (steady, peak))
        finally:
            stop.set()
            for t in threads:
                t.join()
        eq(failures, [], "the trickle's connections")
        print("RssAnon settled %d KiB" % anon_kib(pid))


TESTS = [test_idle_connections, test_pipelined_burst,
         test_memory_after_bursts, test_memory_settles_under_steady_load,
         test_memory_settles_after_inspection_peak]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
