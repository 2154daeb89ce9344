#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A scripted one-connection WebSocket server for the wsclient tests: it
says exactly what it is told to, right or wrong, and prints what the
client sent, so a test can check how wsclient copes and what it answers.

usage: wsfake.py PORT [--timeout SECS] STEP...

It listens on 127.0.0.1:PORT (printing nothing, so a test waits for the
port), accepts one connection, reads the request and prints its first
line as "request: ...". Then, by the first step:
  --status "CODE TEXT"  answer "HTTP/1.1 CODE TEXT" and shut down writing
  --bad-accept          answer 101 with a wrong Sec-WebSocket-Accept
  --no-answer           say nothing (for the client's timeouts)
  --protocol NAME       answer a good 101 choosing subprotocol NAME
  --extensions VALUE    answer a good 101 with this
                        Sec-WebSocket-Extensions value
  (any other step)      answer a good 101
and runs the steps in order:
  --send-text TEXT         send an unmasked text frame
  --send-masked-text TEXT  send a masked text frame (illegal from a server)
  --send-close CODE[:REASON]  send a close frame
  --send-hex HEX           send these bytes as they are
  --reply-close            read until the client's close frame, echo it
                           and shut down writing (the server closes first)
  --vanish                 end the connection (FIN) without a close frame,
                           silently discarding what the client still sends
Once it has both sent and received a close frame it shuts down writing,
as a server should (RFC 6455 7.1.1). Finally it reads until the client
ends the connection (or --timeout, default 5) and prints one line per
frame received ("recv text: ...", "recv binary: N bytes", "recv close:
CODE REASON", "recv opN: ..."; "recv text, RSV1: N bytes" for a frame
with RSV1 set, as permessage-deflate marks one), "recv partial frame: N
bytes" when bytes are left over, then "eof", "reset" or "timeout".
"""
import base64
import hashlib
import socket
import sys

from wsframe import CLOSE, OPNAMES, RSV1, TEXT, Reader, accept_key, \
    close_payload, describe, frame

ANSWERS = ("--status", "--bad-accept", "--no-answer", "--protocol",
           "--extensions")


def say(line):
    print(line, flush=True)


class Peer:
    def __init__(self, sock):
        self.sock, self.sent_close = sock, False
        self.reader = Reader(lambda: sock.recv(65536))

    def request(self):
        buf = self.reader.buf
        while b"\r\n\r\n" not in buf:
            if not self.reader.more():
                sys.exit("wsfake: connection ended inside the request")
        at = buf.index(b"\r\n\r\n")
        lines = buf[:at].decode("latin-1").split("\r\n")
        del buf[:at + 4]
        say("request: " + lines[0])
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "sec-websocket-key":
                return value.strip().encode()
        return b""

    def frames(self, until_close=False):
        """Prints whole frames received; stops after a close if asked."""
        while True:
            try:
                f = self.reader.frame()
            except EOFError:
                return None
            if f.rsv & RSV1:
                say("recv %s, RSV1: %d bytes" % (OPNAMES.get(f.op, f.op),
                                                 len(f.payload)))
            else:
                say("recv " + describe(f.op, f.payload))
            if f.op == CLOSE and self.sent_close:
                # Both closes seen: the server closes TCP first (7.1.1).
                self.sock.shutdown(socket.SHUT_WR)
            if until_close and f.op == CLOSE:
                return f.payload


def answer(sock, first, key):
    if first[0] == "--status":
        sock.sendall(b"HTTP/1.1 " + first[1].encode() + b"\r\n"
                     b"Content-Length: 0\r\nConnection: close\r\n\r\n")
        return False
    if first[0] == "--no-answer":
        return True
    accept = accept_key(key)
    if first[0] == "--bad-accept":
        accept = base64.b64encode(hashlib.sha1(key).digest())
    chosen = b""
    if first[0] == "--protocol":
        chosen = b"Sec-WebSocket-Protocol: " + first[1].encode() + b"\r\n"
    if first[0] == "--extensions":
        chosen = b"Sec-WebSocket-Extensions: " + first[1].encode() + b"\r\n"
    sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                 b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
                 b"\r\n" + chosen + b"\r\n")
    return True


def run(peer, steps):
    """Runs the steps; returns False once the socket is gone."""
    for step, arg in steps:
        if step == "--send-text":
            peer.sock.sendall(frame(TEXT, arg.encode(), masked=False))
        elif step == "--send-masked-text":
            peer.sock.sendall(frame(TEXT, arg.encode()))
        elif step == "--send-close":
            code, _, reason = arg.partition(":")
            payload = close_payload(int(code), reason.encode())
            peer.sock.sendall(frame(CLOSE, payload, masked=False))
            peer.sent_close = True
        elif step == "--send-hex":
            peer.sock.sendall(bytes.fromhex(arg))
        elif step == "--reply-close":
            payload = peer.frames(until_close=True)
            if payload is not None and not peer.sent_close:
                peer.sock.sendall(frame(CLOSE, payload, masked=False))
                peer.sock.shutdown(socket.SHUT_WR)
        elif step == "--vanish":
            # A FIN, not a reset: read what the client still sends.
            peer.sock.shutdown(socket.SHUT_WR)
            while peer.sock.recv(65536):
                pass
            return False
    return True


def parse_args(argv):
    takes = {"--status", "--send-text", "--send-masked-text", "--send-close",
             "--send-hex", "--timeout", "--protocol", "--extensions"}
    flags = {"--bad-accept", "--no-answer", "--reply-close", "--vanish"}
    if not argv or not argv[0].isdigit():
        sys.exit("usage: wsfake.py PORT [--timeout SECS] STEP...")
    port, timeout, steps, i = int(argv[0]), 5.0, [], 1
    while i < len(argv):
        step = argv[i]
        if step in takes and i + 1 < len(argv):
            arg, i = argv[i + 1], i + 2
        elif step in flags:
            arg, i = None, i + 1
        else:
            sys.exit("wsfake: bad step " + step)
        if step == "--timeout":
            timeout = float(arg)
        elif step in ANSWERS and steps:
            sys.exit("wsfake: %s must come first" % step)
        else:
            steps.append((step, arg))
    return port, timeout, steps


def main():
    port, timeout, steps = parse_args(sys.argv[1:])
    first = steps[0] if steps and steps[0][0] in ANSWERS else ("--ok", None)
    if first[0] != "--ok":
        steps = steps[1:]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    sock, _ = srv.accept()
    srv.close()
    sock.settimeout(timeout)
    peer = Peer(sock)
    end = "eof"
    try:
        key = peer.request()
        if not answer(sock, first, key):
            sock.shutdown(socket.SHUT_WR)
        elif not run(peer, steps):
            return
        peer.frames()
    except socket.timeout:
        end = "timeout"
    except (ConnectionResetError, BrokenPipeError):
        end = "reset"
    if peer.reader.buf:
        say("recv partial frame: %d bytes" % len(peer.reader.buf))
    say(end)
    sock.close()


if __name__ == "__main__":
    main()
