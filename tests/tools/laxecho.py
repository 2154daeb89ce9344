#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A careless echo server on stdin/stdout, started the way inetd starts
wsinetd: it answers any request with a 101, echoes every frame's payload
with the same opcode, and answers a close with a close. It checks
nothing (not UTF-8, not reserved bits, not masks): the conformance
suite must fail it, which shows the suite can fail at all. With
--late-utf8 it checks the UTF-8 of each text frame once the whole frame
is in, and fails the connection with 1007: right, but not fail-fast, so
the suite must call it NON-STRICT."""
import base64
import hashlib
import os
import struct
import sys

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()


def read(n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd_in, n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def handshake():
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += read(1)
    key = [ln.split(b":", 1)[1].strip() for ln in head.split(b"\r\n")
           if ln.lower().startswith(b"sec-websocket-key:")][0]
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    os.write(fd_out, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
             b"websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
             accept + b"\r\n\r\n")


def frame():
    b0, b1 = read(2)
    n = b1 & 127
    if n == 126:
        n = struct.unpack("!H", read(2))[0]
    elif n == 127:
        n = struct.unpack("!Q", read(8))[0]
    key = read(4) if b1 & 0x80 else b"\0\0\0\0"
    payload = bytes(b ^ key[i % 4] for i, b in enumerate(read(n)))
    return b0 & 15, payload


def send(op, payload):
    n = len(payload)
    head = struct.pack("!BB", 0x80 | op, n) if n < 126 else \
        struct.pack("!BBH", 0x80 | op, 126, n) if n < 65536 else \
        struct.pack("!BBQ", 0x80 | op, 127, n)
    os.write(fd_out, head + payload)


def valid(payload):
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def main():
    late_utf8 = "--late-utf8" in sys.argv[1:]  # after --echo, ignored
    handshake()
    while True:
        op, payload = frame()
        if late_utf8 and op == 1 and not valid(payload):
            send(8, struct.pack("!H", 1007))
            sys.exit(5)  # wsinetd's status for a peer that broke the rules
        if op == 8:
            send(8, payload)
            return
        send(10 if op == 9 else op, payload)


if __name__ == "__main__":
    main()
