# SPDX-License-Identifier: ISC
"""RFC 6455 on the wire, for the conformance suite: the test tools'
frame codec and permessage-deflate transform (tests/tools/wsframe.py,
re-exported here), an incremental reader of the peer's frames that also
checks the peer keeps the rules (RFC 7692's too, once negotiated), and
a UTF-8 checker that says where a fail-fast validator must give up."""
import os
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "tools"))
from wsframe import (BINARY, CLOSE, CONT, OPNAMES, PING, PONG,  # noqa: E402
                     RSV1, TEXT, Deflater, Inflater, accept_key,
                     close_payload, frame, parse_close, pmd_params, take)

__all__ = ["BINARY", "CLOSE", "CONT", "PING", "PONG", "RSV1", "TEXT",
           "Deflater", "FrameReader", "Inflater", "accept_key",
           "close_payload", "frame", "pmd_params", "utf8_fail_at",
           "utf8_valid"]


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
    ('close', code or None, reason) and ('violation', why). With an
    inflater (permessage-deflate negotiated) RSV1 may mark a message's
    first frame, and messages come as ('message', op, payload,
    compressed), inflated."""

    def __init__(self, peer_masks, inflater=None):
        self.peer_masks = peer_masks  # a client must mask, a server not
        self.inflater = inflater
        self.buf = bytearray()
        self.msg_op, self.msg = None, []
        self.msg_compressed = False
        self.closed = False

    def feed(self, data):
        self.buf += data
        out = []
        while True:
            got = self._one()
            if got is None:
                return out
            out.extend(got)

    def _one(self):
        f = take(self.buf)
        if f is None:
            return None
        return self._check(f.fin, f.rsv, f.op, f.key is not None, f.payload)

    def _check(self, fin, rsv, op, masked, payload):
        bad = []
        if self.closed:
            bad.append("a %s frame after its close frame" %
                       OPNAMES.get(op, op))
        compressed = bool(rsv & RSV1 and self.inflater)
        if compressed:
            rsv &= ~RSV1
            if op not in (TEXT, BINARY):  # only a message's first frame
                bad.append("RSV1 on a %s frame" % OPNAMES.get(op, op))
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
        return out + self._data(fin, op, payload, compressed)

    def _control(self, op, payload):
        if op == PING:
            return [("ping", payload)]
        if op == PONG:
            return [("pong", payload)]
        self.closed = True
        if len(payload) == 1:
            return [("violation", "peer sent a 1-byte close payload")]
        return [("close",) + parse_close(payload)]

    def _data(self, fin, op, payload, compressed=False):
        if (op == CONT) != (self.msg_op is not None):
            return [("violation", "peer broke fragmentation rules")]
        if op != CONT:
            self.msg_op, self.msg = op, []
            self.msg_compressed = compressed
        self.msg.append(payload)
        if not fin:
            return []
        op, data = self.msg_op, b"".join(self.msg)
        self.msg_op, self.msg = None, []
        if self.msg_compressed:
            try:
                data = self.inflater.message(data)
            except zlib.error as e:
                return [("violation", "peer sent a compressed message that "
                         "does not inflate with the agreed parameters (%s)"
                         % e)]
        if op == TEXT and not utf8_valid(data):
            return [("violation", "peer sent invalid UTF-8 in a text message")]
        if self.inflater:
            return [("message", op, data, self.msg_compressed)]
        return [("message", op, data)]
