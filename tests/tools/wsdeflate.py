#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A permessage-deflate client for the tests: it offers what it is told,
prints the answer's Sec-WebSocket-Extensions, sends compressed messages
(well formed or not) with the agreed parameters, and prints what comes
back, inflated, one line per frame.

  wsdeflate.py PORT [--offer VALUE] [--header LINE]... STEP...

--offer VALUE (default "permessage-deflate"; "" offers nothing). Then:
  --send TEXT         a compressed text message (one frame, RSV1)
  --send-plain TEXT   an uncompressed text message
  --fragmented TEXT   a compressed text message in three frames
  --rsv1-ping         a ping with RSV1 set
  --rsv1-cont TEXT    a compressed message whose continuation has RSV1
  --garbage           a compressed message that is not deflate data
  --exact N           a compressed binary message of N bytes of zeros
  --bomb N            the same, for a message meant to be far too big;
                      prints "sent N bytes in one frame", and after the
                      server's close "close came after N ms"
  --close             a close frame, 1000
  --hold              after the server's close frame, wait for a line
                      on stdin before answering it (so a test can look
                      at the server meanwhile)
First line: "extensions: VALUE" or "extensions: none". Then per frame
"text: ..." or "binary: N bytes", with " (compressed)" after a
compressed one; "close: CODE REASON"; "eof" or "timeout" at the end. A
server frame that cannot be inflated ends it with "inflate failed".
"""
import argparse
import base64
import os
import socket
import sys
import time
import zlib

from wsframe import (BINARY, CLOSE, CONT, PING, RSV1, TEXT, Deflater,
                     Inflater, Reader, accept_key, close_payload,
                     deflate_zeros, describe, frame, pmd_params, read_head)


def handshake(sock, offer, headers):
    key = base64.b64encode(os.urandom(16))
    req = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\nSec-WebSocket-Key: " + key +
           b"\r\nSec-WebSocket-Version: 13\r\n")
    if offer:
        req += b"Sec-WebSocket-Extensions: " + offer.encode() + b"\r\n"
    for h in headers:
        req += h.encode() + b"\r\n"
    sock.sendall(req + b"\r\n")
    head, rest = read_head(sock)
    if rest is None:
        sys.exit("wsdeflate: no answer: %r" % head)
    if not head.startswith(b"HTTP/1.1 101 ") or accept_key(key) not in head:
        sys.exit("wsdeflate: bad answer: %r" % head)
    ext = None
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-extensions":
            ext = value.strip().decode()
    return ext, rest


class Peer:
    def __init__(self, sock, ext):
        self.sock = sock
        self.sent_at, self.bomb = None, False
        p = pmd_params(ext) or {}
        self.on = ext is not None
        self.tx = Deflater(p.get("client_max_window_bits", 15),
                           "client_no_context_takeover" in p)
        self.rx = Inflater(p.get("server_max_window_bits", 15),
                           "server_no_context_takeover" in p)

    def send(self, op, payload, fin=True, rsv=0):
        self.sock.sendall(frame(op, payload, fin, rsv))

    def compressed(self, op, data):
        self.send(op, self.tx.message(data), rsv=RSV1)


def step(peer, name, arg):
    if name == "--send":
        peer.compressed(TEXT, arg.encode())
    elif name == "--send-plain":
        peer.send(TEXT, arg.encode())
    elif name == "--fragmented":
        z = peer.tx.message(arg.encode())
        a, b = len(z) // 3, 2 * len(z) // 3
        peer.send(TEXT, z[:a], fin=False, rsv=RSV1)
        peer.send(CONT, z[a:b], fin=False)
        peer.send(CONT, z[b:])
    elif name == "--rsv1-ping":
        peer.send(PING, b"p", rsv=RSV1)
    elif name == "--rsv1-cont":
        z = peer.tx.message(arg.encode())
        peer.send(TEXT, z[:1], fin=False, rsv=RSV1)
        peer.send(CONT, z[1:], rsv=RSV1)
    elif name == "--garbage":
        peer.send(BINARY, b"\xff\xff\xff\xff\xff", rsv=RSV1)
    elif name in ("--exact", "--bomb"):
        z = deflate_zeros(int(arg))
        peer.sent_at = time.monotonic()
        peer.send(BINARY, z, rsv=RSV1)
        if name == "--bomb":
            print("sent %d bytes in one frame" % len(z), flush=True)
            peer.bomb = True
    elif name == "--close":
        peer.send(CLOSE, close_payload(1000))
    else:
        sys.exit("wsdeflate: unknown step " + name)


def read_all(peer, reader, hold):
    while True:
        try:
            f = reader.frame()
        except EOFError:
            print("eof")
            return
        except socket.timeout:
            print("timeout")
            return
        payload, mark = f.payload, ""
        if f.rsv & RSV1:
            try:
                payload, mark = peer.rx.message(payload), " (compressed)"
            except zlib.error:
                print("inflate failed")
                return
        print(describe(f.op, payload) + mark, flush=True)
        if f.op == CLOSE and peer.bomb:
            print("close came after %d ms" %
                  ((time.monotonic() - peer.sent_at) * 1000), flush=True)
        if f.op == CLOSE:
            if hold:
                sys.stdin.readline()
            try:
                peer.send(CLOSE, payload[:2])
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--offer", default="permessage-deflate")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--timeout", type=float, default=5)
    ap.add_argument("--hold", action="store_true")
    args, steps = ap.parse_known_args()
    sock = socket.create_connection(("127.0.0.1", args.port),
                                    timeout=args.timeout)
    ext, rest = handshake(sock, args.offer, args.header)
    print("extensions: " + (ext if ext is not None else "none"), flush=True)
    peer = Peer(sock, ext)
    i = 0
    try:
        while i < len(steps):
            name = steps[i]
            takes = name not in ("--rsv1-ping", "--garbage", "--close")
            step(peer, name, steps[i + 1] if takes else None)
            i += 2 if takes else 1
    except (BrokenPipeError, ConnectionResetError) as e:
        print("send failed: " + e.__class__.__name__)
    read_all(peer, Reader(lambda: sock.recv(65536),
                          rest), args.hold)


if __name__ == "__main__":
    main()
