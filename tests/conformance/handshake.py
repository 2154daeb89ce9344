# SPDX-License-Identifier: ISC
"""Category H (ours; Autobahn has none): the server's side of the
opening handshake, RFC 6455 4.2.1 and 4.2.2. Each faulty request must be
answered with the expected HTTP status (and 426 with
Sec-WebSocket-Version: 13), the connection ended, and wsinetd must exit
4; the controls, requests that are unusual but valid, must get a 101 and
a working connection."""
import socket

from suite import ANSWER_S
from suite import add
from wire import CLOSE, FrameReader, accept_key, close_payload, frame

KEY = b"dGhlIHNhbXBsZSBub25jZQ=="  # RFC 6455's own example key
LINES = [b"Host: 127.0.0.1", b"Upgrade: websocket", b"Connection: Upgrade",
         b"Sec-WebSocket-Key: " + KEY, b"Sec-WebSocket-Version: 13"]


def request(start=b"GET / HTTP/1.1", drop=(), replace=None, extra=()):
    """The default request, with header lines whose names are in drop
    left out, those in replace swapped, and extra ones added."""
    replace = replace or {}
    out = [start]
    for line in LINES:
        name = line.split(b":")[0].lower()
        if name in replace:
            out.append(replace[name])
        elif name not in drop:
            out.append(line)
    return b"\r\n".join(out + list(extra)) + b"\r\n\r\n"


def read_all(sock):
    sock.settimeout(ANSWER_S)
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                return data, True
            data += chunk
    except socket.timeout:
        return data, False
    except OSError:
        return data, True


def refused(req, statuses=(400,)):
    def body(p):
        sock = p.start_process()
        sock.sendall(req)
        data, ended = read_all(sock)
        sock.close()
        status = p.stop()
        head = data.partition(b"\r\n\r\n")[0]
        line = head.split(b"\r\n")[0].decode("latin-1")
        problems = []
        code = int(line[9:12]) if line[:9] == "HTTP/1.1 " and \
            line[9:12].isdigit() else None
        if code not in statuses:
            problems.append("answered %r, want %s" % (
                line or "nothing", "/".join(map(str, statuses))))
        if code == 426 and b"\r\nsec-websocket-version: 13" not in \
                head.lower():
            problems.append("426 without Sec-WebSocket-Version: 13")
        if not ended:
            problems.append("did not end the connection after its answer")
        if status != 4:
            problems.append("exited %s, want 4" % status)
        return problems
    return body


def accepted(req, chop=None):
    """A valid request: 101 with the right accept key, then a close
    handshake that works."""
    def body(p):
        sock = p.start_process()
        for at in range(0, len(req), chop or len(req)):
            sock.sendall(req[at:at + (chop or len(req))])
        sock.settimeout(ANSWER_S)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            problems = []
            if not head.startswith(b"HTTP/1.1 101 ") or \
                    accept_key(KEY) not in head:
                problems.append("answered %r, want 101" % head[:80])
            else:
                sock.sendall(frame(CLOSE, close_payload(1000)))
                reader = FrameReader(False)
                events = reader.feed(rest)
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    events += reader.feed(chunk)
                if ("close", 1000, b"") not in events:
                    problems.append("no close 1000 in answer to ours")
        except OSError as e:
            problems = ["connection error: %s" % e]
        sock.close()
        status = p.stop()
        if status != 0 and not problems:
            problems.append("exited %s, want 0" % status)
        return problems
    return body


def hs(cid, desc, body):
    add(cid, desc, body, roles=("server",), raw=True)


V = b"sec-websocket-version"
K = b"sec-websocket-key"
hs("H.1.1", "Method POST instead of GET",
   refused(request(b"POST / HTTP/1.1"), (400, 405)))
hs("H.1.2", "Method get in lower case (methods are case-sensitive)",
   refused(request(b"get / HTTP/1.1"), (400, 405)))
hs("H.1.3", "HTTP/1.0", refused(request(b"GET / HTTP/1.0"), (400, 505)))
hs("H.1.4", "A request line without a version",
   refused(request(b"GET /"), (400,)))
hs("H.1.5", "A request line of garbage", refused(b"\x16\x03\x01\x02\x00\x01"
                                                 b"\r\n\r\n", (400,)))
hs("H.2.1", "No Host header", refused(request(drop=(b"host",))))
hs("H.2.2", "Two Host headers",
   refused(request(extra=(b"Host: example.org",))))
hs("H.3.1", "No Upgrade header", refused(request(drop=(b"upgrade",))))
hs("H.3.2", "Upgrade: h2c", refused(request(replace={
    b"upgrade": b"Upgrade: h2c"})))
hs("H.4.1", "No Connection header", refused(request(drop=(b"connection",))))
hs("H.4.2", "Connection: keep-alive, without the Upgrade token",
   refused(request(replace={b"connection": b"Connection: keep-alive"})))
hs("H.4.3", "Connection: upgraded (a token that only starts like Upgrade)",
   refused(request(replace={b"connection": b"Connection: upgraded"})))
hs("H.5.1", "No Sec-WebSocket-Key", refused(request(drop=(K,))))
hs("H.5.2", "Sec-WebSocket-Key of 15 bytes",
   refused(request(replace={K: b"Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA"})))
hs("H.5.3", "Sec-WebSocket-Key that is not base64",
   refused(request(replace={K: b"Sec-WebSocket-Key: " + b"!" * 22 + b"=="})))
hs("H.5.4", "Sec-WebSocket-Key without its padding",
   refused(request(replace={K: b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ"})))
hs("H.5.5", "Two Sec-WebSocket-Key headers",
   refused(request(extra=(b"Sec-WebSocket-Key: " + KEY,))))
hs("H.6.1", "No Sec-WebSocket-Version",
   refused(request(drop=(V,)), (400, 426)))
hs("H.6.2", "Sec-WebSocket-Version: 8",
   refused(request(replace={V: b"Sec-WebSocket-Version: 8"}), (426,)))
hs("H.6.3", "Sec-WebSocket-Version: 14",
   refused(request(replace={V: b"Sec-WebSocket-Version: 14"}), (426,)))
hs("H.6.4", "Sec-WebSocket-Version: 13x",
   refused(request(replace={V: b"Sec-WebSocket-Version: 13x"}), (400, 426)))
hs("H.7.1", "A header line without a colon",
   refused(request(extra=(b"Bogus header line",))))
hs("H.7.2", "A folded header line (obsolete line folding)",
   refused(request(extra=(b"X-A: b", b" c"))))
hs("H.7.3", "A header block over 8 KiB",
   refused(request(extra=(b"X-Big: " + b"a" * 9000,)), (431, 400)))
hs("H.8.1", "(control) Connection: keep-alive, Upgrade",
   accepted(request(replace={b"connection":
                             b"Connection: keep-alive, Upgrade"})))
hs("H.8.2", "(control) Upgrade: WebSocket, in another case",
   accepted(request(replace={b"upgrade": b"Upgrade: WebSocket"})))
hs("H.8.3", "(control) Header names in lower case and no space after ':'",
   accepted(b"GET /chat?x=1 HTTP/1.1\r\nhost:127.0.0.1\r\nupgrade:websocket"
            b"\r\nconnection:upgrade\r\nsec-websocket-key:" + KEY +
            b"\r\nsec-websocket-version:13\r\n\r\n"))
hs("H.8.4", "(control) The request sent one octet at a time",
   accepted(request(), chop=1))
hs("H.8.5", "(control) Extensions and subprotocols offered, declined",
   accepted(request(extra=(b"Sec-WebSocket-Extensions: permessage-deflate",
                           b"Sec-WebSocket-Protocol: chat"))))
