# SPDX-License-Identifier: ISC
"""WebSocket frames (RFC 6455 section 5) for the test tools and the
conformance suite: building one frame exactly as told, right or wrong
(any opcode, RSV bits, a lying length, masked or not), masking, taking
whole frames out of a buffer or off a socket, close payloads, a frame as
the tools print it, and the handshake's Sec-WebSocket-Accept value.

It judges nothing: frames come back with their bits as they were sent,
for the caller to check. It does no HTTP, no reassembly of fragments
and no UTF-8 checking. permessage-deflate's transform (RFC 7692 7.2) is
here too, with Python's zlib. Python 3 standard library only."""
import base64
import collections
import hashlib
import os
import struct
import zlib

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
CONT, TEXT, BINARY, CLOSE, PING, PONG = 0, 1, 2, 8, 9, 10
OPNAMES = {CONT: "cont", TEXT: "text", BINARY: "binary", CLOSE: "close",
           PING: "ping", PONG: "pong"}

# key is the 4-byte masking key, None for an unmasked frame; payload is
# unmasked.
Frame = collections.namedtuple("Frame", "fin rsv op key payload")


def accept_key(key):
    """The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (bytes)."""
    return base64.b64encode(hashlib.sha1(key + GUID).digest())


def read_head(sock):
    """Reads an HTTP head from sock: (the head, the bytes after its blank
    line), or (what came, None) when the peer closed before the end."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return data, None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def mask(data, key):
    """XOR data with the 4-byte key; its own inverse. Whole-number XOR
    keeps a 16 MiB payload well under a second."""
    n = len(data)
    if n == 0:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^
            int.from_bytes(stream, "little")).to_bytes(n, "little")


def frame(op, payload=b"", fin=True, rsv=0, masked=True, length=None):
    """One frame, masked with a random key unless masked is false.
    length overrides the declared payload length (to lie about it); rsv
    is the 3-bit RSV field."""
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv & 7) << 4 | (op & 15)
    bit = 0x80 if masked else 0
    if n < 126:
        head = struct.pack("!BB", b0, bit | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, bit | 126, n)
    else:
        head = struct.pack("!BBQ", b0, bit | 127, n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + mask(payload, key)


def close_payload(code=None, reason=b""):
    """A close frame's payload: nothing, or the code and the reason."""
    if code is None:
        return b""
    return struct.pack("!H", code) + reason


def parse_close(payload):
    """(code or None, reason) of a close payload of 0 or 2+ bytes."""
    if not payload:
        return None, b""
    return struct.unpack("!H", payload[:2])[0], payload[2:]


def head(data):
    """(header length, payload length) once a whole frame is at the
    start of data, else None; copies nothing. The header length counts
    the masking key."""
    if len(data) < 2:
        return None
    n, at = data[1] & 127, 2
    if n == 126:
        if len(data) < 4:
            return None
        n, at = struct.unpack("!H", data[2:4])[0], 4
    elif n == 127:
        if len(data) < 10:
            return None
        n, at = struct.unpack("!Q", data[2:10])[0], 10
    if data[1] & 0x80:
        at += 4
    return (at, n) if len(data) >= at + n else None


def take(buf):
    """Removes the first whole frame from the bytearray buf and returns
    it as a Frame, or returns None while it is not all there."""
    got = head(buf)
    if got is None:
        return None
    at, n = got
    b0 = buf[0]
    key = bytes(buf[at - 4:at]) if buf[1] & 0x80 else None
    payload = bytes(buf[at:at + n])
    del buf[:at + n]
    if key is not None:
        payload = mask(payload, key)
    return Frame(bool(b0 & 0x80), b0 >> 4 & 7, b0 & 15, key, payload)


def describe(op, payload):
    """One line for a frame, as the tools print them: "text: ...",
    "binary: N bytes", "close: CODE REASON", "opN: ..."."""
    if op == TEXT:
        return "text: " + payload.decode("utf-8", "replace")
    if op == BINARY:
        return "binary: %d bytes" % len(payload)
    if op == CLOSE:
        code, reason = parse_close(payload)
        return ("close: %s %s" % ("" if code is None else code,
                                  reason.decode("utf-8", "replace"))).rstrip()
    return "op%d: %s" % (op, payload.decode("utf-8", "replace"))


class Reader:
    """Whole frames from a stream: recv() returns the next bytes, b""
    at the end. buf holds what is read but not yet taken (pass what came
    with the handshake as data)."""

    def __init__(self, recv, data=b""):
        self.recv, self.buf = recv, bytearray(data)

    def more(self):
        """Reads once into buf; False at the end of the stream."""
        chunk = self.recv()
        self.buf += chunk
        return bool(chunk)

    def frame(self):
        """The next Frame, reading as needed; EOFError if the stream
        ends first."""
        while True:
            got = take(self.buf)
            if got is not None:
                return got
            if not self.more():
                raise EOFError


# ---- permessage-deflate (RFC 7692 section 7.2) ----

RSV1 = 4  # in Frame.rsv and frame(rsv=...)
TAIL = b"\x00\x00\xff\xff"


class Deflater:
    """One direction's compressor: raw deflate, each message flushed
    with Z_SYNC_FLUSH and its tail taken off. zlib refuses a raw window
    of 8 bits, so 8 compresses with 9 (never reaching back past 250
    bytes, so a 256-byte window inflates it)."""

    def __init__(self, bits=15, no_context=False, level=6):
        self.bits, self.no_context, self.level = max(bits, 9), no_context, level
        self.z = self._new()

    def _new(self):
        return zlib.compressobj(self.level, zlib.DEFLATED, -self.bits)

    def message(self, data):
        out = self.z.compress(data) + self.z.flush(zlib.Z_SYNC_FLUSH)
        assert out.endswith(TAIL)
        if self.no_context:
            self.z = self._new()
        return out[:-4]


class Inflater:
    """One direction's decompressor, with the tail put back."""

    def __init__(self, bits=15, no_context=False):
        self.bits, self.no_context = bits, no_context
        self.z = zlib.decompressobj(-bits)

    def message(self, payload, limit=0):
        out = self.z.decompress(payload + TAIL, limit)
        if self.no_context:
            self.z = zlib.decompressobj(-self.bits)
        return out


def deflate_zeros(n, chunk=1 << 24):
    """A raw deflate stream (tail removed) of n zero bytes, made without
    holding them: a bomb of 1 GiB costs about a megabyte."""
    z = zlib.compressobj(9, zlib.DEFLATED, -15)
    zeros = bytes(min(n, chunk))
    parts = []
    while n > 0:
        parts.append(z.compress(zeros[:min(n, chunk)]))
        n -= chunk
    out = b"".join(parts) + z.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4]


def pmd_params(value):
    """The parameters of an answer's single permessage-deflate element,
    as a dict (a flag maps to True), or None when there is none."""
    if not value:
        return None
    name, *params = [p.strip() for p in value.split(";")]
    if name.lower() != "permessage-deflate":
        return None
    out = {}
    for p in params:
        k, _, v = p.partition("=")
        out[k.strip().lower()] = int(v.strip().strip('"')) if v else True
    return out
