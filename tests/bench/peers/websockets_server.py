#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The hello exchange (or echo) on Python's websockets library:
`websockets_server.py hello|echo HOST PORT`."""
import asyncio
import sys

import websockets


async def hello(ws, path=None):
    await ws.send("Welcome to the WebSocket server!")
    async for message in ws:
        await ws.send("You said: " + message)


async def echo(ws, path=None):
    async for message in ws:
        await ws.send(message)


async def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    handler = {"hello": hello, "echo": echo}[mode]
    # max_size: room for the 1 MiB echo plus nothing else.
    async with websockets.serve(handler, host, port, max_size=2 << 20):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
