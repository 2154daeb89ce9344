#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The hello exchange served by Python websockets, for the interop tests
and the benchmarks.

usage: websockets_server.py [--echo] [--host ADDR] [--ping-and-fragment]
                            [--tls-cert FILE --tls-key FILE] PORT

Listens on ADDR (default 127.0.0.1) port PORT. On open it sends "Welcome
to the WebSocket server!", answers each text message M with "You said: "
+ M, and when a connection ends prints the close code the client sent.
With --echo it sends each message back as it came instead, and says
nothing on open. Runs until killed.

With --ping-and-fragment it also pings the client after the welcome and
prints "pong received" when the answer comes (within 5 s), and sends each
answer in two fragments, "You said: " and M: the client sees the same
messages as without it.

With --tls-cert and --tls-key it serves wss:// with that PEM certificate
and key.

It accepts permessage-deflate offers, as websockets does by default (a
server window of 12 bits and memLevel 5).
"""
import argparse
import asyncio
import functools
import ssl

import websockets


async def pieces(parts):
    for p in parts:
        yield p


async def hello(ws, extras):
    await ws.send("Welcome to the WebSocket server!")
    if extras:
        await asyncio.wait_for(await ws.ping(b"still there?"), 5)
        print("pong received", flush=True)
    async for message in ws:
        if extras:
            await ws.send(pieces(["You said: ", message]))
        else:
            await ws.send("You said: " + message)
    print(f"client closed: {ws.close_code}", flush=True)


async def echo(ws):
    async for message in ws:
        await ws.send(message)
    print(f"client closed: {ws.close_code}", flush=True)


async def main(args):
    if args.echo:
        handler = echo
    else:
        handler = functools.partial(hello, extras=args.ping_and_fragment)
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    # max_size: room for the benchmarks' 1 MiB echo.
    async with websockets.serve(handler, args.host, args.port,
                                max_size=2 << 20, ssl=tls):
        await asyncio.Future()


ap = argparse.ArgumentParser()
ap.add_argument("--echo", action="store_true")
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--ping-and-fragment", action="store_true")
ap.add_argument("--tls-cert")
ap.add_argument("--tls-key")
ap.add_argument("port", type=int)
asyncio.run(main(ap.parse_args()))
