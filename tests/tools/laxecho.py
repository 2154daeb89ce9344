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
import os
import sys

from wsframe import CLOSE, PING, PONG, TEXT, Reader, accept_key, \
    close_payload, frame

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
    os.write(fd_out, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
             b"websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
             accept_key(key) + b"\r\n\r\n")


def send(op, payload):
    os.write(fd_out, frame(op, payload, masked=False))


def valid(payload):
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def main():
    late_utf8 = "--late-utf8" in sys.argv[1:]  # after --echo, ignored
    handshake()
    frames = Reader(lambda: os.read(fd_in, 65536))
    while True:
        try:
            f = frames.frame()
        except EOFError:
            return
        if late_utf8 and f.op == TEXT and not valid(f.payload):
            send(CLOSE, close_payload(1007))
            sys.exit(5)  # wsinetd's status for a peer that broke the rules
        if f.op == CLOSE:
            send(CLOSE, f.payload)
            return
        send(PONG if f.op == PING else f.op, f.payload)


if __name__ == "__main__":
    main()
