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
import threading
import time

from wsframe import BINARY, CLOSE, CONT, TEXT, Reader, close_payload, \
    describe, frame
from wsraw import unescape, upgrade

OPS = {"text": TEXT, "binary": BINARY}


def payload(op, size, rng):
    if op == TEXT:
        return bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz")
                     for _ in range(min(size, 4096))) * (size // 4096 + 1)
    return os.urandom(size)


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
        with lock:
            try:
                sock.sendall(frame(op, data))
            except OSError as e:
                print("send failed: " + e.__class__.__name__, flush=True)
                return
    if reader.args.close_after_send:
        reader.close()


class Receiver:
    def __init__(self, sock, args, lock, data):
        self.sock, self.args, self.lock = sock, args, lock
        self.frames = Reader(lambda: sock.recv(1 << 20), data)
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
                self.sock.sendall(frame(CLOSE, close_payload(code)))
            except OSError:
                pass

    def handle(self, f):
        if f.op == CLOSE:
            self.close_line = describe(CLOSE, f.payload)
            self.close()
        elif f.op in (CONT, TEXT, BINARY):
            self.bytes += len(f.payload)
            self.digest.update(f.payload)
            self.count += 1
            if self.args.show:
                print(describe(TEXT if f.op == TEXT else BINARY, f.payload))
            a = self.args
            if (a.expect and self.count >= a.expect) or \
                    (a.expect_bytes and self.bytes >= a.expect_bytes):
                self.close()

    def run(self):
        end = "eof"
        try:
            while True:
                self.handle(self.frames.frame())
        except EOFError:
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
    reader = Receiver(sock, args, lock, rest)
    t = threading.Thread(target=sender, args=(sock, args.steps, lock, reader),
                         daemon=True)
    t.start()
    if args.stall:
        time.sleep(args.stall)
    reader.run()
    t.join(timeout=args.timeout)


if __name__ == "__main__":
    main()
