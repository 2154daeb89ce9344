# SPDX-License-Identifier: ISC
"""Categories 1-5, 7, 9 and 10 of the Autobahn TestSuite's case list, by
its numbers and descriptions, written afresh. Cases we added beyond
Autobahn's list say "(ours)" and take numbers Autobahn does not use."""
import time

from suite import add, case
from wire import BINARY, CLOSE, CONT, PING, PONG, TEXT

HELLO = b"Hello, world!"
BIN8 = b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff"
KiB, MiB = 1024, 1024 * 1024


# ---- 1 Framing ----

def echo_case(op, n, chop=None):
    payload = (b"*" if op == TEXT else b"\xfe") * n

    def body(t):
        t.send(op, payload, chop=chop)
        t.expect(op, payload)
        t.sync()
        t.clean()
    return body


LENGTHS = (0, 125, 126, 127, 128, 65535, 65536)
for sub, (op, kind) in enumerate(((TEXT, "text"), (BINARY, "binary")), 1):
    for i, n in enumerate(LENGTHS, 1):
        add("1.%d.%d" % (sub, i),
            "Send %s message with payload %d" % (kind, n), echo_case(op, n))
    add("1.%d.8" % sub, "Send %s message with payload 65536, in chops of "
        "997 octets" % kind, echo_case(op, 65536, chop=997))


def wrong_mask(op, payload):
    def body(t):
        t.send(op, payload, masked=t.role == "client")
        t.fail(1002)
    return body


for i, (op, payload) in enumerate(((TEXT, HELLO), (PING, HELLO),
                                   (CLOSE, b"\x03\xe8"), (BINARY, b"")), 1):
    add("1.3.%d" % i, "(ours) Send a %s frame masked the wrong way for the "
        "role (unmasked to a server, masked to a client)" %
        {1: "text", 2: "binary", 8: "close", 9: "ping"}[op],
        wrong_mask(op, payload))

add("1.4.1", "(ours) Send text message with payload 125, one octet per "
    "write", echo_case(TEXT, 125, chop=1))
add("1.4.2", "(ours) Send binary message with payload 65536 (64-bit "
    "length), one octet per write", echo_case(BINARY, 65536, chop=1))
add("1.4.3", "(ours) Send binary message with payload 300 (16-bit "
    "length), one octet per write", echo_case(BINARY, 300, chop=1))


# ---- 2 Pings/Pongs ----

def ping_case(payload, chop=None, delay=0):
    def body(t):
        t.ping(payload, chop=chop, delay=delay)
        t.expect_pong(payload)
        t.sync()
        t.clean()
    return body


add("2.1", "Send ping without payload", ping_case(b""))
add("2.2", "Send ping with small text payload", ping_case(HELLO))
add("2.3", "Send ping with small binary (non UTF-8) payload", ping_case(BIN8))
add("2.4", "Send ping with binary payload of 125 octets",
    ping_case(b"\xfe" * 125))


@case("2.5", "Send ping with binary payload of 126 octets")
def _(t):
    t.ping(b"\xfe" * 126)
    t.fail(1002)


add("2.6", "Send ping with binary payload of 125 octets, in octet-wise "
    "chops", ping_case(b"\xfe" * 125, chop=1, delay=0.001))


@case("2.7", "Send unsolicited pong without payload")
def _(t):
    t.pong(b"")
    t.clean()


@case("2.8", "Send unsolicited pong with payload")
def _(t):
    t.pong(b"unsolicited pong payload")
    t.clean()


@case("2.9", "Send unsolicited pong with payload, then ping with payload")
def _(t):
    t.pong(b"unsolicited pong payload")
    t.ping(b"ping payload")
    t.expect_pong(b"ping payload")
    t.sync()
    t.clean()


def ten_pings(chop=None, delay=0):
    def body(t):
        for i in range(10):
            p = b"payload-%d" % i
            t.ping(p, chop=chop, delay=delay)
            t.expect_pong(p)
        t.sync()
        t.clean()
    return body


add("2.10", "Send 10 pings with payload", ten_pings())
add("2.11", "Send 10 pings with payload, in octet-wise chops with 1 ms "
    "delays", ten_pings(chop=1, delay=0.001))


# ---- 3 Reserved bits ----

def rsv_after_text(rsv, chop=None, per_frame=False):
    def body(t):
        frames = [t.frame(TEXT, HELLO), t.frame(TEXT, HELLO, rsv=rsv),
                  t.frame(PING, b"")]
        t.expect(TEXT, HELLO)
        t.fail(1002)
        if per_frame or chop:
            for f in frames:
                t.raw(f, chop, 0.001 if chop else 0)
                time.sleep(0.01)
        else:
            t.raw(b"".join(frames))
    return body


def rsv_alone(rsv, op, payload):
    def body(t):
        t.send(op, payload, rsv=rsv)
        t.fail(1002)
    return body


add("3.1", "Send small text message with RSV = 1", rsv_alone(1, TEXT, HELLO))
add("3.2", "Send small text message, then another with RSV = 2, then ping",
    rsv_after_text(2))
add("3.3", "Send small text message, then another with RSV = 3, then ping; "
    "frame-wise chops", rsv_after_text(3, per_frame=True))
add("3.4", "Send small text message, then another with RSV = 4, then ping; "
    "octet-wise chops", rsv_after_text(4, chop=1))
add("3.5", "Send small binary message with RSV = 5",
    rsv_alone(5, BINARY, BIN8))
add("3.6", "Send ping with RSV = 6", rsv_alone(6, PING, HELLO))
add("3.7", "Send close with RSV = 7", rsv_alone(7, CLOSE, b"\x03\xe8"))


# ---- 4 Opcodes ----

def reserved_op(op, payload, after_text):
    def body(t):
        frames = [t.frame(op, payload), t.frame(PING, b"")]
        if after_text:
            frames.insert(0, t.frame(TEXT, HELLO))
            t.expect(TEXT, HELLO)
        t.raw(b"".join(frames))
        t.fail(1002)
    return body


for sub, ops in ((1, (3, 4, 5, 6, 7)), (2, (11, 12, 13, 14, 15))):
    for i, op in enumerate(ops, 1):
        payload = b"reserved opcode payload" if i % 2 == 0 else b""
        after = i >= 3
        add("4.%d.%d" % (sub, i), "Send %sframe with reserved %s opcode = %d"
            "%s%s" % ("small text message, then " if after else "",
                      "non-control" if sub == 1 else "control", op,
                      " and non-empty payload" if payload else "",
                      ", then ping" if after else ""),
            reserved_op(op, payload, after))


# ---- 5 Fragmentation ----

def frames_case(specs, expect=(), fail=False, chop=None, per_frame=False,
                delay=0):
    """specs: (op, payload, fin) sent in one write, frame by frame, or
    octet by octet; expect: events wanted; fail: the peer must fail."""
    def body(t):
        frames = [t.frame(op, p, fin) for op, p, fin in specs]
        for e in expect:
            if e[0] == "pong":
                t.expect_pong(e[1])
            else:
                t.expect(e[0], e[1])
        if fail:
            t.fail(1002)
        if per_frame or chop:
            for f in frames:
                t.raw(f, chop, 0.001 if chop else 0)
                time.sleep(delay or 0.01)
        else:
            t.raw(b"".join(frames))
        if not fail:
            t.sync()
    return body


F1, F2 = b"fragment1", b"fragment2"
CHOPS = ((None, False, "in one chop"), (None, True, "in frame-wise chops"),
         (1, False, "in octet-wise chops"))

add("5.1", "Send ping in 2 fragments",
    frames_case([(PING, F1, False), (CONT, F2, True)], fail=True))
add("5.2", "Send pong in 2 fragments",
    frames_case([(PONG, F1, False), (CONT, F2, True)], fail=True))
for i, (chop, pf, how) in enumerate(CHOPS):
    add("5.%d" % (3 + i), "Send text message in 2 fragments, %s" % how,
        frames_case([(TEXT, F1, False), (CONT, F2, True)],
                    [(TEXT, F1 + F2)], chop=chop, per_frame=pf))
    add("5.%d" % (6 + i), "Send text message in 2 fragments with a ping "
        "with payload between them, %s" % how,
        frames_case([(TEXT, F1, False), (PING, b"ping payload", True),
                     (CONT, F2, True)],
                    [("pong", b"ping payload"), (TEXT, F1 + F2)],
                    chop=chop, per_frame=pf))
    add("5.%d" % (9 + i), "Send unfragmented text message after a "
        "continuation frame with FIN = true where there is nothing to "
        "continue, %s" % how,
        frames_case([(CONT, b"non-continuation payload", True),
                     (TEXT, HELLO, True)], fail=True, chop=chop, per_frame=pf))
    add("5.%d" % (12 + i), "Send unfragmented text message after a "
        "continuation frame with FIN = false where there is nothing to "
        "continue, %s" % how,
        frames_case([(CONT, b"non-continuation payload", False),
                     (TEXT, HELLO, True)], fail=True, chop=chop, per_frame=pf))

add("5.15", "Send text message in 2 fragments, then a continuation frame "
    "with FIN = false where there is nothing to continue, then an "
    "unfragmented text message, in one chop",
    frames_case([(TEXT, F1, False), (CONT, F2, True), (CONT, b"fragment3",
                                                       False),
                 (TEXT, b"fragment4", True)], [(TEXT, F1 + F2)], fail=True))
for i, fin in ((16, False), (17, True)):
    add("5.%d" % i, "Repeated 2x: continuation frame with FIN = %s (nothing "
        "to continue), then text message in 2 fragments" %
        ("true" if fin else "false"),
        frames_case([(CONT, F1, fin), (TEXT, F2, False),
                     (CONT, b"fragment3", True)] * 2, fail=True))
add("5.18", "Send text message in 2 fragments, both with the text opcode",
    frames_case([(TEXT, F1, False), (TEXT, F2, True)], fail=True))

FIVE = [(TEXT, F1, False), (CONT, F2, False), (PING, b"pongme 1!", True),
        (CONT, b"fragment3", False), (PING, b"pongme 2!", True),
        (CONT, b"fragment4", False), (CONT, b"fragment5", True)]
FIVE_EXPECT = [("pong", b"pongme 1!"), ("pong", b"pongme 2!"),
               (TEXT, b"fragment1fragment2fragment3fragment4fragment5")]
add("5.19", "Send text message in 5 fragments with pings between "
    "fragments 2/3 and 3/4, with delays",
    frames_case(FIVE, FIVE_EXPECT, per_frame=True, delay=0.1))
add("5.20", "Same as 5.19, in octet-wise chops",
    frames_case(FIVE, FIVE_EXPECT, chop=1))

ONES = bytes(range(64))
add("5.21", "(ours) Send binary message of 64 octets in 1-octet fragments",
    frames_case([(BINARY, ONES[:1], False)] +
                [(CONT, ONES[i:i + 1], i == 63) for i in range(1, 64)],
                [(BINARY, ONES)]))
add("5.22", "(ours) Send binary message in 1-octet fragments with a ping "
    "after every fragment",
    frames_case([(BINARY, b"a", False), (PING, b"1", True),
                 (CONT, b"b", False), (PING, b"2", True), (CONT, b"c", True)],
                [("pong", b"1"), ("pong", b"2"), (BINARY, b"abc")]))
add("5.23", "(ours) Send text message whose first, middle and last "
    "fragments are empty",
    frames_case([(TEXT, b"", False), (CONT, b"", False), (CONT, b"mid", False),
                 (CONT, b"", False), (CONT, b"", True)], [(TEXT, b"mid")]))


# ---- 7 Close handling ----

@case("7.1.1", "Send a message followed by a close frame")
def _(t):
    t.send(TEXT, b"Hello World!")
    t.expect(TEXT, b"Hello World!")
    t.clean()


@case("7.1.2", "Send two close frames")
def _(t):
    t.send_close(1000)
    t.send_close(1000)
    t.clean()


@case("7.1.3", "Send a ping after the close message")
def _(t):
    t.send_close(1000)
    t.ping(b"")
    t.clean()


@case("7.1.4", "Send text message after sending a close frame")
def _(t):
    t.send_close(1000)
    t.send(TEXT, b"Hello World!")
    t.clean()


@case("7.1.5", "Send message fragment 1 followed by close then fragment 2")
def _(t):
    t.send(TEXT, F1, fin=False)
    t.send_close(1000)
    t.send(CONT, F2)
    t.clean()


@case("7.1.6", "Send 256K message followed by close then a ping", info=True)
def _(t):
    big = b"BAsd7&jh23" * (256 * KiB // 10)
    t.send(TEXT, big)
    t.send(TEXT, b"Hello World!")
    t.send_close(1000)
    t.ping(b"")
    t.expect(TEXT, big)
    t.expect(TEXT, b"Hello World!")
    t.clean()


@case("7.1.7", "(ours) Send a 256K message and a close frame in one write")
def _(t):
    # The echo fills the peer's output past its high-water mark while
    # the close frame already waits, read, in its input: it must still
    # be answered once the echo is out.
    big = b"BAsd7&jh23" * (256 * KiB // 10)
    t.raw(t.frame(TEXT, big) + t.frame(CLOSE, b"\x03\xe8"))
    t.close_sent, t.sent_close = True, 1000
    t.expect(TEXT, big)
    t.clean()


def close_case(payload, codes, fail):
    def body(t):
        t.send_close(payload=payload)
        if fail:
            t.fail(*codes)
        else:
            t.clean(*codes)
    return body


add("7.3.1", "Send a close frame with payload length 0 (no close code)",
    close_case(b"", (None, 1000), False))
add("7.3.2", "Send a close frame with payload length 1",
    close_case(b"a", (1002,), True))
add("7.3.3", "Send a close frame with close code 1000 and no reason",
    close_case(b"\x03\xe8", (1000,), False))
add("7.3.4", "Send a close frame with close code and close reason",
    close_case(b"\x03\xe8Hello World!", (1000,), False))
add("7.3.5", "Send a close frame with close code and a reason of 123 octets",
    close_case(b"\x03\xe8" + b"*" * 123, (1000,), False))
add("7.3.6", "Send a close frame with close code and a reason of 124 octets "
    "(payload over 125)", close_case(b"\x03\xe8" + b"*" * 124, (1002,), True))
add("7.5.1", "Send a close frame with a reason that is not valid UTF-8",
    close_case(b"\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0"
               b"\x80edited", (1007,), True))

VALID = (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999,
         4000, 4999)
for i, code in enumerate(VALID, 1):
    add("7.7.%d" % i, "Send close with valid close code %d" % code,
        close_case(code.to_bytes(2, "big"), (1000, code), False))
# Registered with IANA after Autobahn fixed its list: accepting them is
# right today, refusing them was right in 2011.
for i, code in enumerate((1012, 1013, 1014), 14):
    add("7.7.%d" % i, "(ours) Send close with close code %d, registered "
        "since RFC 6455" % code,
        close_case(code.to_bytes(2, "big"), (1000, code), False), info=True)

INVALID = (0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999)
for i, code in enumerate(INVALID, 1):
    add("7.9.%d" % i, "Send close with invalid close code %d" % code,
        close_case(code.to_bytes(2, "big"), (1002,), True))
add("7.9.10", "(ours) Send close with close code 1015 (reserved for TLS "
    "failures, never sent)", close_case(b"\x03\xf7", (1002,), True))
add("7.13.1", "Send close with close code 5000",
    close_case((5000).to_bytes(2, "big"), (1002,), True))
add("7.13.2", "Send close with close code 65535",
    close_case((65535).to_bytes(2, "big"), (1002,), True))


# ---- 9 Limits/performance (peers run with --max-message 16m) ----
# make check runs one or a few cases of each group, to keep it quick on
# a small machine; --full (make check-full) runs them all: messages of 4
# to 16 MiB, 4 MiB in fragments of every size, 1 MiB in chops of every
# size, 1000 round trips of every size, octet-per-write messages.

def big_case(op, n, frag=None, chop=None):
    def body(t):
        payload = (b"*" if op == TEXT else b"\xfe") * n
        if frag:
            frames = [t.frame(op if at == 0 else CONT, payload[at:at + frag],
                              at + frag >= n) for at in range(0, n, frag)]
            t.raw(b"".join(frames))
        else:
            t.send(op, payload, chop=chop)
        t.expect(op, payload)
        t.sync(30)
        t.clean()
    return body


def many_case(op, n, count=1000):
    payload = (b"*" if op == TEXT else b"\xfe") * n

    def body(t):
        for i in range(count):
            t.send(op, payload)
            t.expect(op, payload)
            if not t.conn.wait(lambda ev, end, k=i + 1: end or len(ev) >= k,
                               5):
                break
        t.clean()
    return body


SIZES = (64 * KiB, 256 * KiB, MiB, 4 * MiB, 8 * MiB, 16 * MiB)
FRAGS = (64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB, 4 * MiB)
CHOP_SIZES = (64, 128, 256, 512, 1024, 2048)
SMALL = (0, 16, 64, 256, 1024, 4096)


def size_name(n):
    return "%dM" % (n // MiB) if n >= MiB else "%dK" % (n // KiB) \
        if n >= KiB else "%d" % n


for sub, (op, kind) in enumerate(((TEXT, "text"), (BINARY, "binary")), 1):
    for i, n in enumerate(SIZES, 1):
        add("9.%d.%d" % (sub, i), "Send %s message of %s" % (kind,
                                                             size_name(n)),
            big_case(op, n), max_message="16m", full=n > MiB)
    for i, f in enumerate(FRAGS, 1):
        add("9.%d.%d" % (sub + 2, i), "Send fragmented %s message of 4M in "
            "fragments of %s" % (kind, size_name(f)),
            big_case(op, 4 * MiB, frag=f), max_message="16m",
            full=f != MiB)
    for i, c in enumerate(CHOP_SIZES, 1):
        add("9.%d.%d" % (sub + 4, i), "Send %s message of 1M in chops of %d"
            % (kind, c), big_case(op, MiB, chop=c), max_message="16m",
            full=c != 256)
    for i, n in enumerate(SMALL, 1):
        add("9.%d.%d" % (sub + 6, i), "Send 1000 %s messages of %d octets, "
            "each after the echo of the one before" % (kind, n),
            many_case(op, n), max_message="16m", full=n != 64)
    add("9.%d.1" % (sub + 8), "(ours) Send %s message of 64K, one octet per "
        "write" % kind, big_case(op, 64 * KiB, chop=1), max_message="16m",
        full=True)


# ---- 10 Auto-fragmentation ----

add("10.1.1", "Send text message of 65536 octets in fragments of 1300; the "
    "echo may be fragmented any way", big_case(TEXT, 65536, frag=1300))
