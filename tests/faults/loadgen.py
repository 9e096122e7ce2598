#!/usr/bin/env python3
"""Background load for the fault suite: K keep-alive connections, each
sending GET PATH and reading the response (Content-Length framed), again
and again, as fast as veil answers, until killed. Exits 1 if a connection
ends or an answer is not a 200.

Usage: loadgen.py PORT K PATH
"""
import selectors
import socket
import sys


def main():
    port, k, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
    req = b"GET " + path + b" HTTP/1.1\r\nHost: load.test\r\n\r\n"
    sel = selectors.DefaultSelector()
    for _ in range(k):
        s = socket.create_connection(("127.0.0.1", port))
        s.setblocking(False)
        s.sendall(req)
        sel.register(s, selectors.EVENT_READ, bytearray())
    while True:
        for key, _ in sel.select():
            s, buf = key.fileobj, key.data
            d = s.recv(1 << 16)
            if not d:
                sys.exit(1)
            buf += d
            i = buf.find(b"\r\n\r\n")
            if i < 0:
                continue
            head = bytes(buf[:i]).lower()
            if not head.startswith(b"http/1.1 200 "):
                sys.exit(1)
            cl = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
            if len(buf) - i - 4 >= cl:
                del buf[:i + 4 + cl]
                s.sendall(req)


if __name__ == "__main__":
    main()
