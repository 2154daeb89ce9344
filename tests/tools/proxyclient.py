#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""A client as a balancer or HTTP proxy would relay it: from a chosen
source address it sends a PROXY header (version 1 or 2, right or wrong,
whole or in pieces), then, unless told not to, a WebSocket upgrade
request with extra headers, over TLS when asked (the header goes before
the ClientHello). It prints the status line (a refusal's whole head), then each text message on a
line of its own ("text: ..."), and "close: CODE" or "eof" at the end.

  proxyclient.py PORT [--bind ADDR] [--v1 LINE | --v2 SRC DST | --v2-local
                 | --raw HEX] [--split N] [--pause S] [--header 'N: V']...
                 [--tls] [--no-request] [--messages N] [--timeout S]

--v1 LINE sends "PROXY LINE\\r\\n"; --v2 SRC DST sends a version 2 PROXY
command for TCP from SRC to DST, each ADDR:PORT or [ADDR]:PORT, with an
ALPN TLV; --v2-local a LOCAL command; --raw the bytes given in hex. With
--split N the header goes in pieces of N bytes, --pause S apart.
"""
import argparse
import ipaddress
import os
import socket
import ssl
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsframe  # noqa: E402

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def endpoint(text):
    host, _, port = text.rpartition(":")
    return ipaddress.ip_address(host.strip("[]")), int(port)


def v2_header(src, dst):
    (sa, sp), (da, dp) = endpoint(src), endpoint(dst)
    fam = 0x11 if sa.version == 4 else 0x21
    body = sa.packed + da.packed + struct.pack("!HH", sp, dp)
    body += b"\x01" + struct.pack("!H", 8) + b"http/1.1"  # ALPN TLV
    return SIG + bytes([0x21, fam]) + struct.pack("!H", len(body)) + body


def header(args):
    if args.v1 is not None:
        return b"PROXY " + args.v1.encode() + b"\r\n"
    if args.v2 is not None:
        return v2_header(*args.v2)
    if args.v2_local:
        return SIG + b"\x20\x00\x00\x00"
    if args.raw is not None:
        return bytes.fromhex(args.raw)
    return b""


def upgrade(port, extra):
    key = b"dGhlIHNhbXBsZSBub25jZQ=="
    lines = [b"GET / HTTP/1.1", b"Host: 127.0.0.1:%d" % port,
             b"Upgrade: websocket", b"Connection: Upgrade",
             b"Sec-WebSocket-Key: " + key, b"Sec-WebSocket-Version: 13"]
    lines += [h.encode() for h in extra]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def read_messages(sock, rest, limit):
    reader = wsframe.Reader(lambda: sock.recv(4096), rest)
    seen = 0
    while limit is None or seen < limit:
        try:
            f = reader.frame()
        except (EOFError, OSError):
            print("eof")
            return
        if f.op == wsframe.TEXT:
            print("text: " + f.payload.decode("utf-8", "replace"))
            seen += 1
        elif f.op == wsframe.CLOSE:
            code, _ = wsframe.parse_close(f.payload)
            print("close: %s" % code)
            sock.sendall(wsframe.frame(wsframe.CLOSE, f.payload[:2]))
            return
    sock.sendall(wsframe.frame(wsframe.CLOSE, wsframe.close_payload(1000)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--bind")
    ap.add_argument("--v1")
    ap.add_argument("--v2", nargs=2)
    ap.add_argument("--v2-local", action="store_true")
    ap.add_argument("--raw")
    ap.add_argument("--split", type=int, default=0)
    ap.add_argument("--pause", type=float, default=0.05)
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--no-request", action="store_true")
    ap.add_argument("--messages", type=int)
    ap.add_argument("--timeout", type=float, default=5)
    args = ap.parse_args()

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(args.timeout)
    if args.bind:
        sock.bind((args.bind, 0))
    sock.connect((args.host, args.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    head = header(args)
    step = args.split or len(head) or 1
    for i in range(0, len(head), step):
        sock.sendall(head[i:i + step])
        if args.split and i + step < len(head):
            time.sleep(args.pause)
    try:
        if args.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            sock = ctx.wrap_socket(sock)
        if args.no_request:
            got = sock.recv(4096)
            print(got.decode("latin-1").split("\r\n")[0] if got else "eof")
            return 0
        sock.sendall(upgrade(args.port, args.header))
        head, rest = wsframe.read_head(sock)
    except (OSError, ssl.SSLError) as e:
        print("error: %s" % e.__class__.__name__)
        return 1
    if rest is None:
        print(head.decode("latin-1").split("\r\n")[0] if head else "eof")
        return 1
    lines = head.decode("latin-1").split("\r\n")
    if " 101 " not in lines[0] + " ":
        print("\n".join(lines))  # a refusal: every line of its head
        return 1
    print(lines[0])
    read_messages(sock, rest, args.messages)
    return 0


if __name__ == "__main__":
    sys.exit(main())
