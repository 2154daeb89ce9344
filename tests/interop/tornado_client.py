#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""tornado's websocket_connect (a client we did not write) against a
server.

usage: tornado_client.py URL hello
       tornado_client.py URL echo SIZE

Like websockets_client.py: hello sends "Hello, WebSocket server!" and
prints the two messages received; echo sends a text message and SIZE
random bytes as one binary message and checks both come back unchanged.
It offers permessage-deflate (compression_options), which the server may
decline. Then it closes with 1000 and prints the server's close code and
the extensions the server accepted. Exits 1 on a mismatch; everything is
bounded by 10 s.
"""
import asyncio
import os
import sys

from tornado.websocket import websocket_connect

HELLO = "Hello, WebSocket server!"


async def hello(ws):
    await ws.write_message(HELLO)
    for _ in range(2):
        msg = await ws.read_message()
        if msg is None:
            sys.exit(f"connection closed early: {ws.close_code}")
        print(msg)


async def echo(ws, size):
    await ws.write_message("echo me")
    got = await ws.read_message()
    if got != "echo me":
        sys.exit(f"text came back as {got!r}")
    print("text echoed")
    data = os.urandom(size)
    await ws.write_message(data, binary=True)
    got = await ws.read_message()
    if not isinstance(got, bytes) or got != data:
        sys.exit("binary came back different")
    print(f"binary echoed: {size} bytes, identical")


async def run(url, mode, size):
    ws = await websocket_connect(url, compression_options={},
                                 max_message_size=2**21)
    exts = ws.headers.get("Sec-WebSocket-Extensions", "")
    if mode == "hello":
        await hello(ws)
    else:
        await echo(ws, size)
    ws.close(1000)
    # read_message gives None once the server's close frame has come.
    while await ws.read_message() is not None:
        pass
    print(f"closed: {ws.close_code}")
    print(f"extensions: {exts or 'none'}")


def main():
    if len(sys.argv) not in (3, 4) or sys.argv[2] not in ("hello", "echo"):
        sys.exit(__doc__.split("\n\n")[1])
    size = int(sys.argv[3]) if len(sys.argv) == 4 else 0
    try:
        asyncio.run(asyncio.wait_for(run(sys.argv[1], sys.argv[2], size), 10))
    except asyncio.TimeoutError:
        sys.exit("timed out after 10 s")
    except OSError as e:
        sys.exit(f"cannot connect: {e}")


main()
