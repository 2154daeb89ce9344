#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""The reference server this project was described from: a tornado 6
WebSocketHandler doing the hello exchange, for the interop tests and the
benchmarks.

usage: tornado_server.py [--echo] [--compression] [--host ADDR]
                         [--tls-cert FILE --tls-key FILE] PORT

Listens on ADDR (default 127.0.0.1) port PORT, any path; with --tls-cert
and --tls-key, over TLS (wss://) with that PEM certificate and key. On open it
writes "Welcome to the WebSocket server!", answers each message M with
"You said: " + M, and when a connection ends prints the close code the
client sent. With --echo it sends each message back as it came instead,
and says nothing on open. With --compression it accepts permessage-deflate
offers, with tornado's defaults for it. Runs until killed.
"""
import argparse
import asyncio
import ssl

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

    def get_compression_options(self):
        # None declines every offer; {} accepts with tornado's defaults.
        return {} if self.settings["compression"] else None


class EchoHandler(HelloHandler):
    def open(self):
        pass

    def on_message(self, message):
        self.write_message(message, binary=isinstance(message, bytes))


async def main(args):
    handler = EchoHandler if args.echo else HelloHandler
    # Room for the benchmarks' 1 MiB echo (tornado's default is 10 MiB).
    app = tornado.web.Application([(r"/.*", handler)],
                                  websocket_max_message_size=16 << 20,
                                  compression=args.compression)
    tls = None
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    app.listen(args.port, address=args.host, ssl_options=tls)
    await asyncio.Event().wait()


ap = argparse.ArgumentParser()
ap.add_argument("--echo", action="store_true")
ap.add_argument("--compression", action="store_true")
ap.add_argument("--host", default="127.0.0.1")
ap.add_argument("--tls-cert")
ap.add_argument("--tls-key")
ap.add_argument("port", type=int)
asyncio.run(main(ap.parse_args()))
