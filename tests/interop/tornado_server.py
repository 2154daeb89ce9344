#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The reference server this project was described from: a tornado 6
WebSocketHandler doing the hello exchange, for wsclient.

usage: tornado_server.py PORT

Listens on 127.0.0.1:PORT, path "/". On open it writes "Welcome to the
WebSocket server!", answers each message M with "You said: " + M, and
when the connection ends prints the close code the client sent. Runs
until killed.
"""
import asyncio
import sys

import tornado.web
import tornado.websocket


class HelloHandler(tornado.websocket.WebSocketHandler):
    def check_origin(self, origin):
        return True

    def open(self):
        self.write_message("Welcome to the WebSocket server!")

    def on_message(self, message):
        self.write_message("You said: " + message)

    def on_close(self):
        print(f"client closed: {self.close_code}", flush=True)


async def main(port):
    app = tornado.web.Application([(r"/", HelloHandler)])
    app.listen(port, address="127.0.0.1")
    await asyncio.Event().wait()


if len(sys.argv) != 2:
    sys.exit("usage: tornado_server.py PORT")
asyncio.run(main(int(sys.argv[1])))
