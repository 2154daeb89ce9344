#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The hello exchange served by Python websockets, for wsclient.

usage: websockets_server.py PORT [--ping-and-fragment]

Listens on 127.0.0.1:PORT. On open it sends "Welcome to the WebSocket
server!", answers each text message M with "You said: " + M, and when
the connection ends prints the close code the client sent. Runs until
killed.

With --ping-and-fragment it also pings the client after the welcome and
prints "pong received" when the answer comes (within 5 s), and sends each
answer in two fragments, "You said: " and M: the client sees the same
messages as without it.
"""
import asyncio
import functools
import sys

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


async def main(port, extras):
    handler = functools.partial(hello, extras=extras)
    async with websockets.serve(handler, "127.0.0.1", port):
        await asyncio.Future()


args = sys.argv[1:]
if len(args) not in (1, 2) or args[1:] not in ([], ["--ping-and-fragment"]):
    sys.exit("usage: websockets_server.py PORT [--ping-and-fragment]")
asyncio.run(main(int(args[0]), len(args) == 2))
