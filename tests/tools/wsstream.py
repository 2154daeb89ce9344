#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Bulk WebSocket client for the bridge tests: sends big messages while it
reads (so an echo of a big message cannot deadlock the client itself),
optionally reads slowly, and prints digests instead of payloads.

  wsstream.py PORT [--send OP:BYTES | --message OP:TEXT]...
            [--expect-bytes N] [--expect N]
            [--close-after-send] [--show] [--stall SECS] [--timeout SECS]

--send sends one message of BYTES pseudo-random bytes (OP text: letters
only) in one frame; --message sends TEXT (Python escapes: \\n \\xHH). --stall waits that long before reading anything. The
client closes (1000) once it has received --expect messages or
--expect-bytes payload bytes (or, with --close-after-send, once it has
sent everything), then reads until EOF. It prints one line
per message sent ("sent OP BYTES SHA256", not with --show), then "received N messages,
B bytes, SHA256" (the digest of all payloads concatenated) or, with
--show, each message as wsraw.py prints it ("text: ...", "binary: N
bytes"); then the close frame it got ("close: CODE REASON"), which it
answers, and "eof" or "timeout".
"""
import argparse
import hashlib
import os
import random
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsraw import unescape, upgrade  # noqa: E402

OPS = {"text": 1, "binary": 2}


def payload(op, size, rng):
    if op == 1:
        return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz")
                     for _ in range(min(size, 4096))) * (size // 4096 + 1)
    return os.urandom(size)


def masked_frame(op, data, fin=True):
    # Big payloads get the all-zero mask, which leaves them as they are:
    # a valid key (RFC 6455 5.3), and Python is too slow to mask megabytes.
    mask = os.urandom(4) if len(data) < 4096 else bytes(4)
    n = len(data)
    if n < 126:
        head = struct.pack("!BB", (0x80 if fin else 0) | op, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", (0x80 if fin else 0) | op, 0xFE, n)
    else:
        head = struct.pack("!BBQ", (0x80 if fin else 0) | op, 0xFF, n)
    if mask == bytes(4):
        return head + mask + data
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def sender(sock, specs, lock, reader):
    rng = random.Random(6455)
    for kind, spec in specs:
        opname, _, arg = spec.partition(":")
        op = OPS[opname]
        if kind == "message":
            data = unescape(arg)
        else:
            data = payload(op, int(arg), rng)[:int(arg)]
        size = len(data)
        if not reader.args.show:
            print("sent %s %d %s" % (opname, size,
                                     hashlib.sha256(data).hexdigest()),
                  flush=True)
        frame = masked_frame(op, data)
        with lock:
            try:
                sock.sendall(frame)
            except OSError as e:
                print("send failed: " + e.__class__.__name__, flush=True)
                return
    if reader.args.close_after_send:
        reader.close()


class Reader:
    def __init__(self, sock, args, lock):
        self.sock, self.args, self.lock = sock, args, lock
        self.buf = bytearray()
        self.count = self.bytes = 0
        self.digest = hashlib.sha256()
        self.closing = False
        self.close_line = None

    def close(self, code=1000):
        if self.closing:
            return
        self.closing = True
        with self.lock:
            try:
                self.sock.sendall(masked_frame(8, struct.pack("!H", code)))
            except OSError:
                pass

    def frame(self):
        b = self.buf
        if len(b) < 2:
            return False
        op, n, at = b[0] & 15, b[1] & 127, 2
        if n == 126:
            if len(b) < 4:
                return False
            n, at = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return False
            n, at = struct.unpack("!Q", b[2:10])[0], 10
        if len(b) < at + n:
            return False
        data = bytes(b[at:at + n])
        del b[:at + n]
        if op == 8:
            code = struct.unpack("!H", data[:2])[0] if data else ""
            self.close_line = ("close: %s %s" % (
                code, data[2:].decode("utf-8", "replace"))).rstrip()
            self.close()
        elif op in (0, 1, 2):
            self.bytes += len(data)
            self.digest.update(data)
            self.count += 1
            if self.args.show:
                print("text: " + data.decode("utf-8", "replace")
                      if op == 1 else "binary: %d bytes" % len(data))
            a = self.args
            if (a.expect and self.count >= a.expect) or \
                    (a.expect_bytes and self.bytes >= a.expect_bytes):
                self.close()
        return True

    def run(self):
        end = "eof"
        # Frames that came with the 101 answer are already here.
        while self.frame():
            pass
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    break
                self.buf += chunk
                while self.frame():
                    pass
        except socket.timeout:
            end = "timeout"
        except ConnectionResetError:
            end = "reset"
        if not self.args.show:
            print("received %d messages, %d bytes, %s" % (
                self.count, self.bytes, self.digest.hexdigest()))
        if self.close_line:
            print(self.close_line)
        print(end)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--send", action="append", dest="steps", default=[],
                    type=lambda v: ("send", v))
    ap.add_argument("--message", action="append", dest="steps",
                    type=lambda v: ("message", v))
    ap.add_argument("--expect", type=int, default=0)
    ap.add_argument("--expect-bytes", type=int, default=0)
    ap.add_argument("--close-after-send", action="store_true")
    ap.add_argument("--show", action="store_true")
    ap.add_argument("--stall", type=float, default=0)
    ap.add_argument("--timeout", type=float, default=20)
    args = ap.parse_args()
    sock = socket.create_connection((args.host, args.port),
                                    timeout=args.timeout)
    rest = upgrade(sock, "/")
    lock = threading.Lock()
    reader = Reader(sock, args, lock)
    reader.buf += rest
    t = threading.Thread(target=sender, args=(sock, args.steps, lock, reader),
                         daemon=True)
    t.start()
    if args.stall:
        time.sleep(args.stall)
    reader.run()
    t.join(timeout=args.timeout)


if __name__ == "__main__":
    main()
