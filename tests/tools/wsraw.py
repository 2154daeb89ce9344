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
import hashlib
import os
import select
import socket
import struct
import sys
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OPS = {"cont": 0, "text": 1, "binary": 2, "close": 8, "ping": 9, "pong": 10}


def unescape(text):
    return text.encode("latin-1").decode("unicode_escape").encode("latin-1")


def masked(fin_op, payload, mask=None):
    mask = mask or os.urandom(4)
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", fin_op, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", fin_op, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", fin_op, 0x80 | 127, n)
    # XOR as one big integer: fast enough for megabytes.
    key = (mask * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, "big") ^
            int.from_bytes(key, "big")).to_bytes(n, "big")
    return head + mask + body


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
    return masked(fin | op, payload)


def answer_pings(sock, pending, secs):
    """Reads for secs, answering pings; returns bytes not yet parsed."""
    end = time.monotonic() + secs
    data = pending
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return data
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            chunk = None
        if chunk == b"":
            print("eof while answering pings")
            return data
        data += chunk or b""
        while True:
            got = one_frame(data)
            if got is None:
                break
            op, payload, data = got
            if op == 9:
                sock.sendall(masked(0x8a, payload))
                print("ping: " + payload.decode("utf-8", "replace"))
            else:
                print(describe(op, payload))


def push(sock, spec):
    """Sends binary messages without reading until a send stalls for a
    second, pauses (the test looks at the server meanwhile), then reads
    the echoes of all it sent while finishing the message it was in."""
    total, size, pause = spec.split(":")
    total, size = int(total), int(size)
    msg = masked(0x82, os.urandom(size))
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
            while (head := frame_head(data)) is not None:
                op, at, n = head
                got += n if op == 2 else 0
                del data[:at + n]
    print("echoed %d bytes" % got)
    sock.setblocking(True)


def ping_flood(sock, count):
    sock.sendall(b"".join(masked(0x89, b"p%d" % i) for i in range(count)))


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


def frame_head(data):
    """(opcode, header length, payload length) once a whole frame is in
    data, else None; copies nothing."""
    if len(data) < 2:
        return None
    op, n, at = data[0] & 15, data[1] & 127, 2
    if n == 126:
        if len(data) < 4:
            return None
        n, at = struct.unpack("!H", data[2:4])[0], 4
    elif n == 127:
        if len(data) < 10:
            return None
        n, at = struct.unpack("!Q", data[2:10])[0], 10
    if data[1] & 0x80:
        at += 4
    return (op, at, n) if len(data) >= at + n else None


def one_frame(data):
    """(opcode, payload, rest) for the first whole frame, else None; a
    masked frame from the server gives opcode -1."""
    head = frame_head(data)
    if head is None:
        return None
    op, at, n = head
    return (-1 if data[1] & 0x80 else op), data[at:at + n], data[at + n:]


def describe(op, payload):
    if op == -1:
        return "masked frame from server"
    if op == 1:
        return "text: " + payload.decode("utf-8", "replace")
    if op == 2:
        return "binary: %d bytes" % len(payload)
    if op == 8:
        code = struct.unpack("!H", payload[:2])[0] if payload else ""
        reason = payload[2:].decode("utf-8", "replace")
        return ("close: %s %s" % (code, reason)).rstrip()
    return "op%d: %s" % (op, payload.decode("utf-8", "replace"))


def frames(data):
    """Printable lines for whole frames, and the leftover bytes."""
    out = []
    while True:
        got = one_frame(data)
        if got is None:
            return out, data
        op, payload, data = got
        out.append(describe(op, payload))


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
            elif step == "--raw-repeat":
                count, _, text = arg.partition(":")
                sock.sendall(unescape(text) * int(count))
            elif step == "--ping-flood":
                ping_flood(sock, int(arg))
            elif step == "--answer-pings":
                pending = answer_pings(sock, pending, float(arg))
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
