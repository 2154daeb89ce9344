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
import sys
import threading
import time

from wsframe import BINARY, CLOSE, TEXT, Reader, close_payload, frame, \
    parse_close, read_head


def payload(i, size, text):
    if text:
        # 2- and 3-byte characters, padded with ASCII to the exact size.
        unit = "é€".encode()
        data = unit * (size // len(unit))
        return data + b"a" * (size - len(data))
    block = bytes((i * 7 + j * 13) & 0xFF for j in range(4096))
    return (block * (size // 4096 + 1))[:size]


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
    head, data = read_head(sock)
    if data is None or not head.startswith(b"HTTP/1.1 101"):
        print("no 101:", head.split(b"\r\n")[0].decode())
        return 1
    op = TEXT if a.text else BINARY
    msgs = [payload(i, n, a.text) for i, n in enumerate(a.sizes)]

    def send():
        try:
            for m in msgs:
                sock.sendall(frame(op, m))
            sock.sendall(frame(CLOSE, close_payload(1000)))
        except OSError:
            pass  # the server failed the connection; the reader says why

    t = threading.Thread(target=send)
    t.start()
    time.sleep(a.read_delay)
    r = Reader(lambda: sock.recv(1 << 20), data)
    try:
        for m in msgs:
            f = r.frame()
            if f.op == op and f.payload == m:
                print("ok", len(m))
            else:
                print("bad", len(m), "opcode", f.op, "length", len(f.payload))
                break
        f = r.frame()
        print("close:", parse_close(f.payload)[0] if f.op == CLOSE else f.op)
    except (EOFError, ConnectionResetError):
        print("eof")
    t.join()
    return 0


sys.exit(main())
