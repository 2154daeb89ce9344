#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Bulk echo check: sends messages of the given sizes to an echo server
from one thread while another reads, optionally waiting before it starts
reading so that the server's output backs up, and checks that every
message comes back whole, in order, with its opcode. Prints one line per
message ("ok SIZE", or "bad ..." and no more), then "close: CODE" or
"eof".

usage: wsbulk.py PORT [--host H] [--read-delay SECS] [--text] SIZE...
"""
import argparse
import base64
import os
import socket
import struct
import sys
import threading
import time


def payload(i, size, text):
    if text:
        # 2- and 3-byte characters, padded with ASCII to the exact size.
        unit = "é€".encode()
        data = unit * (size // len(unit))
        return data + b"a" * (size - len(data))
    block = bytes((i * 7 + j * 13) & 0xFF for j in range(4096))
    return (block * (size // 4096 + 1))[:size]


def frame(op, data):
    mask = os.urandom(4)
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", 0x80 | op, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | op, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | op, 0x80 | 127, n)
    m = int.from_bytes(mask * (n // 4 + 1), "little").to_bytes((n // 4 + 1) * 4, "little")[:n]
    body = (int.from_bytes(data, "little") ^ int.from_bytes(m, "little")).to_bytes(n, "little") if n else b""
    return head + mask + body


class Reader:
    def __init__(self, sock):
        self.sock, self.buf = sock, b""

    def need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self):
        b0, b1 = self.need(2)
        n = b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self.need(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self.need(8))
        return b0 & 0x0F, self.need(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--read-delay", type=float, default=0)
    ap.add_argument("--text", action="store_true")
    ap.add_argument("sizes", type=int, nargs="+")
    a = ap.parse_args()
    sock = socket.create_connection((a.host, a.port), timeout=20)
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        (
            "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n" % key
        ).encode()
    )
    r = Reader(sock)
    while b"\r\n\r\n" not in r.buf:
        r.buf += sock.recv(4096)
    head, r.buf = r.buf.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        print("no 101:", head.split(b"\r\n")[0].decode())
        return 1
    op = 1 if a.text else 2
    msgs = [payload(i, n, a.text) for i, n in enumerate(a.sizes)]

    def send():
        try:
            for m in msgs:
                sock.sendall(frame(op, m))
            sock.sendall(frame(8, struct.pack("!H", 1000)))
        except OSError:
            pass  # the server failed the connection; the reader says why

    t = threading.Thread(target=send)
    t.start()
    time.sleep(a.read_delay)
    try:
        for m in msgs:
            got_op, got = r.frame()
            if got_op == op and got == m:
                print("ok", len(m))
            else:
                print("bad", len(m), "opcode", got_op, "length", len(got))
                break
        got_op, got = r.frame()
        print("close:", struct.unpack("!H", got[:2])[0] if got_op == 8 else got_op)
    except (EOFError, ConnectionResetError):
        print("eof")
    t.join()
    return 0


sys.exit(main())
