#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 upstream for the fault suite (tests/faults).

Usage: fault_upstream.py PORT DIR [--no-record] [--tls CERT KEY]

One asyncio loop, any number of connections. Each connection's request
chooses what the upstream does: the path /f/NAME (query: parameters), or a
header `X-Fault: NAME?k=v&...`, which wins over the path. Every connection
N is recorded in DIR (unless --no-record):

  conn-N.rx    every byte received on it, appended as it arrives
  conn-N.json  written when it ends: {"n", "rx" (bytes received), "sent"
               (bytes handed to the kernel), "end" (how it ended, below),
               "requests", "t_accept", "t_end" (time.time())}

"end" is one of: peer_closed (end of stream from the peer), peer_reset
(ECONNRESET or EPIPE), self_closed (FIN by the upstream), self_reset (RST
sent by the upstream), done (finished writing, then the peer closed).
A test counts open connections as conn-*.rx files without a conn-*.json.

Behaviours (parameters in brackets, with their defaults):
  ok        200 text/plain, Content-Length, keep-alive
            [body=ok; close=0: 1 adds Connection: close and closes]
  echo      200 with the request body, the request's Content-Type
  delay     waits [ms=100], then as ok
  reset     sends the first [after=0] bytes of RESET_RESPONSE (a 200 with
            Content-Length: 100), then resets the connection (RST)
  garbage   sends GARBAGE instead of a status line, then waits for the
            peer to close
  truncated a 200 head with Content-Length [cl=1000], [n=100] body bytes,
            then a FIN
  big       Content-Length [mb=64] MiB of BLOCK bytes, written as fast as
            the peer takes them; with [pause_at=N] it stops for
            [pause_ms=500] after the first N body bytes
  endless   a chunked 200 whose chunks never end, as fast as the peer
            takes them
  drip      Content-Length [n=10] body bytes, one every [ms=100]
  sse       text/event-stream, chunked, "data: K\\n\\n" every [ms=100] for
            [s=60] seconds, then the last chunk
  never     reads the request, never answers; reads until the peer closes
  huge_headers  a 200 whose head has a field of [kb=256] KiB
  eof_body  200 without length, [n=100] bytes, then the FIN (over TLS:
            no close_notify when [notify=0])
The response heads carry no Date or Server, so they are deterministic.
"""
import asyncio
import json
import os
import socket
import ssl
import struct
import sys
import time
import urllib.parse

BLOCK = bytes(range(256)) * 256          # 64 KiB
RESET_BODY = b"r" * 100
RESET_RESPONSE = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: 100\r\n\r\n" + RESET_BODY)
GARBAGE = b"SSH-2.0-OpenSSH_9.2p1 garbage\r\n\r\n"


class Conn:
    """One upstream connection: a pump task reads everything the peer
    sends (recorded in conn-N.rx) into self.buf; the handler takes
    requests from it and writes the behaviour's answer."""

    def __init__(self, srv, n, reader, writer):
        self.srv = srv
        self.n = n
        self.reader = reader
        self.writer = writer
        self.buf = bytearray()
        self.rx = 0
        self.written = 0
        self.requests = 0
        self.peer_eof = False
        self.end = None
        self.t_accept = time.time()
        self.cond = asyncio.Condition()
        self.rxfile = None
        if srv.record:
            self.rxfile = open(srv.path("conn-%d.rx" % n), "wb",
                               buffering=0)

    # --- what the peer sends ---

    async def pump(self):
        try:
            while True:
                d = await self.reader.read(1 << 16)
                if not d:
                    self.peer_eof = True
                    if self.end is None:
                        self.end = "peer_closed"
                    break
                self.rx += len(d)
                if self.rxfile is not None:
                    self.rxfile.write(d)
                async with self.cond:
                    self.buf += d
                    self.cond.notify_all()
        except (ConnectionResetError, BrokenPipeError):
            self.peer_eof = True
            if self.end is None:
                self.end = "peer_reset"
        except (OSError, asyncio.CancelledError, ssl.SSLError):
            self.peer_eof = True
            if self.end is None:
                self.end = "peer_closed"
        async with self.cond:
            self.cond.notify_all()

    async def need(self, pred):
        """Waits until pred() holds on the buffer, or the peer closed
        (then returns False)."""
        async with self.cond:
            while not pred():
                if self.peer_eof:
                    return False
                await self.cond.wait()
        return True

    async def read_head(self):
        ok = await self.need(lambda: b"\r\n\r\n" in self.buf)
        if not ok:
            return None
        i = self.buf.index(b"\r\n\r\n") + 4
        head = bytes(self.buf[:i])
        del self.buf[:i]
        return head

    async def take(self, n):
        ok = await self.need(lambda: len(self.buf) >= n)
        if not ok:
            return None
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    async def line(self):
        ok = await self.need(lambda: b"\r\n" in self.buf)
        if not ok:
            return None
        return await self.take(self.buf.index(b"\r\n") + 2)

    async def read_body(self, fields):
        if fields.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                ln = await self.line()
                if ln is None:
                    return None
                size = int(ln.split(b";")[0].strip(), 16)
                if size == 0:
                    while True:
                        t = await self.line()
                        if t is None or t == b"\r\n":
                            return body
                data = await self.take(size + 2)
                if data is None:
                    return None
                body += data[:-2]
        if "content-length" in fields:
            return await self.take(int(fields["content-length"]))
        return b""

    # --- what the upstream sends ---

    def closing(self):
        return self.writer.transport.is_closing() or self.end is not None

    async def send(self, data):
        """Writes and waits until the kernel took it (or the peer went
        away: returns False)."""
        if self.closing():
            return False
        self.writer.write(data)
        self.written += len(data)
        try:
            await self.writer.drain()
        except (ConnectionResetError, BrokenPipeError, OSError,
                ssl.SSLError):
            if self.end is None:
                self.end = "peer_reset"
            return False
        return not self.closing()

    def sent(self):
        """Bytes handed to the kernel: written minus what still waits in
        the transport's buffer."""
        t = self.writer.transport
        try:
            left = t.get_write_buffer_size()
        except (AttributeError, RuntimeError):
            left = 0
        return self.written - left

    def reset(self):
        sock = self.writer.get_extra_info("socket")
        self.finish_sent = self.sent()
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
        self.end = self.end or "self_reset"
        self.writer.transport.abort()

    async def fin(self, notify=True):
        """Closes our side. Over TLS without notify: the TCP connection
        ends without close_notify (a truncation an attacker could make)."""
        self.finish_sent = self.sent()
        self.end = self.end or "self_closed"
        sock = self.writer.get_extra_info("socket")
        if not notify and sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.writer.transport.abort()
            return
        self.writer.close()
        try:
            await self.writer.wait_closed()
        except (OSError, ssl.SSLError):
            pass

    async def head(self, status, fields, length=None):
        h = b"HTTP/1.1 %d %s\r\n" % (status, b"OK" if status == 200
                                     else b"X")
        for k, v in fields:
            h += k + b": " + v + b"\r\n"
        if length is not None:
            h += b"Content-Length: %d\r\n" % length
        return await self.send(h + b"\r\n")

    # --- the behaviours ---

    async def serve(self):
        pump = asyncio.ensure_future(self.pump())
        try:
            while True:
                head = await self.read_head()
                if head is None:
                    break
                self.requests += 1
                again = await self.answer(head)
                if not again:
                    break
            # Keep reading until the peer closes, so the record says how
            # it ended (the pump sets end).
            if self.end is None:
                await self.need(lambda: False)
        finally:
            if self.end is None:
                self.end = "done"
            if not hasattr(self, "finish_sent"):
                self.finish_sent = self.sent()
            if not self.writer.transport.is_closing():
                self.writer.transport.abort()
            pump.cancel()
            self.srv.finished(self)

    async def answer(self, head):
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        fields = {}
        for ln in lines[1:]:
            if ":" in ln:
                k, v = ln.split(":", 1)
                fields[k.strip().lower()] = v.strip()
        u = urllib.parse.urlsplit(fields.get("x-fault") or target)
        name = u.path.rsplit("/", 1)[-1]
        q = dict(urllib.parse.parse_qsl(u.query))
        num = lambda k, d: int(q.get(k, d))  # noqa: E731
        text = [(b"Content-Type", b"text/plain")]

        if name == "never":
            await self.need(lambda: False)
            return False
        body = await self.read_body(fields)
        if body is None:
            return False

        if name in ("ok", "delay"):
            if name == "delay":
                await asyncio.sleep(num("ms", 100) / 1000.0)
            b = q.get("body", "ok").encode()
            close = q.get("close") == "1"
            f = text + ([(b"Connection", b"close")] if close else [])
            if not await self.head(200, f, len(b)) or \
                    not await self.send(b"" if method == "HEAD" else b):
                return False
            if close:
                await self.fin()
                return False
            return True
        if name == "echo":
            ct = fields.get("content-type", "text/plain").encode()
            return (await self.head(200, [(b"Content-Type", ct)], len(body))
                    and await self.send(body))
        if name == "reset":
            if num("after", 0) > 0:
                await self.send(RESET_RESPONSE[:num("after", 0)])
            self.reset()
            return False
        if name == "garbage":
            await self.send(GARBAGE)
            await self.need(lambda: False)
            return False
        if name == "truncated":
            await self.head(200, text, num("cl", 1000))
            await self.send(b"t" * num("n", 100))
            await self.fin()
            return False
        if name == "big":
            n = num("mb", 64) << 20
            if not await self.head(200, [(b"Content-Type",
                                          b"application/octet-stream")], n):
                return False
            pause_at = num("pause_at", -1)
            if pause_at >= 0:
                if not await self.send((BLOCK * (pause_at // len(BLOCK) + 1))
                                       [:pause_at]):
                    return False
                await asyncio.sleep(num("pause_ms", 500) / 1000.0)
                n -= pause_at
            left = n
            while left > 0:
                if not await self.send(BLOCK[:min(left, len(BLOCK))]):
                    return False
                left -= len(BLOCK)
            return True
        if name == "endless":
            if not await self.head(200, [(b"Content-Type",
                                          b"application/octet-stream"),
                                         (b"Transfer-Encoding",
                                          b"chunked")]):
                return False
            chunk = b"%x\r\n" % len(BLOCK) + BLOCK + b"\r\n"
            while await self.send(chunk):
                pass
            return False
        if name == "drip":
            n = num("n", 10)
            if not await self.head(200, text, n):
                return False
            for i in range(n):
                await asyncio.sleep(num("ms", 100) / 1000.0)
                if not await self.send(b"d"):
                    return False
            return True
        if name == "sse":
            if not await self.head(200, [(b"Content-Type",
                                          b"text/event-stream"),
                                         (b"Transfer-Encoding",
                                          b"chunked")]):
                return False
            end = time.time() + num("s", 60)
            k = 0
            while time.time() < end:
                ev = b"data: %d\n\n" % k
                if not await self.send(b"%x\r\n%s\r\n" % (len(ev), ev)):
                    return False
                k += 1
                await asyncio.sleep(num("ms", 100) / 1000.0)
            return await self.send(b"0\r\n\r\n")
        if name == "huge_headers":
            big = b"h" * (num("kb", 256) << 10)
            await self.head(200, text + [(b"X-Huge", big)], 2)
            await self.send(b"ok")
            await self.need(lambda: False)
            return False
        if name == "eof_body":
            await self.head(200, text)
            await self.send(b"e" * num("n", 100))
            await self.fin(notify=q.get("notify", "1") == "1")
            return False
        await self.head(404, text, 4)
        await self.send(b"nope")
        return True


class Server:
    def __init__(self, outdir, record):
        self.outdir = outdir
        self.record = record
        self.count = 0

    def path(self, name):
        return os.path.join(self.outdir, name)

    async def handle(self, reader, writer):
        self.count += 1
        c = Conn(self, self.count, reader, writer)
        await c.serve()

    def finished(self, c):
        if c.rxfile is not None:
            c.rxfile.close()
        if not self.record:
            return
        rec = {"n": c.n, "rx": c.rx, "sent": c.finish_sent, "end": c.end,
               "requests": c.requests, "t_accept": c.t_accept,
               "t_end": time.time()}
        tmp = self.path("conn-%d.json.tmp" % c.n)
        with open(tmp, "w") as f:
            json.dump(rec, f)
        os.rename(tmp, self.path("conn-%d.json" % c.n))


async def main(argv):
    port = int(argv[1])
    outdir = argv[2]
    record = "--no-record" not in argv
    ctx = None
    if "--tls" in argv:
        i = argv.index("--tls")
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(argv[i + 1], argv[i + 2])
    os.makedirs(outdir, exist_ok=True)
    srv = Server(outdir, record)
    server = await asyncio.start_server(srv.handle, "127.0.0.1", port,
                                        backlog=8192, ssl=ctx,
                                        reuse_address=True)
    # The test waits for this file, not for a probe connection, so that
    # connection 1 is veil's.
    with open(srv.path("ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv))
    except KeyboardInterrupt:
        pass
