# SPDX-License-Identifier: ISC
"""Categories 12 and 13, permessage-deflate (RFC 7692), after the
Autobahn TestSuite's: 1000 messages of one size (16 bytes to 128 KiB),
each sent compressed (in frames of 256 bytes to 32 KiB of compressed
payload for the auto-fragmenting ones) once the echo of the one before
has come back, cut one after the other from a corpus as Autobahn does.
12.X: the five corpora with the default negotiation; 13.1-13.7: the
JSON corpus under each of Autobahn's offer/accept combinations; 13.8
and 13.9 (ours): 9-bit windows, and an unasked server_no_context_takeover
for wsclient. In the server
role we offer what Autobahn's client offers and check the answer keeps
RFC 7692 section 7; in the client role we answer wsclient's offer the
way Autobahn's server would. Each case runs the program with
--compression-min 0, so that it may compress any message.

A case is OK when every echo is byte for byte what we sent, with its
opcode, inflates under exactly the agreed parameters (window bits,
context takeover: a peer exceeding either fails to inflate), and came
compressed (RSV1) whenever a fresh deflate at level 1 with a 512-byte
window, the least a peer would manage, makes it a tenth smaller: so a
silent fallback to sending as is fails. The corpora are made here, from
a seeded generator (nothing is downloaded), about the size of
Autobahn's files: JSON and HTML (ASCII, sent as text), prose with
umlauts, a 512x512 grey BMP and a PDF of deflated streams (sent as
binary, as Autobahn sends its text corpus)."""
import json
import math
import random
import struct
import zlib

from suite import ANSWER_S, add
from wire import BINARY, CONT, RSV1, TEXT, Deflater, Inflater

KiB = 1024
COUNT = 1000
# Autobahn's (payload size, auto-fragment size), for 12.X.1 to 12.X.18.
SIZES = [(16, 0), (64, 0), (256, 0), (KiB, 0), (4 * KiB, 0), (8 * KiB, 0),
         (16 * KiB, 0), (32 * KiB, 0), (64 * KiB, 0), (128 * KiB, 0),
         (8 * KiB, 256), (16 * KiB, 256), (32 * KiB, 256), (64 * KiB, 256),
         (128 * KiB, 256), (128 * KiB, KiB), (128 * KiB, 4 * KiB),
         (128 * KiB, 32 * KiB)]
# make check runs 16 B, 1 KiB and 8 KiB in 256-byte frames of the JSON
# corpus, 1 KiB of the others and of each 13.X, and 8 KiB in frames
# under 13.5's windows of 8 bits; --full all 18 of every group.
QUICK = {1, 4, 11}
ARGS = ["--compression-min", "0"]


# ---- the corpora ----

WORDS = ("the of and to in is that for it as with was on be by at this "
         "from or an are not have which one all they were there been "
         "message frame socket server client window stream compress "
         "buffer length header value system process connection request "
         "answer number string object record field table column").split()
GERMAN = ("und der die das nicht ich ist zu mit sich ein dem den auch auf "
          "so wie wird mir mein dich doch nur noch wohl Geist Welt Herz "
          "Himmel Erde Nacht Tag Zeit Leben Blut Seele Liebe Gott Teufel "
          "schön größer Mädchen Bücher Lüfte hören über müssen Glück "
          "Gefühl Flamme Wissenschaft Natur Träume Stunde").split()


def sentence(r, words, n=None):
    n = n or r.randint(5, 16)
    s = " ".join(r.choice(words) for _ in range(n))
    return s[0].upper() + s[1:] + r.choice(".,;!?.")


def make_json(r):
    rows, size = [], 0
    while size < 152 * KiB:
        user = r.choice(WORDS) + str(r.randint(1, 999))
        row = {"id": len(rows), "user": user,
               "active": r.random() < 0.7, "score": round(r.random() * 100, 3),
               "tags": r.sample(WORDS, r.randint(0, 4)),
               "created": "2013-%02d-%02dT%02d:%02d:%02dZ" % (
                   r.randint(1, 12), r.randint(1, 28), r.randint(0, 23),
                   r.randint(0, 59), r.randint(0, 59)),
               "text": sentence(r, WORDS)}
        rows.append(row)
        size += len(json.dumps(row)) + 6
    return json.dumps(rows, indent=2).encode("ascii")


def make_html(r):
    parts = ["<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
             "<title>Report</title>\n<link rel=\"stylesheet\" href=\"/s.css\">"
             "\n</head>\n<body>\n"]
    size = 0
    while size < 257 * KiB:
        w = r.choice(WORDS)
        block = ['<div class="section %s" id="s%d">\n  <h2>%s</h2>\n' % (
            w, len(parts), sentence(r, WORDS, 4))]
        for _ in range(r.randint(1, 4)):
            block.append('  <p>%s <a href="/%s/%d.html">%s</a> %s</p>\n' % (
                sentence(r, WORDS), w, r.randint(1, 9999), r.choice(WORDS),
                sentence(r, WORDS)))
        block.append("  <ul>\n" + "".join(
            '    <li class="item">%s</li>\n' % sentence(r, WORDS, 3)
            for _ in range(r.randint(0, 5))) + "  </ul>\n</div>\n")
        parts.append("".join(block))
        size += len(parts[-1])
    return ("".join(parts) + "</body>\n</html>\n").encode("ascii")


def make_prose(r):
    lines, size = [], 0
    speakers = ("FAUST.", "MEPHISTOPHELES.", "WAGNER.", "MARGARETE.", "CHOR.")
    while size < 217 * KiB:
        if r.random() < 0.15:
            line = "\n" + r.choice(speakers)
        else:
            line = sentence(r, GERMAN, r.randint(4, 10))
        lines.append(line)
        size += len(line.encode()) + 1
    return "\n".join(lines).encode("utf-8")


def make_bmp(r):
    """A 512x512 picture of 8-bit grey: smooth shapes and some noise,
    with its palette: 263222 bytes, as Autobahn's."""
    w = h = 512
    sx = [math.sin(x / 23.0) for x in range(w)]
    sy = [math.cos(y / 31.0) for y in range(h)]
    sd = [math.sin(d / 57.0) for d in range(w + h)]
    noise = r.randbytes(w * h)
    rows = []
    for y in range(h):
        rows.append(bytes(max(0, min(255, int(128 + 70 * sx[x] * sy[y] +
                                              40 * sd[x + y]) +
                                     noise[y * w + x] % 9 - 4))
                          for x in range(w)))
    palette = b"".join(bytes((g, g, g, 0)) for g in range(256))
    offset = 14 + 40 + len(palette)
    head = b"BM" + struct.pack("<IHHI", offset + w * h, 0, 0, offset)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 8, 0, w * h, 2835, 2835,
                       256, 0)
    return head + info + palette + b"".join(rows)


def make_pdf(r):
    """PDF-like: objects with page text and font and image data as
    deflated streams (so most of it hardly shrinks again), and an xref
    table."""
    out, offsets = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"], []
    size = len(out[0])
    while size < 1000 * KiB:
        if len(offsets) % 3 == 2:
            raw = r.randbytes(r.randint(2 * KiB, 12 * KiB))
        else:
            raw = "".join("BT /F1 11 Tf 72 %d Td (%s) Tj ET\n" % (
                720 - 14 * i, sentence(r, WORDS)) for i in range(48)).encode()
        stream = zlib.compress(raw, 9)
        obj = (b"%d 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" %
               (len(offsets) + 1, len(stream)) + stream +
               b"\nendstream\nendobj\n")
        offsets.append(size)
        out.append(obj)
        size += len(obj)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1)]
    xref += [b"%010d 00000 n \n" % o for o in offsets]
    out.append(b"".join(xref) + b"trailer\n<< /Size %d >>\nstartxref\n%d\n"
               b"%%%%EOF\n" % (len(offsets) + 1, size))
    return b"".join(out)


# (number in 12.X, name, what, maker, sent as binary): Autobahn's order.
CORPORA = [(1, "json", "JSON data", make_json, False),
           (2, "bmp", "a BMP picture, 512x512 grey", make_bmp, True),
           (3, "prose", "human readable text (German)", make_prose, True),
           (4, "html", "an HTML page", make_html, False),
           (5, "pdf", "a PDF-like file", make_pdf, True)]
_made = {}


def corpus(name):
    if name not in _made:
        _, _, _, maker, binary = [c for c in CORPORA if c[1] == name][0]
        _made[name] = (maker(random.Random("wsinetd-" + name)), binary)
    return _made[name]


# ---- negotiation ----

def parse_element(elem):
    """The parameters of one permessage-deflate element as a dict (a
    flag maps to True, a window to its int), or a string saying what is
    wrong with it (RFC 7692 7.1)."""
    name, *params = [p.strip() for p in elem.split(";")]
    if name.lower() != "permessage-deflate":
        return "not permessage-deflate: %r" % elem
    out = {}
    for p in params:
        k, eq, v = [x.strip() for x in p.partition("=")]
        k = k.lower()
        v = v.strip('"')
        if k in out:
            return "duplicate parameter %s" % k
        if k in ("server_no_context_takeover", "client_no_context_takeover"):
            if eq:
                return "%s with a value" % k
            out[k] = True
        elif k in ("server_max_window_bits", "client_max_window_bits"):
            if eq and not (v.isdigit() and v[0] != "0" and 8 <= int(v) <= 15):
                return "%s=%s out of range" % (k, v)
            out[k] = int(v) if eq else True
        else:
            return "unknown parameter %r" % k
    return out


def offer_string(no_context, bits):
    """What Autobahn's client offers for (requestNoContextTakeover,
    requestMaxWindowBits): it accepts both of the server's requests."""
    s = ("permessage-deflate; client_no_context_takeover; "
         "client_max_window_bits")
    if no_context:
        s += "; server_no_context_takeover"
    if bits:
        s += "; server_max_window_bits=%d" % bits
    return s


def fits(offer, answer):
    """Why answer is no valid response to offer (RFC 7692 7.1), or None."""
    if offer.get("server_no_context_takeover") and \
            not answer.get("server_no_context_takeover"):
        return "dropped the server_no_context_takeover we asked for"
    want = offer.get("server_max_window_bits")
    got = answer.get("server_max_window_bits")
    if want and (not got or got > want):
        return "server_max_window_bits %s where we asked for at most %d" % (
            got or "absent", want)
    if "client_max_window_bits" in answer:
        if "client_max_window_bits" not in offer:
            return "client_max_window_bits we did not offer"
        if answer["client_max_window_bits"] is True:
            return "client_max_window_bits without a value"
    return None


class Negotiation:
    """One case's permessage-deflate, for one role. offers: Autobahn's
    client offers, (requestNoContextTakeover, requestMaxWindowBits) each;
    accepts: its server's accept, tried in order: (ask the client for no
    context takeover, client_max_window_bits to answer or 0). Once
    agreed, tx is our compressor and rx our decompressor of the peer's
    messages, with exactly the agreed parameters."""

    def __init__(self, offers, accepts, unasked=None):
        self.offer = ", ".join(offer_string(*o) for o in offers)
        self.offers = [parse_element(offer_string(*o)) for o in offers]
        self.accepts = accepts
        self.unasked = unasked or {}  # more to answer, RFC 7692 allowing
        self.agreed = None
        self.tx = self.rx = None

    def _agree(self, a, role):
        self.agreed = a
        ours, theirs = ("client", "server") if role == "server" else \
            ("server", "client")

        def bits(side):
            b = a.get(side + "_max_window_bits")
            return b if isinstance(b, int) and b is not True else 15
        self.tx = Deflater(bits(ours), a.get(ours + "_no_context_takeover",
                                              False))
        self.rx = Inflater(bits(theirs), a.get(theirs + "_no_context_takeover",
                                               False))

    def answered(self, values):
        """Server role: checks wsinetd's answer; None or what is wrong."""
        if not values:
            return "declined permessage-deflate (we offered %r)" % self.offer
        if len(values) > 1 or "," in values[0]:
            return "answered more than one extension: %r" % values
        a = parse_element(values[0])
        if isinstance(a, str):
            return "answered %r: %s" % (values[0], a)
        whys = [fits(o, a) for o in self.offers]
        if all(whys):
            return "answered %r, which fits no offer: %s" % (
                values[0], "; ".join(whys))
        self._agree(a, "server")
        return None

    def answer(self, values):
        """Client role: (our answer to wsclient's offers, None) the way
        Autobahn's server picks it, or (None, why)."""
        offers = []
        for v in values:
            for elem in v.split(","):
                o = parse_element(elem)
                if isinstance(o, str):
                    return None, "offered %r: %s" % (elem.strip(), o)
                offers.append(o)
        if not offers:
            return None, "offered no permessage-deflate"
        for no_context, bits in self.accepts:
            for o in offers:
                if bits and "client_max_window_bits" not in o:
                    continue
                a = {k: v for k, v in o.items() if k.startswith("server_")}
                a.update(self.unasked)
                if no_context:
                    a["client_no_context_takeover"] = True
                if bits:
                    a["client_max_window_bits"] = bits
                self._agree(a, "client")
                return self.format(a), None
        return None, "offered nothing Autobahn's server would accept: %r" % \
            values

    @staticmethod
    def format(a):
        s = "permessage-deflate"
        for k in ("server_no_context_takeover", "client_no_context_takeover"):
            if a.get(k):
                s += "; " + k
        for k in ("server_max_window_bits", "client_max_window_bits"):
            if a.get(k):
                s += "; %s=%d" % (k, a[k])
        return s


# ---- the cases ----

def shrinks(msg):
    """Does a fresh deflate at level 1 with a 512-byte window make msg
    a tenth smaller? Then any peer compressing it would send it so."""
    z = zlib.compressobj(1, zlib.DEFLATED, -9)
    n = len(z.compress(msg) + z.flush(zlib.Z_SYNC_FLUSH)) - 4
    return n < len(msg) * 0.9


def compressed_frames(t, op, payload, frag):
    step = frag or len(payload) or 1
    return b"".join(t.frame(op if at == 0 else CONT, payload[at:at + step],
                            at + step >= len(payload), RSV1 if at == 0 else 0)
                    for at in range(0, max(len(payload), 1), step))


def echo_run(name, size, frag, count=COUNT):
    def body(t):
        data, binary = corpus(name)
        op = BINARY if binary else TEXT
        at = sent = ours = compressed = 0
        for i in range(count):
            msg = (data[at:at + size] if at + size <= len(data) else
                   data[at:] + data[:(at + size) % len(data)])
            at = (at + size) % len(data)
            z = t.deflate.tx.message(msg)
            t.raw(compressed_frames(t, op, z, frag))
            got = t.conn.next_message(ANSWER_S)
            if got is None:
                t.problems.append("no echo of message %d of %d" % (i + 1,
                                                                   count))
                return
            if got[1] != op or got[2] != msg:
                t.problems.append("the echo of message %d differs: %s of %d "
                                  "bytes for %s of %d" % (
                                      i + 1, got[1], len(got[2]), op, size))
                return
            if got[3] is False and shrinks(msg):
                t.problems.append("echoed message %d uncompressed, though it "
                                  "deflates" % (i + 1))
                return
            sent += len(msg)
            ours += len(z)
            if got[3]:
                compressed += 1
        t.facts.append("%d of %d echoes compressed, ours to %.0f%%; %s" % (
            compressed, count, 100.0 * ours / max(sent, 1),
            Negotiation.format(t.deflate.agreed)))
    return body


def register(cid, desc, offers, accepts, name, size, frag, full,
             roles=("server", "client"), unasked=None):
    add(cid, desc, echo_run(name, size, frag), args=ARGS, full=full,
        roles=roles, deflate=lambda role: Negotiation(offers, accepts,
                                                      unasked))


def size_desc(size, frag):
    return "Send %d compressed messages of %d octets%s" % (
        COUNT, size, ", in frames of %d octets of compressed payload" % frag
        if frag else "")


DEFAULT_OFFER, DEFAULT_ACCEPT = [(False, 0)], [(False, 0)]
for j, name, what, _, binary in CORPORA:
    for i, (size, frag) in enumerate(SIZES, 1):
        register("12.%d.%d" % (j, i), "%s of %s (%s)" % (
            size_desc(size, frag), what, "binary" if binary else "text"),
            DEFAULT_OFFER, DEFAULT_ACCEPT, name, size, frag,
            full=i not in (QUICK if j == 1 else {4}))

# Autobahn's 13.1-13.7: (client offers, server accepts), each as
# (no context takeover, max window bits).
PARAMS = [([(False, 0)], [(False, 0)]),
          ([(True, 0)], [(True, 0)]),
          ([(False, 8)], [(False, 8)]),
          ([(False, 15)], [(False, 15)]),
          ([(True, 8)], [(True, 8)]),
          ([(True, 15)], [(True, 15)]),
          ([(True, 8), (True, 0), (False, 0)],
           [(True, 8), (True, 0), (False, 0)])]
for j, (offers, accepts) in enumerate(PARAMS, 1):
    for i, (size, frag) in enumerate(SIZES, 1):
        register("13.%d.%d" % (j, i), "%s of JSON data; offers (no context "
                 "takeover, max window bits) %s, accepts %s" % (
                     size_desc(size, frag), offers, accepts), offers, accepts,
                 "json", size, frag, full=i not in ({4, 11} if j == 5 else
                                                    {4}))

# Ours: a window of 9 bits each way (the smallest zlib compresses with),
# and, to a client, a server_no_context_takeover it did not ask for
# (RFC 7692 7.1.1.1 lets a server answer it anyway).
for i, (size, frag) in enumerate(SIZES, 1):
    register("13.8.%d" % i, "(ours) %s of JSON data; offers [(False, 9)], "
             "accepts [(False, 9)]" % size_desc(size, frag), [(False, 9)],
             [(False, 9)], "json", size, frag, full=i != 4)
    register("13.9.%d" % i, "(ours) %s of JSON data; the server answers "
             "server_no_context_takeover unasked" % size_desc(size, frag),
             [(False, 0)], [(False, 0)], "json", size, frag, full=i != 4,
             roles=("client",), unasked={"server_no_context_takeover": True})
