# SPDX-License-Identifier: ISC
"""RFC 6455 on the wire, for the conformance suite: building frames
exactly as told (right or wrong), masking, an incremental reader of the
peer's frames that also checks the peer keeps the rules, and a UTF-8
checker that says where a fail-fast validator must give up."""
import os
import struct

TEXT, BINARY, CONT, CLOSE, PING, PONG = 1, 2, 0, 8, 9, 10
OPNAMES = {0: "cont", 1: "text", 2: "binary", 8: "close", 9: "ping",
           10: "pong"}


def mask_bytes(data, key):
    """XOR data with the 4-byte key; its own inverse. Whole-number XOR
    keeps a 16 MiB payload well under a second."""
    n = len(data)
    if n == 0:
        return b""
    stream = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, "little") ^
            int.from_bytes(stream, "little")).to_bytes(n, "little")


def frame(op, payload=b"", fin=True, rsv=0, masked=True, length=None):
    """One frame. length overrides the declared payload length (to lie
    about it); rsv is the 3-bit RSV field."""
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
    return head + key + mask_bytes(payload, key)


def close_payload(code=None, reason=b""):
    if code is None:
        return b""
    return struct.pack("!H", code) + reason


def utf8_valid(data):
    """Python's strict decoder refuses exactly what RFC 3629 does
    (overlongs, surrogates, above U+10FFFF), and fast."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def utf8_fail_at(data):
    """None when data is valid, complete UTF-8. Otherwise the index of
    the first byte that no valid text can continue with (RFC 3629 table:
    overlongs, surrogates and code points above U+10FFFF are ruled out at
    their second byte), or len(data) when the text is only cut short."""
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b < 0x80:
            i += 1
            continue
        if 0xc2 <= b <= 0xdf:
            need, lo, hi = 1, 0x80, 0xbf
        elif b == 0xe0:
            need, lo, hi = 2, 0xa0, 0xbf
        elif b == 0xed:
            need, lo, hi = 2, 0x80, 0x9f
        elif 0xe1 <= b <= 0xef:
            need, lo, hi = 2, 0x80, 0xbf
        elif b == 0xf0:
            need, lo, hi = 3, 0x90, 0xbf
        elif 0xf1 <= b <= 0xf3:
            need, lo, hi = 3, 0x80, 0xbf
        elif b == 0xf4:
            need, lo, hi = 3, 0x80, 0x8f
        else:
            return i
        for j in range(1, need + 1):
            if i + j >= n:
                return n
            c = data[i + j]
            if not (lo <= c <= hi if j == 1 else 0x80 <= c <= 0xbf):
                return i + j
        i += need + 1
    return None


class FrameReader:
    """Parses what the peer sends into events, checking it keeps the
    protocol: ('message', op, payload), ('ping', p), ('pong', p),
    ('close', code or None, reason) and ('violation', why)."""

    def __init__(self, peer_masks):
        self.peer_masks = peer_masks  # a client must mask, a server not
        self.buf = bytearray()
        self.msg_op, self.msg = None, []
        self.closed = False

    def feed(self, data):
        self.buf += data
        out = []
        while True:
            got = self._one()
            if got is None:
                return out
            out.extend(got)

    def _header(self):
        b = self.buf
        if len(b) < 2:
            return None
        n, at = b[1] & 127, 2
        if n == 126:
            if len(b) < 4:
                return None
            n, at = struct.unpack("!H", b[2:4])[0], 4
        elif n == 127:
            if len(b) < 10:
                return None
            n, at = struct.unpack("!Q", b[2:10])[0], 10
        key = None
        if b[1] & 0x80:
            if len(b) < at + 4:
                return None
            key, at = bytes(b[at:at + 4]), at + 4
        if len(b) < at + n:
            return None
        return n, at, key

    def _one(self):
        h = self._header()
        if h is None:
            return None
        n, at, key = h
        b0 = self.buf[0]
        payload = bytes(self.buf[at:at + n])
        del self.buf[:at + n]
        if key is not None:
            payload = mask_bytes(payload, key)
        fin, rsv, op = b0 & 0x80, b0 >> 4 & 7, b0 & 15
        return self._check(fin, rsv, op, key is not None, payload)

    def _check(self, fin, rsv, op, masked, payload):
        bad = []
        if self.closed:
            bad.append("a %s frame after its close frame" %
                       OPNAMES.get(op, op))
        if rsv:
            bad.append("RSV bits %d set" % rsv)
        if masked != self.peer_masks:
            bad.append("a %smasked frame" % ("" if masked else "un"))
        if op >= 8 and (not fin or len(payload) > 125):
            bad.append("a fragmented or oversized control frame")
        if op not in OPNAMES:
            bad.append("reserved opcode %d" % op)
        out = [("violation", "peer sent " + w) for w in bad]
        if bad:
            return out
        if op >= 8:
            return out + self._control(op, payload)
        return out + self._data(fin, op, payload)

    def _control(self, op, payload):
        if op == PING:
            return [("ping", payload)]
        if op == PONG:
            return [("pong", payload)]
        self.closed = True
        if len(payload) == 1:
            return [("violation", "peer sent a 1-byte close payload")]
        code = struct.unpack("!H", payload[:2])[0] if payload else None
        return [("close", code, payload[2:])]

    def _data(self, fin, op, payload):
        if (op == CONT) != (self.msg_op is not None):
            return [("violation", "peer broke fragmentation rules")]
        if op != CONT:
            self.msg_op, self.msg = op, []
        self.msg.append(payload)
        if not fin:
            return []
        op, data = self.msg_op, b"".join(self.msg)
        self.msg_op, self.msg = None, []
        if op == TEXT and not utf8_valid(data):
            return [("violation", "peer sent invalid UTF-8 in a text message")]
        return [("message", op, data)]
