"""A small in-process HTTP/1.1 upstream for test_limits.py and
test_resolve.py: it binds any address (127.0.0.2, ::1), keeps every byte
each connection sent, in order, and names itself in its answers, so a
test knows which upstream, and which of its connections, served a
request.

Answers, by path:
  /bye          200 "<name>:<conn>" with Connection: close, then closes
  /early        a chunked 200 head and one chunk sent as soon as the head
                is read, before the body; then reads until the peer closes
  anything else 200 "<name>:<conn>", keep-alive, after reading the body
"""
import socket
import threading


class MiniUpstream:
    def __init__(self, name, host="127.0.0.1", port=0):
        fam = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.name = name
        self.ls = socket.socket(fam, socket.SOCK_STREAM)
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind((host, port))
        self.ls.listen(64)
        self.port = self.ls.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []          # bytes received, one entry per connection
        self.closed = []         # connection numbers the peer closed
        self.stopping = False
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self):
        self.stopping = True
        try:
            self.ls.close()
        except OSError:
            pass

    def received(self):
        with self.lock:
            return [bytes(c) for c in self.conns]

    def total_bytes(self):
        with self.lock:
            return sum(len(c) for c in self.conns)

    def _accept(self):
        while not self.stopping:
            try:
                s, _ = self.ls.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(bytearray())
                num = len(self.conns)
            threading.Thread(target=self._serve, args=(s, num),
                             daemon=True).start()

    def _serve(self, s, num):
        buf = bytearray()

        def fill():
            d = s.recv(65536)
            if not d:
                raise EOFError
            with self.lock:
                self.conns[num - 1] += d
            buf.extend(d)

        def take(n):
            while len(buf) < n:
                fill()
            out = bytes(buf[:n])
            del buf[:n]
            return out

        def line():
            while b"\r\n" not in buf:
                fill()
            return take(buf.index(b"\r\n") + 2)

        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    fill()
                head = take(buf.index(b"\r\n\r\n") + 4)
                path = head.split(b" ")[1].split(b"?")[0]
                fields = {}
                for ln in head.split(b"\r\n")[1:]:
                    if b":" in ln:
                        k, v = ln.split(b":", 1)
                        fields[k.strip().lower()] = v.strip()
                if path == b"/early":
                    s.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: "
                              b"chunked\r\n\r\n5\r\nhello\r\n")
                    while True:
                        fill()
                if fields.get(b"transfer-encoding") == b"chunked":
                    while True:
                        size = int(line().split(b";")[0], 16)
                        if size == 0:
                            while line() != b"\r\n":
                                pass
                            break
                        take(size + 2)
                elif b"content-length" in fields:
                    take(int(fields[b"content-length"]))
                body = ("%s:%d" % (self.name, num)).encode()
                close = path == b"/bye"
                s.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                          b"Content-Length: %d\r\n%s\r\n" %
                          (len(body), b"Connection: close\r\n" if close
                           else b"") + body)
                if close:
                    s.close()
                    return
        except (EOFError, OSError):
            with self.lock:
                self.closed.append(num)
            try:
                s.close()
            except OSError:
                pass
