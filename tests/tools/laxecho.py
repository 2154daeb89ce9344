#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A careless echo server on stdin/stdout, started the way inetd starts
wsinetd: it answers any request with a 101, echoes every frame's payload
with the same opcode, and answers a close with a close. It checks
nothing (not UTF-8, not reserved bits, not masks): the conformance
suite must fail it, which shows the suite can fail at all. With
--late-utf8 it checks the UTF-8 of each text frame once the whole frame
is in, and fails the connection with 1007: right, but not fail-fast, so
the suite must call it NON-STRICT. With --deflate-any-window it takes a
permessage-deflate offer, answers the server_max_window_bits asked for,
then compresses its echoes with a 32 KiB window anyway: the suite must
fail it for inflating only with more window than was agreed."""
import os
import sys

from wsframe import CLOSE, PING, PONG, RSV1, TEXT, Deflater, Inflater, \
    Reader, accept_key, close_payload, frame, pmd_params

fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()


def read(n):
    data = b""
    while len(data) < n:
        chunk = os.read(fd_in, n - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    return data


def header(head, name):
    return [ln.split(b":", 1)[1].strip() for ln in head.split(b"\r\n")
            if ln.lower().startswith(name + b":")]


def handshake(deflate):
    """Answers the request; with deflate, (our compressor, decompressor)
    for the first offer, or None when there is none."""
    head = b""
    while not head.endswith(b"\r\n\r\n"):
        head += read(1)
    key = header(head, b"sec-websocket-key")[0]
    offer = header(head, b"sec-websocket-extensions")
    params = pmd_params(offer[0].decode().split(",")[0]) if offer else None
    answer = b""
    if deflate and params is not None:
        answer = b"Sec-WebSocket-Extensions: permessage-deflate"
        if "server_max_window_bits" in params:
            answer += b"; server_max_window_bits=%d" % \
                params["server_max_window_bits"]
        answer += b"\r\n"
    os.write(fd_out, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: "
             b"websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
             accept_key(key) + b"\r\n" + answer + b"\r\n")
    return (Deflater(15), Inflater(15)) if answer else None


def send(op, payload, rsv=0):
    os.write(fd_out, frame(op, payload, rsv=rsv, masked=False))


def valid(payload):
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def main():
    late_utf8 = "--late-utf8" in sys.argv[1:]  # after --echo, ignored
    codec = handshake("--deflate-any-window" in sys.argv[1:])
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
        if codec and f.rsv & RSV1:  # whole messages only, as the tests send
            send(f.op, codec[0].message(codec[1].message(f.payload)), RSV1)
            continue
        send(PONG if f.op == PING else f.op, f.payload)


if __name__ == "__main__":
    main()
