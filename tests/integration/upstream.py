#!/usr/bin/env python3
"""A scripted HTTP/1.1 upstream for the integration tests.

Raw sockets, one thread per connection. Every request it reads is recorded
byte for byte (head and body exactly as received, chunked framing included)
in DIR/req-<seq>.bin, with DIR/req-<seq>.conn holding the connection
number, so a test can assert what the upstream saw and on which connection.

The response depends on the path (query ignored):
  /json       200 JSON with PII, Content-Length
  /echo       200 echoing the request body (Content-Type kept); also
              /echo/<anything>
  /chunked    200 the body as three chunks
  /gzip       200 gzip-compressed JSON with PII
  /eof        200 without length, ends with the close
  /slow       sleeps ?ms=N (default 3000) before answering
  /slowbody   sends the head, then stalls mid-body for ?ms=N
  /continue   sends 100 Continue before reading the body, then echoes
  /early      answers 413 without reading the body, then closes
  /stall      reads the head, never the body; closes after ?ms=N
  /close      200 with Connection: close, then closes
  /once       200 without Connection: close, then closes anyway
  /bad        a malformed response head
  /reset      closes without answering
  /204, /304  those statuses
  /103        an interim 103 Early Hints, then 200
  /big        ?mb=N MiB of binary body (default 64)
  /count      answers the size of the request body
  /br         a body labelled Content-Encoding: br (not decodable by veil)
  /badgzip    a corrupt gzip body
  /deflate    a raw-deflate body labelled deflate
  /ws         101 to an upgrade, then echoes raw bytes upper-cased
  /sse        200 text/event-stream echoing the request body as one event,
              each byte its own chunk and its own write (a stream cut
              at every byte)
  /hdr        200 whose fields carry PII: X-Contact (an e-mail), X-Card
              (a card number), Set-Cookie (an e-mail in a cookie)
  /hdrecho    200 whose fields are the request's X-Echo-<name> fields,
              each as x-<name> (lower case) with its value as it came
No Date or Server header is sent, so responses are deterministic.
"""
import gzip
import os
import socket
import sys
import threading
import time
import urllib.parse

PII_JSON = (b'{"user":"canary.4f9c@example.org","card":"4111111111111111",'
            b'"ssn":"123-45-6789","note":"ok"}')


class Conn:
    def __init__(self, sock, num, outdir, counter):
        self.s = sock
        self.num = num
        self.buf = b""
        self.outdir = outdir
        self.counter = counter

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError
        self.buf += d

    def read_until(self, sep):
        while sep not in self.buf:
            self.fill()
        i = self.buf.index(sep) + len(sep)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out

    def read_n(self, n):
        parts, have = [self.buf], len(self.buf)
        while have < n:
            d = self.s.recv(1 << 20)
            if not d:
                raise EOFError
            parts.append(d)
            have += len(d)
        data = b"".join(parts)
        out, self.buf = data[:n], data[n:]
        return out

    def read_body(self, head):
        lines = head.split(b"\r\n")
        hdrs = {}
        for ln in lines[1:]:
            if b":" in ln:
                k, v = ln.split(b":", 1)
                hdrs[k.strip().lower()] = v.strip()
        raw = b""
        body = b""
        if hdrs.get(b"transfer-encoding", b"").lower() == b"chunked":
            while True:
                line = self.read_until(b"\r\n")
                raw += line
                size = int(line.split(b";")[0].strip(), 16)
                if size == 0:
                    while True:
                        t = self.read_until(b"\r\n")
                        raw += t
                        if t == b"\r\n":
                            break
                    break
                data = self.read_n(size + 2)
                raw += data
                body += data[:-2]
        elif b"content-length" in hdrs:
            body = self.read_n(int(hdrs[b"content-length"]))
            raw = body
        return hdrs, raw, body

    def record(self, data):
        # Under the lock, the connection number first and the request last,
        # under its final name in one rename: the harness polls
        # req-*.bin while requests arrive (harness.requests()), and must
        # find every file up to the count it sees, each whole, with its
        # .conn (it read a req-N.bin whose .conn was not written yet, and
        # could have met req-N+1 before req-N from another connection).
        with self.counter[1]:
            self.counter[0] += 1
            seq = self.counter[0]
            with open(os.path.join(self.outdir, "req-%d.conn" % seq), "w") as f:
                f.write(str(self.num))
            tmp = os.path.join(self.outdir, "req-%d.bin.part" % seq)
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, os.path.join(self.outdir, "req-%d.bin" % seq))

    def send(self, status, reason, headers, body=b"", length=True):
        h = "HTTP/1.1 %d %s\r\n" % (status, reason)
        for k, v in headers:
            h += "%s: %s\r\n" % (k, v)
        if length:
            h += "Content-Length: %d\r\n" % len(body)
        h += "\r\n"
        self.s.sendall(h.encode() + body)

    def serve(self):
        while True:
            try:
                head = self.read_until(b"\r\n\r\n")
            except (EOFError, OSError):
                return
            first = head.split(b"\r\n", 1)[0].decode()
            method, target, _ = first.split(" ")
            u = urllib.parse.urlsplit(target)
            q = dict(urllib.parse.parse_qsl(u.query))
            path = u.path
            if path == "/continue":
                self.s.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            if path == "/stall":
                # Never reads the body: veil must not wait forever.
                self.record(head)
                time.sleep(int(q.get("ms", "5000")) / 1000.0)
                self.s.close()
                return
            if path == "/early":
                self.record(head)
                self.send(413, "Content Too Large",
                          [("Content-Type", "application/json"),
                           ("Connection", "close")], b'{"error":"big"}')
                self.s.close()
                return
            try:
                hdrs, raw, body = self.read_body(head)
            except (EOFError, OSError):
                self.record(head)  # what arrived of a cut request
                return
            self.record(head + raw)
            if not self.respond(method, path, q, hdrs, body):
                return

    def respond(self, method, path, q, hdrs, body):
        s = self.s
        if path == "/json":
            self.send(200, "OK", [("Content-Type", "application/json")],
                      b"" if method == "HEAD" else PII_JSON, method != "HEAD")
            if method == "HEAD":
                return True
        elif path in ("/echo", "/continue") or path.startswith("/echo/"):
            ct = hdrs.get(b"content-type", b"text/plain").decode()
            self.send(200, "OK", [("Content-Type", ct)], body)
        elif path == "/chunked":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n"
                      b"5;ext=1\r\nhello\r\n"
                      b"19\r\n canary.4f9c@example.org \r\n"
                      b"3\r\nend\r\n0\r\nX-Trailer: t\r\n\r\n")
        elif path == "/gzip":
            z = gzip.compress(PII_JSON, mtime=0)
            self.send(200, "OK", [("Content-Type", "application/json"),
                                  ("Content-Encoding", "gzip")], z)
        elif path == "/eof":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Connection: close\r\n\r\nuntil the end")
            s.close()
            return False
        elif path == "/slow":
            time.sleep(int(q.get("ms", "3000")) / 1000.0)
            self.send(200, "OK", [("Content-Type", "text/plain")], b"slow")
        elif path == "/slowbody":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                      b"Content-Length: 10\r\n\r\nhalf")
            time.sleep(int(q.get("ms", "3000")) / 1000.0)
            try:
                s.sendall(b"-later")
            except OSError:
                pass
        elif path == "/close":
            self.send(200, "OK", [("Content-Type", "text/plain"),
                                  ("Connection", "close")], b"bye")
            s.close()
            return False
        elif path == "/once":
            # Keep-alive in words only: closes right after the response.
            self.send(200, "OK", [("Content-Type", "text/plain")], b"once")
            s.close()
            return False
        elif path == "/bad":
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\nabc")
        elif path == "/reset":
            s.close()
            return False
        elif path == "/103":
            s.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n")
            self.send(200, "OK", [("Content-Type", "text/plain")], b"hinted")
        elif path == "/br":
            self.send(200, "OK", [("Content-Type", "application/json"),
                                  ("Content-Encoding", "br")], PII_JSON)
        elif path == "/badgzip":
            self.send(200, "OK", [("Content-Type", "application/json"),
                                  ("Content-Encoding", "gzip")],
                      b"\x1f\x8b\x08\x00garbage" + PII_JSON)
        elif path == "/deflate":
            import zlib
            c = zlib.compressobj(wbits=-15)
            z = c.compress(PII_JSON) + c.flush()
            self.send(200, "OK", [("Content-Type", "application/json"),
                                  ("Content-Encoding", "deflate")], z)
        elif path == "/big":
            n = int(q.get("mb", "64")) * 1024 * 1024
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/"
                      b"octet-stream\r\nContent-Length: %d\r\n\r\n" % n)
            block = bytes(range(256)) * 256
            sent = 0
            try:
                while sent < n:
                    s.sendall(block)
                    sent += len(block)
            except OSError:
                return False
        elif path == "/count":
            # Reads the body slowly (backpressure on veil), answers its size.
            n = len(body)
            self.send(200, "OK", [("Content-Type", "text/plain")],
                      str(n).encode())
        elif path == "/sse":
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n")
            for c in b"data: " + body + b"\n\n":
                s.sendall(b"1\r\n" + bytes([c]) + b"\r\n")
                time.sleep(0.001)
            s.sendall(b"0\r\n\r\n")
        elif path == "/hdr":
            self.send(200, "OK", [("Content-Type", "text/plain"),
                                  ("X-Contact", "ops.hdr@example.com"),
                                  ("X-Card", "4111 1111 1111 1111"),
                                  ("Set-Cookie", "who=ops.cookie@example.com")],
                      b"ok")
        elif path == "/hdrecho":
            echo = [("x-" + k[7:].decode(), v.decode()) for k, v in hdrs.items()
                    if k.startswith(b"x-echo-")]
            self.send(200, "OK", [("Content-Type", "text/plain")] + echo, b"ok")
        elif path == "/204":
            s.sendall(b"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n")
        elif path == "/304":
            s.sendall(b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n")
        elif path == "/ws":
            s.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                      b"Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
            data = self.buf
            self.buf = b""
            while True:
                if data:
                    s.sendall(data.upper())
                try:
                    data = s.recv(65536)
                except OSError:
                    return False
                if not data:
                    s.close()
                    return False
        else:
            self.send(404, "Not Found", [("Content-Type", "text/plain")],
                      b"nope")
        return True


def main():
    port = int(sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(128)
    counter = [0, threading.Lock()]
    n = 0
    with open(os.path.join(outdir, "ready"), "w") as f:
        f.write("1")
    while True:
        s, _ = ls.accept()
        n += 1
        c = Conn(s, n, outdir, counter)
        threading.Thread(target=c.serve, daemon=True).start()


if __name__ == "__main__":
    main()
