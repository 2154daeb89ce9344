#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A deliberately low-level WebSocket peer for the tests: it sends exactly
the bytes it is told to, so the tests can speak broken protocol on purpose,
and it prints what comes back, one line per frame, until the server ends
the connection.

Steps run in order:
  --raw TEXT        send TEXT (Python escapes: \\r \\n \\xHH) as it is
  --upgrade [PATH]  send a valid upgrade request and require a 101
  --frame OP:TEXT   send one masked frame (OP: text binary ping pong close
                    cont, or a number up to 15; prefix OP with '-' for FIN=0);
                    for close, TEXT is CODE or CODE:REASON
  --frame-hex HEX   send these bytes as they are
  --raw-repeat N:TEXT  send TEXT N times (for blocks too big for argv)
  --ping-flood N    send N masked pings ("p" and a counter) in one go
  --answer-pings SECS  for SECS, read frames, answer each ping with its
                    pong and print it as "ping: ..." (other frames too)
  --push BYTES:SIZE:PAUSE  send binary messages of SIZE bytes, BYTES
                    in all, without reading; stop when a send stalls for a
                    second; print "pushed N bytes" and "stalled" or "all";
                    wait PAUSE seconds, then read the echoes of all it
                    sent and print "echoed N bytes"
  --shut-wr         shut down our sending side (a TCP half-close)
  --trickle SECS    send later --raw steps a byte at a time, SECS apart
  --sleep SECS      wait
  --vanish          close the socket now, without a close frame
Then it reads until EOF (or --timeout) and prints either the HTTP answer
(when the handshake was not completed) or one line per frame: "text: ...",
"binary: N bytes", "ping: ...", "close: CODE REASON", and finally "eof"
or "timeout".
"""
import argparse
import base64
import os
import select
import socket
import sys
import time

from wsframe import (BINARY, CLOSE, OPNAMES, PING, PONG, accept_key,
                     close_payload, describe, frame, head, read_head,
                     take)

OPS = {name: op for op, name in OPNAMES.items()}


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def frame_spec(spec):
    """The frame of a --frame OP:TEXT step."""
    opname, _, text = spec.partition(":")
    fin = True
    if opname.startswith("-"):
        fin, opname = False, opname[1:]
    op = OPS[opname] if opname in OPS else int(opname, 0)
    if op == CLOSE and text:
        code, _, reason = text.partition(":")
        payload = close_payload(int(code), unescape(reason))
    else:
        payload = unescape(text)
    return frame(op, payload, fin)


def line(f):
    """What we print for a frame from the server."""
    return "masked frame from server" if f.key else describe(f.op, f.payload)


def answer_pings(sock, data, secs):
    """Reads for secs into the bytearray data, answering pings."""
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            chunk = None
        if chunk == b"":
            print("eof while answering pings")
            return
        data += chunk or b""
        while (f := take(data)) is not None:
            if f.op == PING and not f.key:
                sock.sendall(frame(PONG, f.payload))
                print("ping: " + f.payload.decode("utf-8", "replace"))
            else:
                print(line(f))


def push(sock, spec):
    """Sends binary messages without reading until a send stalls for a
    second, pauses (the test looks at the server meanwhile), then reads
    the echoes of all it sent while finishing the message it was in."""
    total, size, pause = spec.split(":")
    total, size = int(total), int(size)
    msg = frame(BINARY, os.urandom(size))
    sock.setblocking(False)
    whole, off, end = 0, 0, "all"
    while whole * size < total:
        if not select.select([], [sock], [], 1)[1]:
            end = "stalled"
            break
        off += sock.send(msg[off:])
        if off == len(msg):
            whole, off = whole + 1, 0
    print("pushed %d bytes" % (whole * size + (size if off else 0)))
    print(end, flush=True)
    time.sleep(float(pause))
    want = (whole + (1 if off else 0)) * size
    got, data = 0, bytearray()
    while off or got < want:
        r, w, _ = select.select([sock], [sock] if off else [], [], 10)
        if not r and not w:
            print("no echo for 10 s")
            break
        if w:
            off += sock.send(msg[off:])
            off = 0 if off == len(msg) else off
        if r:
            chunk = sock.recv(1 << 20)
            if not chunk:
                print("eof while reading echoes")
                break
            data += chunk
            # Counted, not copied: the echoes run to megabytes.
            while (h := head(data)) is not None:
                at, n = h
                got += n if data[0] & 15 == BINARY else 0
                del data[:at + n]
    print("echoed %d bytes" % got)
    sock.setblocking(True)


def ping_flood(sock, count):
    sock.sendall(b"".join(frame(PING, b"p%d" % i) for i in range(count)))


def upgrade(sock, path):
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
                 b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: " + key + b"\r\n"
                 b"Sec-WebSocket-Version: 13\r\n\r\n")
    head, rest = read_head(sock)
    if rest is None:
        sys.exit("wsraw: no 101 answer: %r" % head)
    if not head.startswith(b"HTTP/1.1 101 ") or accept_key(key) not in head:
        sys.exit("wsraw: bad 101 answer: %r" % head)
    return rest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--timeout", type=float, default=10)
    args, steps = ap.parse_known_args()
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    opened, pending, trickle = False, bytearray(), None
    i = 0
    try:
        while i < len(steps):
            step = steps[i]
            arg = steps[i + 1] if i + 1 < len(steps) else ""
            i += 2
            if step == "--raw":
                data = unescape(arg)
                if trickle:
                    for b in data:
                        sock.sendall(bytes([b]))
                        time.sleep(trickle)
                else:
                    sock.sendall(data)
            elif step == "--raw-repeat":
                count, _, text = arg.partition(":")
                sock.sendall(unescape(text) * int(count))
            elif step == "--ping-flood":
                ping_flood(sock, int(arg))
            elif step == "--answer-pings":
                answer_pings(sock, pending, float(arg))
                sock.settimeout(args.timeout)
            elif step == "--push":
                push(sock, arg)
                sock.settimeout(args.timeout)
            elif step == "--shut-wr":
                sock.shutdown(socket.SHUT_WR)
                i -= 1
            elif step == "--trickle":
                trickle = float(arg)
            elif step == "--upgrade":
                if not arg.startswith("/"):
                    arg, i = "/", i - 1
                pending = bytearray(upgrade(sock, arg))
                opened = True
            elif step == "--frame":
                sock.sendall(frame_spec(arg))
            elif step == "--frame-hex":
                sock.sendall(bytes.fromhex(arg))
            elif step == "--sleep":
                time.sleep(float(arg))
            elif step == "--vanish":
                sock.close()
                return
            else:
                sys.exit("wsraw: unknown step " + step)
    except (BrokenPipeError, ConnectionResetError) as e:
        print("send failed: " + e.__class__.__name__)
    data, end = pending, "eof"
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        end = "timeout"
    except ConnectionResetError:
        end = "reset"
    if opened:
        while (f := take(data)) is not None:
            print(line(f))
        if data:
            print("partial frame: %d bytes" % len(data))
    else:
        sys.stdout.write(data.decode("latin-1"))
    print(end)


if __name__ == "__main__":
    main()
