#!/usr/bin/env python3
"""HTTP/1.1 conformance suite for `veil run` (issue 3, "Proxy" rules).

Starts a fake upstream (a raw-socket server on 127.0.0.1 that records every
byte it receives) and `veil run` in front of it, then sends each case of
tests/http/cases/*.case over a raw socket and checks:
  - veil's status line (and `Connection: close` plus the connection being
    closed when veil rejects a request);
  - what reached the upstream: nothing for a rejected request, or exactly
    the normalized request (request line, end-to-end headers in order with
    regenerated framing, decoded body) for an accepted one;
  - that no smuggled request (any request line holding "smuggled") ever
    reaches the upstream, in any case;
  - for upstream-response cases: the status the client gets, the body it
    gets, and that the upstream connection is dropped after a 502.

Case file format (one case per file):
    # free comment lines
    status-line: HTTP/1.1 204 No Content   exact first status line (statuses
                                veil writes itself, 400/431/501/502/505...,
                                are always checked exactly)
    status: 400                 expected status of veil's response, or a
                                list ("200 400") for pipelined requests;
                                a final status >= 400 to a request (no
                                response: section) must come with
                                Connection: close and the connection closed
    forward: 0                  number of requests the upstream must get
    request-line: GET / HTTP/1.1   first forwarded request line (optional)
    header: Host: example.com   expected forwarded header (repeatable, in
                                order; X-Forwarded-For, X-Forwarded-Proto,
                                Via and X-Request-Id are ignored). When any
                                header: line is given the list must match
                                exactly.
    body: hello                 expected decoded body at the upstream
    xff: 127.0.0.1              expected X-Forwarded-For value(s) forwarded,
                                joined with ", " (checked when given)
    responses: 2                responses the client must read (default 1)
    client-body: ok             expected body of veil's (first) response
    upstream-close: 1           upstream closes after its response
    upstream-dropped: 1         the upstream connection must be closed by veil
    body-error: 1               the request's error is in its body: veil streams,
                                so the upstream may get the head and the bytes
                                validated so far, but never a complete request,
                                and veil must drop that upstream connection
    client-aborted: 1           the response's error is in its body: the client
                                gets the head, then the connection closes
                                before the message is complete
    response:                   the raw upstream response follows (else a
    <escaped bytes...>          canned 200 with body "ok")
    request:
    <escaped bytes...>          the raw request (always the last section)

Raw sections and values use escapes: \\r \\n \\t \\0 \\xHH \\\\ ; real newlines
in the file are ignored, so a bare LF exists only where "\\n" is written.

Every case runs twice: sent whole, then "split": the request (and the
upstream's response) sent in 5-byte segments (more for big messages: at
most ~200 segments) 1 ms apart, so veil sees each
message across many reads.

Usage: run.py --veil PATH [--cases DIR] [-k SUBSTRING] [--shard I/N] [-v] [--no-split]
Prints "N passed, N failed" and exits non-zero when a case fails.
"""

import argparse
import os
import re
import select
import socket
import subprocess
import sys
import tempfile
import threading
import time

CANNED = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
CANNED_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n"
IGNORED_HEADERS = {"x-forwarded-for", "x-forwarded-proto", "via", "x-request-id"}
# Status lines veil itself writes (proxy/http/http_validate.c veil_h1_status_text).
VEIL_STATUS_LINES = {
    400: "HTTP/1.1 400 Bad Request",
    405: "HTTP/1.1 405 Method Not Allowed",
    417: "HTTP/1.1 417 Expectation Failed",
    431: "HTTP/1.1 431 Request Header Fields Too Large",
    501: "HTTP/1.1 501 Not Implemented",
    502: "HTTP/1.1 502 Bad Gateway",
    505: "HTTP/1.1 505 HTTP Version Not Supported",
}


def unescape(text):
    """Decodes the case escapes; real newlines are dropped."""
    text = text.replace("\n", "")
    out = bytearray()
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "r":
            out.append(13)
        elif nxt == "n":
            out.append(10)
        elif nxt == "t":
            out.append(9)
        elif nxt == "0":
            out.append(0)
        elif nxt == "\\":
            out.append(92)
        elif nxt == "x":
            out.append(int(text[i + 2:i + 4], 16))
            i += 2
        else:
            raise ValueError("unknown escape \\" + nxt)
        i += 2
    return bytes(out)


def load_case(path):
    case = {"name": os.path.basename(path)[:-5], "headers": [], "responses": 1,
            "forward": 0, "status": None, "response": None}
    section = None
    raw = {"request": [], "response": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if section is not None:
                if section == "response" and line == "request:":
                    section = "request"
                    continue
                raw[section].append(line)
                continue
            if line.startswith("#") or not line.strip():
                continue
            if line in ("request:", "response:"):
                section = line[:-1]
                continue
            key, _, value = line.partition(":")
            value = value.strip()
            if key == "header":
                case["headers"].append(unescape(value))
            elif key == "status":
                case["statuses"] = [int(x) for x in value.split()]
                case["status"] = case["statuses"][0]
                case.setdefault("responses_default", len(case["statuses"]))
            elif key in ("forward", "responses", "upstream-close",
                         "upstream-dropped", "body-error", "client-aborted"):
                case[key] = int(value)
            elif key in ("request-line", "body", "client-body", "status-line", "xff"):
                case[key] = unescape(value)
            else:
                raise ValueError("%s: unknown key %r" % (path, key))
    if "responses_default" in case and case["responses"] == 1:
        case["responses"] = case["responses_default"]
    case["request"] = unescape("\n".join(raw["request"]))
    if raw["response"]:
        case["response"] = unescape("\n".join(raw["response"]))
    if not case["request"] or case["status"] is None:
        raise ValueError("%s: needs status and request" % path)
    return case


def parse_message(buf, is_request, method=None):
    """Parses one message from buf (lenient, for the test's own view).
    Returns (message dict, bytes used) or None when incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    line, fields = head[0], []
    for h in head[1:]:
        name, _, value = h.partition(":")
        fields.append((name, value.strip(" \t")))
    msg = {"line": line, "headers": fields, "body": b"", "head_len": end + 4}
    pos = end + 4
    lower = {n.lower(): v for n, v in fields}
    status = None
    if not is_request:
        parts = line.split(" ")
        status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        msg["status"] = status
        if status < 200 or status in (204, 304) or method == "HEAD":
            return msg, pos
    if "chunked" in lower.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            le = buf.find(b"\r\n", pos)
            if le < 0:
                return None
            size = int(buf[pos:le].split(b";")[0].strip() or b"0", 16)
            pos = le + 2
            if size == 0:
                te = buf.find(b"\r\n\r\n", pos - 2)
                if te < 0:
                    return None
                pos = te + 4
                break
            if len(buf) < pos + size + 2:
                return None
            body += buf[pos:pos + size]
            pos += size + 2
        msg["body"] = bytes(body)
        return msg, pos
    if "content-length" in lower:
        n = int(lower["content-length"])
        if len(buf) < pos + n:
            return None
        msg["body"] = buf[pos:pos + n]
        return msg, pos + n
    if is_request:
        return msg, pos
    return None  # response until close: caller handles EOF


class Upstream:
    """A fake origin: records every request it receives, answers each."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.response = None
        self.close_after = False
        self.reset()
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def reset(self, response=None, close_after=False, split=False):
        with self.lock:
            self.split = split
            self.raw = bytearray()
            self.requests = []
            self.closed_by_peer = 0
            self.response = response
            self.close_after = close_after

    def accept_loop(self):
        while True:
            conn, _ = self.sock.accept()
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        buf = b""
        sent_continue = False
        try:
            while True:
                data = conn.recv(65536)
                if not data:
                    with self.lock:
                        self.closed_by_peer += 1
                    return
                with self.lock:
                    self.raw += data
                buf += data
                while True:
                    got = parse_message(buf, True)
                    if got is None:
                        hd = buf.find(b"\r\n\r\n")
                        if (hd >= 0 and not sent_continue and
                                b"100-continue" in buf[:hd].lower()):
                            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
                            sent_continue = True
                        break
                    msg, used = got
                    buf = buf[used:]
                    sent_continue = False
                    with self.lock:
                        self.requests.append(msg)
                        resp, close = self.response, self.close_after
                        split = self.split
                    if resp is None:
                        resp = CANNED_HEAD if msg["line"].startswith("HEAD ") else CANNED
                    send(conn, resp, split)
                    if close:
                        conn.shutdown(socket.SHUT_WR)
        except OSError:
            # veil closed or reset the connection while we were writing.
            with self.lock:
                self.closed_by_peer += 1
            return
        finally:
            conn.close()


def send(sock, data, split):
    """Sends data whole, or (split) in 5-byte segments 1 ms apart, so the
    peer sees the message across many reads."""
    if not split:
        sock.sendall(data)
        return
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # At most ~200 segments, so that a 70 KB head does not take minutes.
    step = max(5, len(data) // 200)
    for i in range(0, len(data), step):
        sock.sendall(data[i:i + step])
        time.sleep(0.001)


def free_port():
    """A port nobody listens on, for a server started after this returns.
    Drawn from below the kernel's ephemeral range (32768-60999 on Linux),
    where bind(port 0) and every outgoing connection of the tests running
    in parallel take theirs: a port from there could be taken between this
    call and the server's bind ("Address already in use")."""
    import random
    for _ in range(200):
        port = random.randint(20000, 32000)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            s.close()
        return port
    raise RuntimeError("no free port in 20000-32000")


def read_responses(sock, count, method, timeout=5.0):
    """Reads count final responses (1xx skipped). Returns (list, eof, raw)."""
    buf, out, eof = b"", [], False
    deadline = time.time() + timeout
    while len(out) < count:
        got = parse_message(buf, False, method) if buf else None
        if got is not None:
            msg, used = got
            buf = buf[used:]
            if msg["status"] >= 200 or msg["status"] == 0:
                out.append(msg)
            continue
        if eof:
            if buf:
                # A response delimited by the close.
                end = buf.find(b"\r\n\r\n")
                if end >= 0:
                    msg = parse_message(buf[:end + 4], False, "HEAD")[0]
                    msg["body"] = buf[end + 4:]
                    framed = [n for n, v in msg["headers"]
                              if n.lower() in ("content-length", "transfer-encoding")]
                    msg["truncated"] = bool(framed)
                    out.append(msg)
                    buf = b""
                    continue
            break
        left = deadline - time.time()
        if left <= 0:
            break
        r, _, _ = select.select([sock], [], [], left)
        if not r:
            break
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            eof = True
        buf += data
    return out, eof, buf


def wait_eof(sock, timeout=3.0):
    """Reads until EOF or timeout. Returns (eof seen, bytes read)."""
    deadline = time.time() + timeout
    got = b""
    while time.time() < deadline:
        r, _, _ = select.select([sock], [], [], max(0.0, deadline - time.time()))
        if not r:
            return False, got
        try:
            data = sock.recv(65536)
        except ConnectionResetError:
            return True, got
        if not data:
            return True, got
        got += data
    return False, got


def run_case(case, port, up, split):
    errors = []
    up.reset(case["response"], bool(case.get("upstream-close")), split)
    method = case["request"].lstrip(b"\r\n").split(b" ", 1)[0].decode("latin-1")
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        send(sock, case["request"], split)
        resps, eof, rest = read_responses(sock, case["responses"], method)
        extra = rest
        if not eof and resps:
            # Nothing may follow the expected responses (no smuggled reply).
            rejected = case["statuses"][-1] >= 400 and not case.get("response")
            timeout = 3.0 if rejected else 0.3
            eof, more = wait_eof(sock, timeout)
            extra += more
        if extra and resps:
            errors.append("unexpected bytes after the response: %r" % extra[:200])
        if not resps:
            errors.append("no response from veil (got %r)" % rest[:200])
        else:
            first = resps[0]
            for i, (r, want) in enumerate(zip(resps, case["statuses"])):
                if r["status"] != want:
                    errors.append("response %d: status %s, expected %d (%r)" %
                                  (i + 1, r["status"], want, r["line"]))
            for r in resps:
                want = VEIL_STATUS_LINES.get(r["status"])
                if want and r["line"] != want:
                    errors.append("status line %r, expected %r" % (r["line"], want))
            if "status-line" in case and first["line"].encode("latin-1") != case["status-line"]:
                errors.append("status line %r, expected %r" % (first["line"], case["status-line"]))
            last = resps[-1]
            conn = ",".join(v.lower() for n, v in last["headers"]
                            if n.lower() == "connection")
            if case["statuses"][-1] >= 400 and not case.get("response"):
                if "close" not in conn:
                    errors.append("reject without Connection: close")
                if not eof:
                    errors.append("connection left open after a reject")
            if "client-body" in case and first["body"] != case["client-body"]:
                errors.append("client body %r, expected %r" %
                              (first["body"][:200], case["client-body"]))
            if case.get("client-aborted") and not first.get("truncated"):
                errors.append("the response completed; expected an aborted one")
            if not case.get("client-aborted") and first.get("truncated"):
                errors.append("the response was cut short")
            if len(resps) != case["responses"]:
                errors.append("%d responses, expected %d" % (len(resps), case["responses"]))
    finally:
        sock.close()
    time.sleep(0.15)  # let anything veil forwards arrive
    with up.lock:
        reqs = list(up.requests)
        raw = bytes(up.raw)
        dropped = up.closed_by_peer
    if b"smuggled" in raw.lower():
        errors.append("a smuggled request reached the upstream: %r" % raw[:300])
    if len(reqs) != case["forward"]:
        errors.append("upstream got %d requests, expected %d (raw %r)" %
                      (len(reqs), case["forward"], raw[:300]))
    if case["forward"] == 0 and raw and not case.get("body-error"):
        errors.append("upstream received bytes: %r" % raw[:300])
    if reqs:
        r = reqs[0]
        if "request-line" in case and r["line"].encode("latin-1") != case["request-line"]:
            errors.append("request line %r, expected %r" % (r["line"], case["request-line"]))
        if case["headers"]:
            got = [("%s: %s" % (n, v)).encode("latin-1") for n, v in r["headers"]
                   if n.lower() not in IGNORED_HEADERS]
            if got != case["headers"]:
                errors.append("forwarded headers %r, expected %r" % (got, case["headers"]))
        if "xff" in case:
            xff = ", ".join(v for n, v in r["headers"] if n.lower() == "x-forwarded-for")
            if xff.encode("latin-1") != case["xff"]:
                errors.append("X-Forwarded-For %r, expected %r" % (xff, case["xff"]))
        if "body" in case and r["body"] != case["body"]:
            errors.append("forwarded body %r, expected %r" % (r["body"][:200], case["body"]))
    if case.get("upstream-dropped") or (case.get("body-error") and raw):
        deadline = time.time() + 3
        while dropped == 0 and time.time() < deadline:
            time.sleep(0.05)
            with up.lock:
                dropped = up.closed_by_peer
        if dropped == 0:
            errors.append("veil kept the upstream connection after a bad response")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--veil", required=True)
    ap.add_argument("--cases", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                    "cases"))
    ap.add_argument("-k", default="")
    ap.add_argument("--shard", default="1/1",
                    help="I/N: run every N-th case starting at the I-th, so "
                         "ctest can run N shards in parallel")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--no-split", action="store_true",
                    help="send each case whole only (default: whole, then in "
                         "5-byte segments from both the client and the upstream)")
    args = ap.parse_args()

    shard, nshards = (int(x) for x in args.shard.split("/"))
    cases = []
    names = [f for f in sorted(os.listdir(args.cases)) if f.endswith(".case") and args.k in f]
    for i, f in enumerate(names):
        if i % nshards == shard - 1:
            cases.append(load_case(os.path.join(args.cases, f)))

    up = Upstream()
    port = free_port()
    tmp = tempfile.mkdtemp(prefix="veil-http-")
    log = os.path.join(tmp, "access.log")
    errf = open(os.path.join(tmp, "stderr"), "wb")
    proc = subprocess.Popen([args.veil, "run", "--listen", "127.0.0.1:%d" % port,
                             "--upstream", "http://127.0.0.1:%d" % up.port,
                             "--access-log", log, "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=errf)
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                print("veil did not start (exit %s); stderr in %s" % (proc.poll(), tmp))
                print("0 passed, %d failed" % (2 * len(cases)))
                return 1
            time.sleep(0.05)

    runs = [(case, split) for split in ([False] if args.no_split else [False, True])
            for case in cases]
    passed = failed = 0
    try:
        for case, split in runs:
            name = case["name"] + (" (split)" if split else "")
            try:
                errors = run_case(case, port, up, split)
            except Exception as e:  # a broken case is a failure, not a crash
                errors = ["exception: %r" % e]
            if proc.poll() is not None:
                errors.append("veil exited with %s" % proc.returncode)
            if errors:
                failed += 1
                print("FAIL %s" % name)
                for e in errors:
                    print("    " + e)
                if proc.poll() is not None:
                    break
            else:
                passed += 1
                if args.v:
                    print("ok   %s" % name)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        errf.close()
    failed += len(runs) - passed - failed
    with open(os.path.join(tmp, "stderr"), "rb") as f:
        err = f.read()
    if b"Sanitizer" in err or b"runtime error:" in err:
        print("FAIL veil's stderr holds a sanitizer report:")
        print(err.decode("latin-1")[-4000:])
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
