#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The tornado reference server the project was described from:
`tornado_server.py hello|echo HOST PORT`. hello sends the welcome on open
and answers each message M with "You said: " + M; echo sends M back."""
import sys

import tornado.ioloop
import tornado.web
import tornado.websocket


class Hello(tornado.websocket.WebSocketHandler):
    def open(self):
        self.write_message("Welcome to the WebSocket server!")

    def on_message(self, message):
        self.write_message("You said: " + message)


class Echo(tornado.websocket.WebSocketHandler):
    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    handler = {"hello": Hello, "echo": Echo}[mode]
    # Room for the 1 MiB echo; tornado's default is 10 MiB anyway.
    app = tornado.web.Application([(r"/.*", handler)],
                                  websocket_max_message_size=16 << 20)
    app.listen(port, address=host)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
