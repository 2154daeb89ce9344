# SPDX-License-Identifier: ISC
"""Category 6, UTF-8 handling: Autobahn's 6.1-6.4 and its 6.5-6.23
sequences (from Markus Kuhn's UTF-8 decoder stress test), each sent
whole as Autobahn does (6.X.Y) and, ours, in 1-octet fragments
(6.X.Y/frag), as two fragments split at every position (6.X.Y/split,
one case per split of an invalid sequence: each fails its connection;
these two only with --full, as make check-full runs them),
and, for invalid ones, fail-fast: the frame is cut right after the byte
that makes it invalid and the peer must fail before the rest arrives
(6.X.Y/fast; failing only later is NON-STRICT)."""
from suite import add
from wire import CONT, TEXT, utf8_fail_at

KOSME = b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
VALID_TEXT = ("Hello-\u00b5@\u00df\u00f6\u00e4\u00fc\u00e0\u00e1-UTF-8!!"
              .encode())


def fragments(t, parts, op=TEXT):
    """One message in these fragments, sent in one write."""
    last = len(parts) - 1
    t.raw(b"".join(t.frame(op if i == 0 else CONT, p, i == last)
                   for i, p in enumerate(parts)))


def answer(t, payload):
    """Expect the echo of valid text, or failure 1007 for invalid."""
    if utf8_fail_at(payload) is None:
        t.expect(TEXT, payload)
        t.sync()
        t.clean()
    else:
        t.fail(1007)


def in_parts(parts):
    def body(t):
        fragments(t, parts)
        answer(t, b"".join(parts))
    return body


def octets(p):
    return [p[i:i + 1] for i in range(len(p))] or [b""]


add("6.1.1", "Send text message of length 0", in_parts([b""]))
add("6.1.2", "Send fragmented text message, 3 fragments each of length 0",
    in_parts([b"", b"", b""]))
add("6.1.3", "Send fragmented text message, 3 fragments, first and last of "
    "length 0, middle non-empty", in_parts([b"", b"middle frame payload",
                                            b""]))
add("6.2.1", "Send a valid UTF-8 text message in one fragment",
    in_parts([VALID_TEXT]))
add("6.2.2", "Send a valid UTF-8 text message in 2 fragments, split on a "
    "code point boundary", in_parts([VALID_TEXT[:14], VALID_TEXT[14:]]))
add("6.2.3", "Send a valid UTF-8 text message in fragments of 1 octet, "
    "splitting code points", in_parts(octets(VALID_TEXT)))
add("6.2.4", "Send a valid UTF-8 text message (kosme) in fragments of 1 "
    "octet", in_parts(octets(KOSME)))
BAD = KOSME + b"\xed\xa0\x80edited"
add("6.3.1", "Send invalid UTF-8 text message unfragmented", in_parts([BAD]))
add("6.3.2", "Send invalid UTF-8 text message in fragments of 1 octet",
    in_parts(octets(BAD)))


def fast_fragments(parts):
    """Autobahn 6.4.1/6.4.2: three fragments; the second makes the text
    invalid, so the peer must fail before the third."""
    def body(t):
        frames = [t.frame(TEXT, parts[0], False),
                  t.frame(CONT, parts[1], False), t.frame(CONT, parts[2])]
        t.fail_fast(frames[0] + frames[1], frames[2])
    return body


def fast_frame(payload, chop=None):
    """One frame cut right after the first byte that makes payload
    invalid: the peer must fail before the rest of the frame."""
    def body(t):
        at = utf8_fail_at(payload) + 1
        f = t.frame(TEXT, payload)
        cut = len(f) - len(payload) + at
        t.fail_fast(f[:cut], f[cut:], chop=chop)
    return body


add("6.4.1", "Send 3 fragments, the second invalid UTF-8 (a code point "
    "above U+10FFFF); fail-fast", fast_fragments(
        [KOSME, b"\xf4\x90\x80\x80", b"edited"]))
add("6.4.2", "Send 3 fragments, the second's single octet making the text "
    "invalid; fail-fast", fast_fragments(
        [KOSME + b"\xf4", b"\x90", b"\x80\x80edited"]))
add("6.4.3", "Send one text frame in 3 chops, the second invalid; "
    "fail-fast", fast_frame(KOSME + b"\xf4\x90\x80\x80edited"))
add("6.4.4", "Send one text frame in 3 chops, the second a single "
    "invalid octet; fail-fast",
    fast_frame(KOSME + b"\xf4\x90\x80\x80edited", chop=1))


def sequences():
    """Autobahn's 6.5-6.23 groups: [(title, [bytes, ...]), ...]."""
    g = [("Some valid UTF-8 sequences",
          [b"hello\x24world", b"hello\xc2\xa2world",
           b"hello\xe2\x82\xacworld", b"hello\xf0\xa4\xad\xa2world", KOSME]),
         ("All prefixes of a valid UTF-8 string that contains multi-byte "
          "code points", [KOSME[:i] for i in range(1, len(KOSME) + 1)]),
         ("First possible sequence of a certain length",
          [b"\x00", b"\xc2\x80", b"\xe0\xa0\x80", b"\xf0\x90\x80\x80"]),
         ("First possible sequence length 5/6 (invalid code points)",
          [b"\xf8\x88\x80\x80\x80", b"\xfc\x84\x80\x80\x80\x80"]),
         ("Last possible sequence of a certain length",
          [b"\x7f", b"\xdf\xbf", b"\xef\xbf\xbf", b"\xf4\x8f\xbf\xbf"]),
         ("Last possible sequence length 4/5/6 (invalid code points)",
          [b"\xf7\xbf\xbf\xbf", b"\xfb\xbf\xbf\xbf\xbf",
           b"\xfd\xbf\xbf\xbf\xbf\xbf"]),
         ("Other boundary conditions",
          [b"\xed\x9f\xbf", b"\xee\x80\x80", b"\xef\xbf\xbd",
           b"\xf4\x8f\xbf\xbf", b"\xf4\x90\x80\x80"]),
         ("Unexpected continuation bytes",
          [b"\x80", b"\xbf", b"\x80\xbf", b"\x80\xbf\x80",
           b"\x80\xbf\x80\xbf", b"\x80\xbf\x80\xbf\x80",
           b"\x80\xbf\x80\xbf\x80\xbf", bytes(range(0x80, 0xbf))]),
         ("Lonely start characters",
          [b"".join(bytes([c, 0x20]) for c in range(lo, hi))
           for lo, hi in ((0xc0, 0xdf), (0xe0, 0xef), (0xf0, 0xf7),
                          (0xf8, 0xfb), (0xfc, 0xfd))])]
    cut = [b"\xc0", b"\xe0\x80", b"\xf0\x80\x80", b"\xf8\x80\x80\x80",
           b"\xfc\x80\x80\x80\x80", b"\xdf", b"\xef\xbf", b"\xf7\xbf\xbf",
           b"\xfb\xbf\xbf\xbf", b"\xfd\xbf\xbf\xbf\xbf"]
    g += [("Sequences with last continuation byte missing", cut),
          ("Concatenation of incomplete sequences", [b"".join(cut)]),
          ("Impossible bytes", [b"\xfe", b"\xff", b"\xfe\xfe\xff\xff"]),
          ("Examples of an overlong ASCII character",
           [b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf",
            b"\xf8\x80\x80\x80\xaf", b"\xfc\x80\x80\x80\x80\xaf"]),
          ("Maximum overlong sequences",
           [b"\xc1\xbf", b"\xe0\x9f\xbf", b"\xf0\x8f\xbf\xbf",
            b"\xf8\x87\xbf\xbf\xbf", b"\xfc\x83\xbf\xbf\xbf\xbf"]),
          ("Overlong representation of the NUL character",
           [b"\xc0\x80", b"\xe0\x80\x80", b"\xf0\x80\x80\x80",
            b"\xf8\x80\x80\x80\x80", b"\xfc\x80\x80\x80\x80\x80"]),
          ("Single UTF-16 surrogates",
           [b"\xed\xa0\x80", b"\xed\xad\xbf", b"\xed\xae\x80",
            b"\xed\xaf\xbf", b"\xed\xb0\x80", b"\xed\xbe\x80",
            b"\xed\xbf\xbf"]),
          ("Paired UTF-16 surrogates",
           [hi + lo for hi in (b"\xed\xa0\x80", b"\xed\xad\xbf",
                               b"\xed\xae\x80", b"\xed\xaf\xbf")
            for lo in (b"\xed\xb0\x80", b"\xed\xbf\xbf")])]
    nonchars = [b"\xef\xbf\xbe", b"\xef\xbf\xbf"]
    for z1 in b"\xf0\xf1\xf2\xf3\xf4":
        for z2 in b"\x8f\x9f\xaf\xbf":
            if z1 == 0xf4 and z2 != 0x8f:
                continue  # above U+10FFFF
            for z3 in b"\xbe\xbf":
                zz = bytes([z1, z2, 0xbf, z3])
                if zz not in (b"\xf0\x8f\xbf\xbe", b"\xf0\x8f\xbf\xbf"):
                    nonchars.append(zz)
    g += [("Non-character code points (valid UTF-8)", nonchars),
          ("Unicode specials (i.e. replacement char)",
           [b"\xef\xbf" + bytes([c]) for c in range(0xb9, 0xc0)])]
    return g


def split_valid(payload):
    """All two-fragment splits of valid text on one connection."""
    def body(t):
        for k in range(1, len(payload)):
            fragments(t, [payload[:k], payload[k:]])
            t.expect(TEXT, payload)
        t.sync()
        t.clean()
    return body


def add_sequence(cid, payload):
    valid = utf8_fail_at(payload) is None
    what = "valid" if valid else "invalid"
    add(cid, "Send a text message of %s UTF-8 %s in one fragment" %
        (what, payload.hex()), in_parts([payload]))
    add(cid + "/frag", "(ours) The same in fragments of 1 octet",
        in_parts(octets(payload)), full=True)
    if valid and len(payload) > 1:
        add(cid + "/split", "(ours) The same as 2 fragments split at every "
            "position, one message per split", split_valid(payload),
            full=True)
    if valid:
        return
    # Splits after the first byte that rules the text out would only
    # repeat the whole case: that first fragment fails already.
    for k in range(1, min(len(payload), utf8_fail_at(payload) + 2)):
        add("%s/split%d" % (cid, k), "(ours) The same as 2 fragments "
            "split after octet %d" % k,
            in_parts([payload[:k], payload[k:]]), full=True)
    # Framed by valid text, so that even a sequence that is only cut
    # short has a byte after it that rules it out.
    add(cid + "/fast", "(ours) The same between valid text, one frame cut "
        "right after the first byte that makes it invalid; fail-fast",
        fast_frame(b"pre " + payload + b" post"))


for i, (title, seqs) in enumerate(sequences(), 5):
    for j, s in enumerate(seqs, 1):
        add_sequence("6.%d.%d" % (i, j), s)
