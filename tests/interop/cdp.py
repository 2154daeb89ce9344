#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Drives the console page (contrib/www) in a headless Chromium through
the DevTools protocol, with Python websockets as the protocol client.

usage: cdp.py USER_DATA_DIR PAGE_URL [STEP]... [--screenshot FILE]

Chromium must already run with --remote-debugging-port=0 and
--user-data-dir=USER_DATA_DIR: the port comes from the DevToolsActivePort
file it writes there. cdp.py opens PAGE_URL in Chromium's page, waits
for its connection to open (or fail), and runs the steps in order:

  --received N   wait until the page has received N messages in all
  --type TEXT    type TEXT into the message box and click Send

(no steps: --received 2, the hello exchange). Then it clicks Disconnect
if the connection is still open, waits for the close, and prints:

  request extensions: VALUE   Sec-WebSocket-Extensions the browser offered
  response: STATUS            the handshake answer's status
  response extensions: VALUE  what the server answered ("none": declined)
  log: LINE                   each line of the page's log, in order

The handshake lines come from Chromium's Network events and are absent
when no handshake was answered. Every wait is bounded: 30 s in all.
"""
import asyncio
import base64
import json
import os
import sys
import time
import urllib.request

import websockets

# Chromium may start slowly on a loaded machine; still, never hang.
DEADLINE = time.monotonic() + 30


def left():
    return max(0.1, DEADLINE - time.monotonic())


async def devtools_port(user_data_dir):
    path = os.path.join(user_data_dir, "DevToolsActivePort")
    while time.monotonic() < DEADLINE:
        try:
            with open(path) as f:
                port = f.readline().strip()
            if port:
                return int(port)
        except FileNotFoundError:
            pass
        await asyncio.sleep(0.05)
    sys.exit("cdp: Chromium wrote no DevToolsActivePort within 30 s")


async def page_target(port):
    url = f"http://127.0.0.1:{port}/json/list"
    # Straight to loopback, whatever proxy the environment names.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    while time.monotonic() < DEADLINE:
        with opener.open(url, timeout=left()) as r:
            targets = json.load(r)
        for t in targets:
            if t.get("type") == "page":
                return t["webSocketDebuggerUrl"]
        await asyncio.sleep(0.05)  # its first tab is not there yet
    sys.exit("cdp: Chromium opened no page within 30 s")


class Session:
    """One DevTools connection: commands by id, events kept in order."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    async def call(self, method, tolerate=False, **params):
        """The command's result; an error ends the run, or with tolerate
        gives None (a page being replaced has no context to evaluate in).
        """
        self.next_id += 1
        await self.ws.send(json.dumps(
            {"id": self.next_id, "method": method, "params": params}))
        while True:
            msg = json.loads(await asyncio.wait_for(self.ws.recv(), left()))
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    if tolerate:
                        return None
                    sys.exit(f"cdp: {method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    async def js(self, expr, tolerate=False):
        r = await self.call("Runtime.evaluate", tolerate, expression=expr,
                            returnByValue=True)
        return (r or {}).get("result", {}).get("value")

    async def wait_for(self, expr, what):
        while time.monotonic() < DEADLINE:
            if await self.js(expr, tolerate=True):
                return
            await asyncio.sleep(0.05)
        log = await self.js(LOG_LINES)
        sys.exit(f"cdp: {what} did not happen within 30 s; log: {log}")


LOG_LINES = "[...document.querySelectorAll('#log li')].map(e => e.textContent)"
STATE = "document.body.dataset.state"
RECEIVED = "document.querySelectorAll('#log .received').length"
TYPE_AND_SEND = ("document.getElementById('message').value = %s;"
                 "document.getElementById('send').click()")


def header(headers, name):
    for k, v in (headers or {}).items():
        if k.lower() == name.lower():
            return v
    return None


def print_handshake(events):
    for e in events:
        p = e["params"]
        if e["method"] == "Network.webSocketWillSendHandshakeRequest":
            ext = header(p["request"].get("headers"),
                         "Sec-WebSocket-Extensions")
            print(f"request extensions: {ext or 'none'}")
        elif e["method"] == "Network.webSocketHandshakeResponseReceived":
            ext = header(p["response"].get("headers"),
                         "Sec-WebSocket-Extensions")
            print(f"response: {p['response'].get('status')}")
            print(f"response extensions: {ext or 'none'}")


async def drive(user_data_dir, page_url, steps, screenshot):
    port = await devtools_port(user_data_dir)
    target = await page_target(port)
    async with websockets.connect(target, max_size=2**25) as ws:
        s = Session(ws)
        await s.call("Network.enable")
        await s.call("Page.navigate", url=page_url)
        await s.wait_for(f"{STATE} === 'open' || {STATE} === 'closed'",
                         "the connection")
        for step, arg in steps:
            if step == "--type":
                await s.js(TYPE_AND_SEND % json.dumps(arg))
            else:
                await s.wait_for(f"{RECEIVED} >= {int(arg)} || "
                                 f"{STATE} === 'closed'",
                                 f"{arg} messages received")
        if await s.js(STATE) == "open":
            await s.js("document.getElementById('disconnect').click()")
        await s.wait_for(f"{STATE} === 'closed'", "the close")
        if screenshot:
            shot = await s.call("Page.captureScreenshot", format="png")
            with open(screenshot, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
        lines = await s.js(LOG_LINES)
    print_handshake(s.events)
    for line in lines:
        print(f"log: {line}")


def main():
    args = sys.argv[1:]
    steps, screenshot = [], None
    if len(args) < 2 or len(args) % 2:
        sys.exit(__doc__.split("\n\n")[1])
    user_data_dir, page_url = args[0], args[1]
    for flag, value in zip(args[2::2], args[3::2]):
        if flag in ("--received", "--type"):
            steps.append((flag, value))
        elif flag == "--screenshot":
            screenshot = value
        else:
            sys.exit(f"cdp: unknown argument {flag}")
    asyncio.run(drive(user_data_dir, page_url,
                      steps or [("--received", "2")], screenshot))


main()
