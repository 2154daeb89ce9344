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
                    cont, or a number; prefix OP with '-' for FIN=0);
                    for close, TEXT is CODE or CODE:REASON
  --frame-hex HEX   send these bytes as they are
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
import hashlib
import os
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OPS = {"cont": 0, "text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10}


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def frame(spec):
    opname, _, text = spec.partition(":")
    fin = 0x80
    if opname.startswith("-"):
        fin, opname = 0, opname[1:]
    op = OPS[opname] if opname in OPS else int(opname, 0)
    if op == 8 and text:
        code, _, reason = text.partition(":")
        payload = struct.pack("!H", int(code)) + unescape(reason)
    else:
        payload = unescape(text)
    mask = os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", fin | op, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", fin | op, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", fin | op, 0x80 | 127, n)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + mask + body


def upgrade(sock, path):
    key = base64.b64encode(os.urandom(16))
    sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
                 b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: " + key + b"\r\n"
                 b"Sec-WebSocket-Version: 13\r\n\r\n")
    want = base64.b64encode(hashlib.sha1(key + GUID).digest())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit("wsraw: no 101 answer: %r" % data)
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101 ") or want not in head:
        sys.exit("wsraw: bad 101 answer: %r" % head)
    return rest


def frames(data):
    """Yields printable lines for whole frames; returns leftover bytes."""
    out = []
    while len(data) >= 2:
        op, n = data[0] & 15, data[1] & 127
        at = 2
        if n == 126:
            if len(data) < 4:
                break
            n, at = struct.unpack("!H", data[2:4])[0], 4
        elif n == 127:
            if len(data) < 10:
                break
            n, at = struct.unpack("!Q", data[2:10])[0], 10
        if data[1] & 0x80:
            out.append("masked frame from server")
            at += 4
        if len(data) < at + n:
            break
        payload, data = data[at:at + n], data[at + n:]
        if op == 1:
            out.append("text: " + payload.decode("utf-8", "replace"))
        elif op == 2:
            out.append("binary: %d bytes" % len(payload))
        elif op == 8:
            code = struct.unpack("!H", payload[:2])[0] if payload else ""
            reason = payload[2:].decode("utf-8", "replace")
            out.append(("close: %s %s" % (code, reason)).rstrip())
        else:
            out.append("op%d: %s" % (op, payload.decode("utf-8", "replace")))
    return out, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--timeout", type=float, default=10)
    args, steps = ap.parse_known_args()
    sock = socket.create_connection((args.host, args.port), timeout=args.timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    opened, pending, trickle = False, b"", None
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
            elif step == "--trickle":
                trickle = float(arg)
            elif step == "--upgrade":
                if not arg.startswith("/"):
                    arg, i = "/", i - 1
                pending = upgrade(sock, arg)
                opened = True
            elif step == "--frame":
                sock.sendall(frame(arg))
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
        lines, rest = frames(data)
        for line in lines:
            print(line)
        if rest:
            print("partial frame: %d bytes" % len(rest))
    else:
        sys.stdout.write(data.decode("latin-1"))
    print(end)


if __name__ == "__main__":
    main()
