# SPDX-License-Identifier: ISC
"""The case registry, what a case can do (class Test), and the verdict
rules, after the Autobahn TestSuite's:
  OK             the peer did what the case expects;
  NON-STRICT     it did something the RFC allows but less than ideal
                 (here: failing invalid UTF-8 only after more of the
                 message than the first invalid byte);
  INFORMATIONAL  the outcome is implementation-defined and only reported;
  FAILED         anything else.
A case ends one of two ways. "Clean": we send a close frame (unless the
case did), the peer must answer with a close frame whose code is in the
expected set and then end the TCP connection. "Fail": the peer must fail
the connection, either by a close frame with one of the expected codes or
by dropping the TCP connection without one. The messages and pongs the
peer sent before its close must be exactly those expected, in order, and
the program must exit with the status its man page documents."""
import struct
import time

from peer import Peer
from wire import CLOSE, PING, PONG, close_payload, frame

OK, NON_STRICT, INFO, FAILED = "OK", "NON-STRICT", "INFORMATIONAL", "FAILED"
# How long a peer may take to answer, fail or close; ample on a loaded
# machine, and only spent when a peer misbehaves.
ANSWER_S = 5
# How long a fail-fast case waits for the failure before it sends the
# rest of the message (Autobahn waits 1 s).
FAST_S = 1

CASES = []
CATEGORIES = {
    "1": "Framing", "2": "Pings/Pongs", "3": "Reserved bits",
    "4": "Opcodes", "5": "Fragmentation", "6": "UTF-8 handling",
    "7": "Close handling", "9": "Limits/performance",
    "10": "Auto-fragmentation", "12": "Deflate, payloads",
    "13": "Deflate, parameters", "H": "Opening handshake",
}


class Case:
    def __init__(self, cid, desc, body, roles, full, info, max_message,
                 raw, args, deflate):
        self.cid, self.desc, self.body = cid, desc, body
        self.roles, self.full, self.info = roles, full, info
        self.max_message, self.raw = max_message, raw
        self.args, self.deflate = list(args), deflate

    @property
    def category(self):
        return self.cid.split(".")[0]


def add(cid, desc, body, roles=("server", "client"), full=False, info=False,
        max_message=None, raw=False, args=(), deflate=None):
    """Registers a case. full: only with --full (slow); info: the
    outcome is INFORMATIONAL whatever it is; raw: the body gets the peer
    before any handshake and returns its list of problems; args: more
    options for the program; deflate: makes the case's permessage-deflate
    negotiation, given the role (compression.py)."""
    CASES.append(Case(cid, desc, body, roles, full, info, max_message, raw,
                      args, deflate))


def case(cid, desc, **kw):
    def register(body):
        add(cid, desc, body, **kw)
        return body
    return register


def data_events(events):
    """The messages and pongs before the peer's close."""
    out = []
    for e in events:
        if e[0] == "close":
            break
        if e[0] in ("message", "pong"):
            out.append(e)
    return out


def short(e):
    if e[0] == "message":
        p = e[2]
        shown = repr(p[:24]) + ("...%d bytes" % len(p) if len(p) > 24 else "")
        return "%s %s" % ({1: "text", 2: "binary"}.get(e[1], e[1]), shown)
    return "%s %r" % (e[0], e[1][:24])


class Test:
    """What a case body uses. Sends mask when we are the client (role
    'server': testing a server) unless told otherwise."""

    def __init__(self, role, conn, deflate=None):
        self.role, self.conn = role, conn
        self.deflate = deflate  # the negotiation, with our compressor
        self.expected = []
        self.end = None  # ('clean', codes, our code) or ('fail', codes)
        self.close_sent = False
        self.sent_close = None  # the code of our close frame, if any
        self.notes = []  # why NON-STRICT
        self.problems = []  # why FAILED
        self.facts = []  # what an OK case measured, for -v

    # ---- sending ----
    def frame(self, op, payload=b"", fin=True, rsv=0, masked=None,
              length=None):
        if masked is None:
            masked = self.role == "server"
        return frame(op, payload, fin, rsv, masked, length)

    def raw(self, data, chop=None, delay=0):
        return self.conn.send(data, chop, delay)

    def send(self, op, payload=b"", fin=True, rsv=0, masked=None, chop=None,
             delay=0):
        return self.raw(self.frame(op, payload, fin, rsv, masked), chop, delay)

    def send_close(self, code=1000, reason=b"", payload=None):
        if payload is None:
            payload = close_payload(code, reason)
        if not self.close_sent:
            self.close_sent = True
            self.sent_close = (struct.unpack("!H", payload[:2])[0]
                               if len(payload) >= 2 else None)
        return self.send(CLOSE, payload)

    # ---- expectations ----
    def expect(self, op, payload):
        self.expected.append(("message", op, payload))

    def expect_pong(self, payload):
        self.expected.append(("pong", payload))

    def sync(self, timeout=ANSWER_S):
        """Waits until all that is expected so far has arrived (or the
        peer ended, or timeout): for cases that must not race ahead."""
        n = len(self.expected)
        self.conn.wait(lambda ev, end: end or len(data_events(ev)) >= n or
                       any(e[0] == "close" for e in ev), timeout)

    def clean(self, *codes):
        """The case ends with our close (code 1000 unless already sent);
        the peer must answer with one of codes (default 1000)."""
        if not self.close_sent:
            self.send_close(1000)
        self.end = ("clean", codes or (1000,))

    def fail(self, *codes):
        """The peer must fail the connection with one of codes (default
        1002) or drop it."""
        self.end = ("fail", codes or (1002,))

    def failed_within(self, seconds):
        return self.conn.wait(lambda ev, end: end or any(
            e[0] == "close" for e in ev), seconds)

    def fail_fast(self, first, rest, codes=(1007,), chop=None):
        """Sends first, which ends at the byte that makes the message
        invalid; the peer should fail right there. If it has not after
        FAST_S, sends rest: failing then is NON-STRICT."""
        self.fail(*codes)
        self.raw(first, chop)
        if self.failed_within(FAST_S):
            return
        self.notes.append("failed only after the rest of the message")
        self.raw(rest, chop)

    def ping(self, payload=b"", **kw):
        self.send(PING, payload, **kw)

    def pong(self, payload=b"", **kw):
        self.send(PONG, payload, **kw)


def finish_clean(t, codes):
    conn = t.conn
    got = conn.wait(lambda ev, end: end, ANSWER_S)
    events, ended = conn.snapshot()
    closes = [e for e in events if e[0] == "close"]
    if not closes:
        t.problems.append("no close frame in answer to ours (%s)" %
                          (ended or "still open after %d s" % ANSWER_S))
        return
    if closes[0][1] not in codes:
        t.problems.append("answered close with %s, want %s" %
                          (closes[0][1], "/".join(map(str, codes))))
    if not got:
        t.problems.append("did not end the TCP connection after the close "
                          "handshake")


def finish_fail(t, codes):
    conn = t.conn
    conn.wait(lambda ev, end: end or any(e[0] == "close" for e in ev),
              ANSWER_S)
    events, ended = conn.snapshot()
    closes = [e for e in events if e[0] == "close"]
    if closes:
        code = closes[0][1]
        if code not in codes:
            t.problems.append("failed with close code %s, want %s" %
                              (code, "/".join(map(str, codes))))
        # Complete the handshake as a good peer would, then wait for
        # the peer to end the connection.
        if not t.close_sent:
            t.send_close(payload=close_payload(code))
        if not conn.wait(lambda ev, end: end, ANSWER_S):
            t.problems.append("did not end the TCP connection after its "
                              "close")
    elif not ended:
        t.problems.append("did not fail the connection within %d s" %
                          ANSWER_S)


def expected_exit(t):
    """The exit status both man pages document for this ending."""
    if t.end[0] == "fail":
        return 5
    if t.role == "client":
        # wsclient: 0 when the server closed with 1000, else 7.
        return 0 if t.sent_close == 1000 else 7
    return 0


def judge(c, t, status, started):
    """The verdict and why, once the peer has exited."""
    events, _ = t.conn.snapshot()
    got = data_events(events)
    if got != t.expected:
        t.problems.insert(0, "sent %s, want %s" % (
            "; ".join(map(short, got[:4])) or "nothing",
            "; ".join(map(short, t.expected[:4])) or "nothing"))
    t.problems += [e[1] for e in events if e[0] == "violation"]
    want = expected_exit(t)
    if status != want:
        t.problems.append("exited %s, want %d" % (
            "only when killed" if status is None else status, want))
    took = "%.2f s" % (time.monotonic() - started)
    if c.info:
        why = "; ".join(t.problems + t.notes) or "as expected"
        return INFO, "%s (%s)" % (why, took)
    if t.problems:
        return FAILED, "; ".join(t.problems)
    if t.notes:
        return NON_STRICT, "; ".join(t.notes)
    return OK, "; ".join([took] + t.facts)


def run_raw(c, p, started):
    try:
        problems = c.body(p)
    except OSError as e:  # TLS could not be set up
        p.stop()
        problems = [str(e)]
    if problems:
        return FAILED, "; ".join(problems)
    return OK, "%.2f s" % (time.monotonic() - started)


def run_case(c, role, build, lsock, tls=None):
    """Runs one case against a fresh program, over TLS when tls is a
    tls.Pki; returns (verdict, why)."""
    extra = list(c.args)
    if c.max_message:
        extra += ["--max-message", c.max_message]
    neg = c.deflate(role) if c.deflate else None
    p = Peer(role, build, lsock, extra, tls, neg)
    started = time.monotonic()
    if c.raw:
        return run_raw(c, p, started)
    why = p.open()
    if why:
        p.stop()
        return FAILED, "handshake: " + why + (
            " [log: %s]" % p.log.decode("utf-8", "replace").strip()[-300:]
            if p.log else "")
    t = Test(role, p.conn, neg)
    c.body(t)
    if t.end is None:
        t.clean()
    if t.end[0] == "clean":
        finish_clean(t, t.end[1])
    else:
        finish_fail(t, t.end[1])
    status = p.stop()
    verdict, why = judge(c, t, status, started)
    if verdict == FAILED and p.log:
        why += " [log: %s]" % p.log.decode("utf-8", "replace").strip()[-300:]
    return verdict, why
