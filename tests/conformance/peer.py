# SPDX-License-Identifier: ISC
"""The other end of one conformance case: starts the program under test
on a fresh loopback TCP connection (wsinetd with the connection as its
stdin/stdout, the way inetd starts it; or wsclient dialling our
listener), over TLS when asked (tls.py), does the opening handshake
(negotiating permessage-deflate when the case wants it), and reads the
peer's frames on a thread so that sending never waits for the peer to be
read."""
import base64
import os
import socket
import subprocess
import threading
import time

from wire import FrameReader, accept_key

# Every wait of the suite is bounded; these are the bounds.
HANDSHAKE_S = 5
EXIT_S = 8


class Conn:
    """A connection to the peer under test, with everything it sent."""

    def __init__(self, sock, peer_masks, pending=b"", inflater=None):
        self.sock = sock
        self.reader = FrameReader(peer_masks, inflater)
        self.events = []
        self.cv = threading.Condition()
        self.ended = None  # 'eof' or 'reset' once the peer's side ended
        self.thread = threading.Thread(target=self._read, args=(pending,),
                                       daemon=True)
        self.thread.start()

    def _read(self, pending):
        data = pending
        while True:
            if data:
                got = self.reader.feed(data)
                with self.cv:
                    self.events.extend(got)
                    self.cv.notify_all()
            try:
                data = self.sock.recv(1 << 20)
            except OSError:
                data, end = b"", "reset"
            else:
                end = "eof"
            if not data:
                with self.cv:
                    self.ended = end
                    self.cv.notify_all()
                return

    def wait(self, pred, timeout):
        """True once pred(events, ended) holds, False after timeout s."""
        with self.cv:
            return self.cv.wait_for(lambda: pred(self.events, self.ended),
                                    timeout)

    def snapshot(self):
        with self.cv:
            return list(self.events), self.ended

    def next_message(self, timeout):
        """Takes the next event out of the events if it is a message (so
        that a long run of them is not kept), waiting up to timeout s for
        one; None if none came or the peer sent anything else first."""
        with self.cv:
            self.cv.wait_for(lambda: self.ended or self.events, timeout)
            if self.events and self.events[0][0] == "message":
                return self.events.pop(0)
            return None

    def send(self, data, chop=None, delay=0):
        """Sends data, in writes of chop bytes when given. Returns False
        once the peer has stopped reading (reset or broken pipe)."""
        step = chop or len(data) or 1
        try:
            for at in range(0, len(data), step):
                self.sock.sendall(data[at:at + step])
                if delay:
                    time.sleep(delay)
        except OSError:
            return False
        return True

    def finish(self):
        """Closes our side and waits for the reader to stop."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(5)
        self.sock.close()


def listener():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    s.settimeout(HANDSHAKE_S)
    return s


def read_head(sock):
    """Reads an HTTP header block; returns (head, bytes after it)."""
    data = b""
    sock.settimeout(HANDSHAKE_S)
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    sock.settimeout(None)
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def upgrade_request(key, path=b"/", extra=b""):
    return (b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Key: " + key + b"\r\n"
            b"Sec-WebSocket-Version: 13\r\n" + extra + b"\r\n")


def header_values(head, name):
    """The values of every header line called name, in order."""
    out = []
    for line in head.split(b"\r\n")[1:]:
        n, _, v = line.partition(b":")
        if n.strip().lower() == name:
            out.append(v.strip().decode("latin-1"))
    return out


class Peer:
    """One program under test on one connection. role 'server' runs
    wsinetd --echo and we are its client; role 'client' runs wsclient
    --echo and we are its server. tls: a tls.Pki to speak wss:// with;
    deflate: the case's permessage-deflate negotiation (compression.py),
    which then holds our compressor (deflate.tx)."""

    def __init__(self, role, build, lsock, extra=(), tls=None, deflate=None):
        self.role, self.build, self.lsock = role, build, lsock
        self.extra = list(extra)
        self.tls, self.deflate = tls, deflate
        self.proc, self.conn, self.status = None, None, None
        self.log = b""

    def start_process(self):
        """Starts the program with a TCP connection to us; returns our
        socket, or raises OSError when TLS cannot be set up."""
        port = self.lsock.getsockname()[1]
        if self.role == "server":
            ours = socket.create_connection(("127.0.0.1", port))
            theirs, _ = self.lsock.accept()
            tls = self.tls.wsinetd_args() if self.tls else []
            self.proc = subprocess.Popen(
                [os.path.join(self.build, "wsinetd"), "--echo"] + tls +
                self.extra, stdin=theirs, stdout=theirs,
                stderr=subprocess.PIPE)
            theirs.close()
        else:
            tls = self.tls.wsclient_args() if self.tls else []
            self.proc = subprocess.Popen(
                [os.path.join(self.build, "wsclient"), "--echo"] + tls +
                self.extra + ["%s://127.0.0.1:%d/" % (
                    "wss" if self.tls else "ws", port)],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE)
            ours, _ = self.lsock.accept()
        ours.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if not self.tls:
            return ours
        ours.settimeout(HANDSHAKE_S)
        try:
            ours = self.tls.wrap(ours, self.role == "client")
        except OSError as e:
            ours.close()
            raise OSError("TLS handshake failed: %s" % e)
        ours.settimeout(None)
        return ours

    def open(self):
        """Starts the peer and completes the opening handshake; returns
        None or why it failed."""
        try:
            sock = self.start_process()
        except OSError as e:
            return str(e)
        neg = self.deflate
        if self.role == "server":
            key = base64.b64encode(os.urandom(16))
            extra = b""
            if neg:
                extra = b"Sec-WebSocket-Extensions: %s\r\n" % \
                    neg.offer.encode()
            sock.sendall(upgrade_request(key, extra=extra))
            head, rest = read_head(sock)
            if not head.startswith(b"HTTP/1.1 101 ") or \
                    accept_key(key) not in head:
                return "no valid 101 answer: %r" % head[:200]
            if neg:
                why = neg.answered(header_values(
                    head, b"sec-websocket-extensions"))
                if why:
                    return why
        else:
            head, rest = read_head(sock)
            key = header_values(head, b"sec-websocket-key")
            if not key:
                return "no Sec-WebSocket-Key in %r" % head[:200]
            extra = b""
            if neg:
                answer, why = neg.answer(header_values(
                    head, b"sec-websocket-extensions"))
                if why:
                    return why
                extra = b"Sec-WebSocket-Extensions: %s\r\n" % \
                    answer.encode()
            sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\n"
                         b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                         b"Sec-WebSocket-Accept: " +
                         accept_key(key[0].encode()) + b"\r\n" + extra +
                         b"\r\n")
        self.conn = Conn(sock, self.role == "client", rest,
                         neg.rx if neg else None)
        return None

    def stop(self):
        """Closes our side, waits for the program to exit (killing it
        after EXIT_S) and returns its exit status (None when killed)."""
        if self.conn:
            self.conn.finish()
        try:
            _, err = self.proc.communicate(timeout=EXIT_S)
            self.status = self.proc.returncode
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
            self.status = None
        self.log = err or b""
        return self.status
