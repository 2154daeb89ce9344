#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The hello exchange served by Python websockets, for wsclient.

usage: websockets_server.py PORT

Listens on 127.0.0.1:PORT. On open it sends "Welcome to the WebSocket
server!", answers each text message M with "You said: " + M, and when
the connection ends prints the close code the client sent. Runs until
killed.
"""
import asyncio
import sys

import websockets


async def hello(ws):
    await ws.send("Welcome to the WebSocket server!")
    async for message in ws:
        await ws.send("You said: " + message)
    print(f"client closed: {ws.close_code}", flush=True)


async def main(port):
    async with websockets.serve(hello, "127.0.0.1", port):
        await asyncio.Future()


if len(sys.argv) != 2:
    sys.exit("usage: websockets_server.py PORT")
asyncio.run(main(int(sys.argv[1])))
