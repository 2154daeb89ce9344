# SPDX-License-Identifier: ISC
"""wss:// for the conformance suite (run --tls): the test CA and server
certificate the Bats files make too (tests/bats/pki.bash's test_pki, by
openssl itself), and our end of a TLS connection.

Many cases mean what they say only if each of our writes reaches the
peer on its own: a frame in octet-wise chops, a message cut right after
its first invalid byte. Over TCP a write is a segment (TCP_NODELAY); over
TLS it must also be a record of its own, sent at once, or OpenSSL would
hand the peer several chops in one read. So the TLS state is driven
through memory BIOs: each send() is encrypted into its own records and
written to the socket before send() returns; and one lock around the
TLS object lets the reader thread decrypt while the case sends."""
import os
import shutil
import ssl
import subprocess
import tempfile
import threading

PKI = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                   "bats", "pki.bash")


class Pki:
    """A test CA and a certificate for 127.0.0.1 and localhost in a
    directory of their own, removed by remove()."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="conformance-pki.")
        done = subprocess.run(["bash", "-c", '. "$1" && test_pki "$2"',
                               "pki", PKI, self.dir],
                              stderr=subprocess.PIPE)
        if done.returncode != 0 or not os.path.exists(self.path("server.pem")):
            self.remove()
            raise RuntimeError("cannot make test certificates: %s" %
                               done.stderr.decode(errors="replace").strip())
        self.server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.server_ctx.load_cert_chain(self.path("server.pem"),
                                        self.path("server.key"))
        self.client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        self.client_ctx.load_verify_locations(self.path("ca.pem"))

    def path(self, name):
        return os.path.join(self.dir, name)

    def wsinetd_args(self):
        return ["--tls-cert", self.path("server.pem"),
                "--tls-key", self.path("server.key")]

    def wsclient_args(self):
        return ["--cacert", self.path("ca.pem")]

    def wrap(self, sock, server_side):
        """Our end of TLS on sock, handshake done (within sock's
        timeout); raises OSError when it fails."""
        ctx = self.server_ctx if server_side else self.client_ctx
        t = TlsSocket(sock, ctx, server_side)
        t.handshake()
        return t

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class TlsSocket:
    """The little of a socket the suite uses (recv, sendall, settimeout,
    shutdown, close) over TLS; see the module's docstring."""

    def __init__(self, sock, ctx, server_side):
        self.sock = sock
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_side,
                                None if server_side else "127.0.0.1")
        self.lock = threading.Lock()  # the TLS object's
        self.send_lock = threading.Lock()  # keeps records in order

    def _flush(self):
        with self.send_lock:
            with self.lock:
                data = self.outgoing.read()
            if data:
                self.sock.sendall(data)

    def _fill(self):
        """Reads once from the socket into the TLS object; False at the
        socket's end."""
        data = self.sock.recv(1 << 16)
        with self.lock:
            if data:
                self.incoming.write(data)
            else:
                self.incoming.write_eof()
        return bool(data)

    def handshake(self):
        while True:
            try:
                with self.lock:
                    self.tls.do_handshake()
                self._flush()
                return
            except ssl.SSLWantReadError:
                self._flush()
                if not self._fill():
                    raise ConnectionError("the peer ended the connection "
                                          "during the TLS handshake")

    def recv(self, n):
        """Up to n bytes, b"" at the end (close_notify, or the socket's
        end without one: a peer failing a connection may just drop it)."""
        while True:
            with self.lock:
                try:
                    return self.tls.read(n)
                except ssl.SSLWantReadError:
                    pass
                except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
                    return b""
            self._fill()

    def sendall(self, data):
        """data as records of its own, written to the socket at once."""
        if not data:
            return
        with self.send_lock:
            with self.lock:
                self.tls.write(data)
                out = self.outgoing.read()
            self.sock.sendall(out)

    def settimeout(self, seconds):
        self.sock.settimeout(seconds)

    def shutdown(self, how):
        try:
            with self.lock:
                self.tls.unwrap()  # our close_notify
        except (ssl.SSLError, ValueError):
            pass
        try:
            self._flush()
        except OSError:
            pass
        self.sock.shutdown(how)

    def close(self):
        self.sock.close()

