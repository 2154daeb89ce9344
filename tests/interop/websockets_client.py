#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Python websockets (a client we did not write) against a server.

usage: websockets_client.py URL hello
       websockets_client.py URL echo SIZE
       websockets_client.py URL fragments
       websockets_client.py URL last-words

hello: sends "Hello, WebSocket server!" on open and prints the two
messages it receives. echo: sends a text message and then SIZE random
bytes as one binary message, and checks each comes back unchanged, with
its type. fragments: sends a text and a binary message in fragments
(one of them empty) and a ping, and prints what comes back. last-words:
sends "a" and "b", closes at once, and prints each message that still
arrives after its close ("after close: ..."). All then close with 1000
and print the server's close code and the extensions the server
accepted (websockets offers permessage-deflate). Exits 1 on any mismatch; everything is bounded by
10 s.
"""
import asyncio
import os
import sys

import websockets

HELLO = "Hello, WebSocket server!"


async def hello(ws):
    await ws.send(HELLO)
    for _ in range(2):
        print(await ws.recv())


async def echo(ws, size):
    await ws.send("echo me")
    got = await ws.recv()
    if got != "echo me":
        sys.exit(f"text came back as {got!r}")
    print("text echoed")
    data = os.urandom(size)
    await ws.send(data)
    got = await ws.recv()
    if not isinstance(got, bytes) or got != data:
        sys.exit(f"binary came back different ({len(got)} bytes)")
    print(f"binary echoed: {size} bytes, identical")


async def pieces(parts):
    for p in parts:
        yield p


async def fragments(ws):
    await ws.send(pieces(["frag", "ment", "ed \u2713"]))
    print(f"text: {await ws.recv()}")
    parts = [b"\x00\x01", b"", b"\xff" * 70000]
    await ws.send(pieces(parts))
    got = await ws.recv()
    same = "identical" if got == b"".join(parts) else "different"
    print(f"binary: {len(got)} bytes, {same}")
    pong = await ws.ping(b"are you there")
    await pong
    print("pong: are you there")


async def last_words(ws):
    await ws.send("a")
    await ws.send("b")
    await ws.close()
    # What came between our close and the server's is kept for recv().
    try:
        while True:
            print(f"after close: {await ws.recv()}")
    except websockets.ConnectionClosedOK:
        pass


async def run(url, mode, size):
    async with websockets.connect(url, max_size=2**21) as ws:
        exts = [e.name for e in ws.extensions]
        if mode == "hello":
            await hello(ws)
        elif mode == "fragments":
            await fragments(ws)
        elif mode == "last-words":
            await last_words(ws)
        else:
            await echo(ws, size)
    print(f"closed: {ws.close_code}")
    print(f"extensions: {', '.join(exts) or 'none'}")


def main():
    modes = ("hello", "echo", "fragments", "last-words")
    if len(sys.argv) not in (3, 4) or sys.argv[2] not in modes:
        sys.exit(__doc__.split("\n\n")[1])
    size = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    try:
        asyncio.run(asyncio.wait_for(run(sys.argv[1], sys.argv[2], size), 10))
    except asyncio.TimeoutError:
        sys.exit("timed out after 10 s")
    except websockets.ConnectionClosed as e:
        sys.exit(f"connection closed: {e}")
    except OSError as e:
        sys.exit(f"cannot connect: {e}")


main()
