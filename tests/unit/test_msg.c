/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the incremental decoder: byte vectors fed whole, byte by
 * byte and split at every point must give the same transcript of events,
 * and every call must consume a byte or report an event.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define C WS_ROLE_CLIENT /* receives unmasked frames */
#define SV WS_ROLE_SERVER /* receives masked frames */
#define NO_MSG ((size_t)-1)
#define KOSME "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"
#define FF7 "\xff\xff\xff\xff\xff\xff\xff"

/*
 * A transcript writes each event as text: a message as T[...] or B[...]
 * (its chunks joined, "]" once it is finished), <ping ...>, <pong ...>,
 * <close CODE REASON @N> and <error CODE REASON @N>, N being the bytes
 * consumed when it came, so the failing byte is at index N-1. The chunks
 * of a message left unfinished by an error are dropped: how much of it was
 * handed out before the chunk with a bad byte depends on the split.
 */
struct vec {
	const char *name;
	const uint8_t *in;
	size_t inlen;
	enum ws_role role;
	uint64_t max;
	const char *want;
	size_t wantlen;
};

#define V(name, in, role, max, want) \
	{ \
		name, (const uint8_t *)(in), sizeof(in) - 1, role, max, want, \
		    sizeof(want) - 1 \
	}

static const struct vec vecs[] = {
	/* RFC 6455 section 5.7, byte for byte */
	V("RFC 5.7 single-frame unmasked text", "\x81\x05\x48\x65\x6c\x6c\x6f",
	    C, 0, "T[Hello]"),
	V("RFC 5.7 single-frame masked text",
	    "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", SV, 0, "T[Hello]"),
	V("RFC 5.7 fragmented unmasked text",
	    "\x01\x03\x48\x65\x6c\x80\x02\x6c\x6f", C, 0, "T[Hello]"),
	V("RFC 5.7 unmasked ping", "\x89\x05\x48\x65\x6c\x6c\x6f", C, 0,
	    "<ping Hello>"),
	V("RFC 5.7 masked pong", "\x8a\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58",
	    SV, 0, "<pong Hello>"),

	/* messages */
	V("empty text message", "\x81\x00", C, 0, "T[]"),
	V("empty binary message", "\x82\x00", C, 0, "B[]"),
	V("masked empty message", "\x81\x80\x01\x02\x03\x04", SV, 0, "T[]"),
	V("message ending in an empty continuation",
	    "\x01\x03"
	    "abc"
	    "\x80\x00",
	    C, 0, "T[abc]"),
	V("message starting with an empty fragment",
	    "\x01\x00"
	    "\x80\x03"
	    "abc",
	    C, 0, "T[abc]"),
	V("message of empty fragments",
	    "\x01\x00"
	    "\x00\x00"
	    "\x80\x00",
	    C, 0, "T[]"),
	V("three fragments",
	    "\x02\x01"
	    "a"
	    "\x00\x01"
	    "b"
	    "\x80\x01"
	    "c",
	    C, 0, "B[abc]"),
	V("two messages",
	    "\x81\x01"
	    "a"
	    "\x82\x01"
	    "b",
	    C, 0, "T[a]B[b]"),
	V("binary is not UTF-8 checked", "\x82\x03\xff\xfe\x00", C, 0,
	    "B[\xff\xfe\x00]"),
	V("non-minimal 16-bit length accepted",
	    "\x81\x7e\x00\x05"
	    "Hello",
	    C, 0, "T[Hello]"),
	V("non-minimal 64-bit length accepted",
	    "\x81\x7f\x00\x00\x00\x00\x00\x00\x00\x05"
	    "Hello",
	    C, 0, "T[Hello]"),
	V("payload handed out before the frame ends",
	    "\x82\x05"
	    "ab",
	    C, 0, "B[ab"),
	V("valid UTF-8 text", "\x81\x0b" KOSME, C, 0, "T[" KOSME "]"),

	/* control frames */
	V("ping between two fragments",
	    "\x01\x03"
	    "Hel"
	    "\x89\x04"
	    "ping"
	    "\x80\x02"
	    "lo",
	    C, 0, "T[Hel<ping ping>lo]"),
	V("masked ping between two fragments",
	    "\x01\x83\x00\x00\x01\x00"
	    "Hem"
	    "\x89\x82\x01\x01\x01\x01"
	    "qo"
	    "\x80\x82\x00\x00\x00\x00"
	    "lo",
	    SV, 0, "T[Hel<ping pn>lo]"),
	V("pong between two fragments",
	    "\x02\x01"
	    "a"
	    "\x8a\x01"
	    "b"
	    "\x80\x01"
	    "c",
	    C, 0, "B[a<pong b>c]"),
	V("empty ping", "\x89\x00", C, 0, "<ping >"),
	V("empty pong", "\x8a\x00", C, 0, "<pong >"),
	V("ping between UTF-8 halves leaves the text alone",
	    "\x01\x01\xce"
	    "\x89\x02\xff\xfe"
	    "\x80\x01\xba",
	    C, 0, "T[\xce<ping \xff\xfe>\xba]"),
	V("close reason checked apart from the message's UTF-8",
	    "\x01\x01\xce"
	    "\x88\x04\x03\xe8\xce\xba",
	    C, 0, "T[\xce<close 1000 \xce\xba @9>"),
	V("close between two fragments",
	    "\x01\x03"
	    "Hel"
	    "\x88\x02\x03\xe8",
	    C, 0, "T[Hel<close 1000  @9>"),
	V("empty close is 1005", "\x88\x00", C, 0, "<close 1005  @2>"),
	V("close with a code", "\x88\x02\x03\xe8", C, 0, "<close 1000  @4>"),
	V("close with a reason",
	    "\x88\x05\x03\xe8"
	    "bye",
	    C, 0, "<close 1000 bye @7>"),
	V("masked close", "\x88\x82\x37\xfa\x21\x3d\x34\x12", SV, 0,
	    "<close 1000  @8>"),
	V("close with a UTF-8 reason", "\x88\x04\x03\xe8\xce\xba", C, 0,
	    "<close 1000 \xce\xba @6>"),
	V("close code 1003", "\x88\x02\x03\xeb", C, 0, "<close 1003  @4>"),
	V("close code 1007", "\x88\x02\x03\xef", C, 0, "<close 1007  @4>"),
	V("close code 1014", "\x88\x02\x03\xf6", C, 0, "<close 1014  @4>"),
	V("close code 3000", "\x88\x02\x0b\xb8", C, 0, "<close 3000  @4>"),
	V("close code 4999", "\x88\x02\x13\x87", C, 0, "<close 4999  @4>"),
	V("bytes after a close are left alone",
	    "\x88\x00"
	    "\x81\x05"
	    "Hello",
	    C, 0, "<close 1005  @2>"),

	/* first header byte */
	V("RSV1 set", "\xc1\x00", C, 0, "<error 1002 reserved bits set @1>"),
	V("RSV2 set", "\xa1\x00", C, 0, "<error 1002 reserved bits set @1>"),
	V("RSV3 set", "\x91\x00", C, 0, "<error 1002 reserved bits set @1>"),
	V("RSV on a ping", "\xc9\x00", C, 0,
	    "<error 1002 reserved bits set @1>"),
	V("RSV checked before the opcode", "\xf3\x00", C, 0,
	    "<error 1002 reserved bits set @1>"),
	V("opcode 3", "\x83\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode 4", "\x84\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode 5", "\x85\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode 6", "\x86\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode 7", "\x87\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode B", "\x8b\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode C", "\x8c\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode D", "\x8d\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode E", "\x8e\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode F", "\x8f\x00", C, 0, "<error 1002 unknown opcode @1>"),
	V("opcode checked before fragmentation", "\x0b\x00", C, 0,
	    "<error 1002 unknown opcode @1>"),
	V("fragmented ping", "\x09\x00", C, 0,
	    "<error 1002 fragmented control frame @1>"),
	V("fragmented pong", "\x0a\x00", C, 0,
	    "<error 1002 fragmented control frame @1>"),
	V("fragmented close", "\x08\x00", C, 0,
	    "<error 1002 fragmented control frame @1>"),
	V("fragmentation checked before the mask", "\x09\x00", SV, 0,
	    "<error 1002 fragmented control frame @1>"),
	V("continuation without a message", "\x80\x00", C, 0,
	    "<error 1002 continuation without a message @1>"),
	V("continuation after a finished message",
	    "\x81\x01"
	    "a"
	    "\x80\x01"
	    "b",
	    C, 0, "T[a]<error 1002 continuation without a message @4>"),
	V("text inside a fragmented message",
	    "\x01\x01"
	    "a"
	    "\x81\x01"
	    "b",
	    C, 0, "<error 1002 new message inside a fragmented one @4>"),
	V("binary inside a fragmented message",
	    "\x01\x01"
	    "a"
	    "\x02\x00",
	    C, 0, "<error 1002 new message inside a fragmented one @4>"),

	/* second header byte */
	V("unmasked frame to a server",
	    "\x81\x05"
	    "Hello",
	    SV, 0, "<error 1002 unmasked client frame @2>"),
	V("unmasked ping to a server", "\x89\x00", SV, 0,
	    "<error 1002 unmasked client frame @2>"),
	V("masked frame to a client",
	    "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", C, 0,
	    "<error 1002 masked server frame @2>"),
	V("mask checked before the control length", "\x89\x7e", SV, 0,
	    "<error 1002 unmasked client frame @2>"),
	V("ping of 126 bytes", "\x89\x7e\x00\x7e", C, 0,
	    "<error 1002 control frame too long @2>"),
	V("close with a 64-bit length",
	    "\x88\x7f\x00\x00\x00\x00\x00\x00\x00\x02", C, 0,
	    "<error 1002 control frame too long @2>"),

	/* extended length and the limit */
	V("64-bit length with the top bit set",
	    "\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", C, 0,
	    "<error 1002 frame length has the top bit set @10>"),
	V("top bit set, even with no limit", "\x82\x7f\xff" FF7, C, UINT64_MAX,
	    "<error 1002 frame length has the top bit set @10>"),
	V("2^63-1 length, refused from the header", "\x82\x7f\x7f" FF7, C, 0,
	    "<error 1009 message too big @10>"),
	V("masked 2^63-1 length, refused before the key",
	    "\x82\xff\x7f" FF7 "\x01\x02\x03\x04", SV, 0,
	    "<error 1009 message too big @10>"),
	V("2^63-1 continuation",
	    "\x01\x01"
	    "a"
	    "\x80\x7f\x7f" FF7,
	    C, 0, "<error 1009 message too big @13>"),
	V("limit: one frame at the limit",
	    "\x82\x05"
	    "abcde",
	    C, 5, "B[abcde]"),
	V("limit: one frame one over",
	    "\x82\x06"
	    "abcdef",
	    C, 5, "<error 1009 message too big @2>"),
	V("limit: fragments exactly at the limit",
	    "\x01\x04"
	    "abcd"
	    "\x80\x06"
	    "efghij",
	    C, 10, "T[abcdefghij]"),
	V("limit: fragments one over",
	    "\x01\x04"
	    "abcd"
	    "\x80\x07"
	    "efghijk",
	    C, 10, "<error 1009 message too big @8>"),
	V("limit: masked fragments one over",
	    "\x01\x84\x00\x00\x00\x00"
	    "abcd"
	    "\x80\x87\x00\x00\x00\x00"
	    "efghijk",
	    SV, 10, "<error 1009 message too big @12>"),
	V("limit: 16-bit length at the limit waits for payload",
	    "\x82\x7e\x00\xc8", C, 200, ""),
	V("limit: 16-bit length one over", "\x82\x7e\x00\xc9", C, 200,
	    "<error 1009 message too big @4>"),
	V("limit: each message counts afresh",
	    "\x81\x03"
	    "abc"
	    "\x81\x03"
	    "def",
	    C, 3, "T[abc]T[def]"),
	V("limit: control frames do not count",
	    "\x01\x02"
	    "ab"
	    "\x89\x05"
	    "Hello"
	    "\x80\x01"
	    "c",
	    C, 3, "T[ab<ping Hello>c]"),

	/* close payloads */
	V("close payload of 1 byte", "\x88\x01\x03", C, 0,
	    "<error 1002 close payload of 1 byte @3>"),
	V("close code 0", "\x88\x02\x00\x00", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 999", "\x88\x02\x03\xe7", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 1004", "\x88\x02\x03\xec", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 1005", "\x88\x02\x03\xed", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 1006", "\x88\x02\x03\xee", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 1015", "\x88\x02\x03\xf7", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 1016", "\x88\x02\x03\xf8", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 2999", "\x88\x02\x0b\xb7", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 5000", "\x88\x02\x13\x88", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code 65535", "\x88\x02\xff\xff", C, 0,
	    "<error 1002 invalid close code @4>"),
	V("close code checked before the reason", "\x88\x03\x03\xed\xff", C, 0,
	    "<error 1002 invalid close code @5>"),
	V("invalid UTF-8 in a close reason", "\x88\x04\x03\xe8\xc3\x28", C, 0,
	    "<error 1007 invalid UTF-8 in close reason @6>"),
	V("truncated UTF-8 in a close reason", "\x88\x03\x03\xe8\xce", C, 0,
	    "<error 1007 invalid UTF-8 in close reason @5>"),
	V("surrogate in a close reason", "\x88\x05\x03\xe8\xed\xa0\x80", C, 0,
	    "<error 1007 invalid UTF-8 in close reason @7>"),

	/* UTF-8 of text */
	V("kosme then a surrogate: refused at A0",
	    "\x81\x0e" KOSME "\xed\xa0\x80", C, 0,
	    "<error 1007 invalid UTF-8 in text @15>"),
	V("bad byte after valid text in one frame",
	    "\x81\x04"
	    "ab\xff"
	    "c",
	    C, 0, "<error 1007 invalid UTF-8 in text @5>"),
	V("text ending mid-character",
	    "\x81\x03"
	    "ab\xce",
	    C, 0, "<error 1007 invalid UTF-8 in text @5>"),
	V("text ending mid-character at an empty final fragment",
	    "\x01\x03"
	    "ab\xce"
	    "\x80\x00",
	    C, 0, "<error 1007 invalid UTF-8 in text @7>"),
	V("surrogate split across fragments",
	    "\x01\x01\xed"
	    "\x80\x02\xa0\x80",
	    C, 0, "<error 1007 invalid UTF-8 in text @6>"),
	V("overlong in a masked frame", "\x81\x82\x01\x02\x03\x04\xc1\xad", SV,
	    0, "<error 1007 invalid UTF-8 in text @7>"),
	V("bytes after an error are left alone",
	    "\xc1\x00"
	    "\x81\x05"
	    "Hello",
	    C, 0, "<error 1002 reserved bits set @1>"),
};

/* ---- the harness ---- */

struct out {
	char *p;
	size_t n, cap;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->n + n > o->cap) {
		o->cap = (o->n + n) * 2 + 64;
		if ((o->p = realloc(o->p, o->cap)) == NULL)
			abort();
	}
	if (n > 0)
		memcpy(o->p + o->n, p, n);
	o->n += n;
}

static void __attribute__((format(printf, 2, 3)))
putf(struct out *o, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(o, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

struct run {
	struct ws_parser p;
	struct out t; /* transcript */
	size_t off; /* bytes consumed so far */
	size_t open_at; /* where the open message starts in t */
	int open_op; /* and its opcode */
	struct ws_utf8 u; /* what was handed out of it so far */
	int done; /* ERROR or CLOSE seen */
	struct ws_event end;
	unsigned broken; /* rule violations; names in why */
	const char *why;
};

static void
broke(struct run *r, const char *why)
{
	if (r->broken++ == 0)
		r->why = why;
}

static void
record_data(struct run *r, const struct ws_event *ev, const uint8_t *buf,
    size_t len)
{
	if (ev->first != (r->open_at == NO_MSG))
		broke(r, "first flag");
	if (ev->first) {
		r->open_at = r->t.n;
		r->open_op = ev->opcode;
		memset(&r->u, 0, sizeof(r->u));
		put(&r->t, ev->opcode == WS_OP_TEXT ? "T[" : "B[", 2);
	}
	if (ev->opcode != r->open_op ||
	    (ev->opcode != WS_OP_TEXT && ev->opcode != WS_OP_BINARY))
		broke(r, "DATA opcode");
	if (ev->data == NULL || ev->data < buf ||
	    ev->data + ev->len > buf + len)
		broke(r, "DATA outside the caller's buffer");
	if (ev->opcode == WS_OP_TEXT &&
	    ws_utf8_feed(&r->u, ev->data, ev->len) != ev->len)
		broke(r, "invalid UTF-8 handed out");
	put(&r->t, ev->data, ev->len);
	if (ev->fin) {
		put(&r->t, "]", 1);
		r->open_at = NO_MSG;
		if (ev->opcode == WS_OP_TEXT && !ws_utf8_complete(&r->u))
			broke(r, "text message ends mid-character");
	}
}

static void
record(struct run *r, const struct ws_event *ev, const uint8_t *buf, size_t len)
{
	switch (ev->type) {
	case WS_EV_NONE:
		break;
	case WS_EV_DATA:
		record_data(r, ev, buf, len);
		break;
	case WS_EV_PING:
	case WS_EV_PONG:
		putf(&r->t, "<%s ", ev->type == WS_EV_PING ? "ping" : "pong");
		put(&r->t, ev->data, ev->len);
		put(&r->t, ">", 1);
		break;
	case WS_EV_CLOSE:
		putf(&r->t, "<close %u ", ev->code);
		put(&r->t, ev->data, ev->len);
		putf(&r->t, " @%zu>", r->off);
		break;
	case WS_EV_ERROR:
		if (r->open_at != NO_MSG)
			r->t.n = r->open_at;
		r->open_at = NO_MSG;
		putf(&r->t, "<error %u %s @%zu>", ev->code, ev->reason, r->off);
		break;
	}
}

/* After ERROR or CLOSE: the same event again, nothing consumed. */
static void
check_repeat(struct run *r, uint8_t *rest, size_t n)
{
	uint8_t dummy = 0x81;
	struct ws_event ev;
	int i;

	if (n == 0) {
		rest = &dummy;
		n = 1;
	}
	for (i = 0; i < 2; i++) {
		if (ws_parser_feed(&r->p, rest, n, &ev) != 0)
			broke(r, "consumed after the end");
		if (ev.type != r->end.type || ev.code != r->end.code ||
		    ev.reason != r->end.reason || ev.len != r->end.len ||
		    (ev.len && memcmp(ev.data, r->end.data, ev.len) != 0))
			broke(r, "a different event after the end");
	}
}

static void
feed_piece(struct run *r, uint8_t *buf, size_t len)
{
	struct ws_event ev;
	size_t used = 0, got, calls = 0;

	while (!r->done && used < len) {
		if (calls++ > 2 * len + 8) {
			broke(r, "no progress");
			return;
		}
		got = ws_parser_feed(&r->p, buf + used, len - used, &ev);
		if (got > len - used || (got == 0 && ev.type == WS_EV_NONE)) {
			broke(r, "a call consumed nothing and said nothing");
			return;
		}
		used += got;
		r->off += got;
		record(r, &ev, buf, len);
		if (ev.type == WS_EV_ERROR || ev.type == WS_EV_CLOSE) {
			r->done = 1;
			r->end = ev;
			check_repeat(r, buf + used, len - used);
		}
	}
}

/* Feeds v: first k bytes as one piece, the rest in pieces of step bytes
 * (0: one piece). Leaves the transcript in r->t. */
static void
run(struct run *r, const struct vec *v, size_t k, size_t step)
{
	static uint8_t *copy;
	static size_t copycap;
	size_t at, n;

	if (v->inlen > copycap) {
		copycap = v->inlen;
		if ((copy = realloc(copy, copycap)) == NULL)
			abort();
	}
	memcpy(copy, v->in, v->inlen);
	ws_parser_init(&r->p, v->role, v->max);
	r->t.n = 0;
	r->off = 0;
	r->open_at = NO_MSG;
	r->done = 0;
	r->broken = 0;
	r->why = NULL;
	if (k > 0)
		feed_piece(r, copy, k);
	for (at = k; at < v->inlen; at += n) {
		n = step == 0 || v->inlen - at < step ? v->inlen - at : step;
		feed_piece(r, copy + at, n);
	}
}

static int
same(const struct run *r, const struct vec *v)
{
	return r->t.n == v->wantlen && memcmp(r->t.p, v->want, r->t.n) == 0;
}

static void
test_vec(const struct vec *v)
{
	static struct run r;
	unsigned broken = 0;
	const char *why = NULL;
	size_t k;
	int all = 1;

	run(&r, v, 0, 0);
	is_mem(r.t.p, r.t.n, v->want, v->wantlen, "%s: whole", v->name);
	broken += r.broken, why = why ? why : r.why;
	run(&r, v, 0, 1);
	is_mem(r.t.p, r.t.n, v->want, v->wantlen, "%s: byte by byte", v->name);
	broken += r.broken, why = why ? why : r.why;
	for (k = 1; k < v->inlen; k++) {
		run(&r, v, k, 0);
		broken += r.broken, why = why ? why : r.why;
		if (!same(&r, v) && all) {
			all = 0;
			printf("# split at %zu: \"%.*s\"\n", k, (int)r.t.n,
			    r.t.p);
		}
	}
	ok(all, "%s: split at every point", v->name);
	if (!ok(broken == 0, "%s: progress and event rules hold", v->name))
		printf("#   %u violations, first: %s\n", broken, why);
}

/* ---- generated vectors ---- */

static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };

static size_t
put_frame(uint8_t *out, int fin, int op, const void *payload, size_t n,
    const uint8_t *mask)
{
	size_t h = ws_frame_header(out, fin, op, n, mask);

	memcpy(out + h, payload, n);
	if (mask != NULL)
		ws_mask(out + h, n, mask, 0);
	return h + n;
}

/* One big binary message, with the message expected from it. */
static void
test_big(const char *name, size_t n, enum ws_role role)
{
	uint8_t *in = malloc(n + WS_FRAME_HEADER_MAX), *pay = malloc(n);
	struct out want = { 0 };
	struct vec v = { name, in, 0, role, 0, NULL, 0 };
	size_t i;

	if (in == NULL || pay == NULL)
		abort();
	for (i = 0; i < n; i++)
		pay[i] = (uint8_t)(i * 7 + 1);
	v.inlen =
	    put_frame(in, 1, WS_OP_BINARY, pay, n, role == SV ? key : NULL);
	put(&want, "B[", 2);
	put(&want, pay, n);
	put(&want, "]", 1);
	v.want = want.p;
	v.wantlen = want.n;
	test_vec(&v);
	free(want.p);
	free(pay);
	free(in);
}

static void
test_rfc_big(void)
{
	static const uint8_t h256[] = { 0x82, 0x7e, 0x01, 0x00 };
	static const uint8_t h64k[] = { 0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0 };
	uint8_t out[WS_FRAME_HEADER_MAX];

	is_mem(out, ws_frame_header(out, 1, WS_OP_BINARY, 256, NULL), h256,
	    sizeof(h256), "RFC 5.7 256-byte binary header");
	is_mem(out, ws_frame_header(out, 1, WS_OP_BINARY, 65536, NULL), h64k,
	    sizeof(h64k), "RFC 5.7 64 KiB binary header");
	test_big("RFC 5.7 256-byte unmasked binary", 256, C);
	test_big("RFC 5.7 256-byte binary, masked", 256, SV);
	test_big("RFC 5.7 64 KiB unmasked binary", 65536, C);
	test_big("RFC 5.7 64 KiB binary, masked", 65536, SV);
}

/* Control payloads of the largest size, masked. */
static void
test_control_max(void)
{
	uint8_t in[200], pay[WS_MAX_CONTROL];
	char want[300];
	struct vec v = { "ping of 125 bytes, masked", in, 0, SV, 0, want, 0 };
	size_t i;

	for (i = 0; i < sizeof(pay); i++)
		pay[i] = (uint8_t)('a' + i % 26);
	v.inlen = put_frame(in, 1, WS_OP_PING, pay, sizeof(pay), key);
	memcpy(want, "<ping ", 6);
	memcpy(want + 6, pay, sizeof(pay));
	memcpy(want + 6 + sizeof(pay), ">", 1);
	v.wantlen = 6 + sizeof(pay) + 1;
	test_vec(&v);

	pay[0] = 0x03, pay[1] = 0xe8;
	v.name = "close of 125 bytes, masked";
	v.inlen = put_frame(in, 1, WS_OP_CLOSE, pay, sizeof(pay), key);
	v.wantlen =
	    (size_t)snprintf(want, sizeof(want), "<close 1000 %.*s @%zu>",
		(int)sizeof(pay) - 2, (const char *)pay + 2, v.inlen);
	test_vec(&v);
}

/* A text message in two fragments cut at every byte, so characters are
 * split across frames at every position; masked and unmasked. */
static void
test_utf8_fragments(void)
{
	static const char text[] = "a" KOSME "\xe2\x82\xac\xf0\x9d\x84\x9e"
				   "z";
	size_t len = sizeof(text) - 1, k, n;
	uint8_t in[128];
	char name[80], want[80];
	struct vec v = { name, in, 0, C, 0, want, 0 };
	int masked;

	v.wantlen = (size_t)snprintf(want, sizeof(want), "T[%s]", text);
	for (masked = 0; masked < 2; masked++)
		for (k = 0; k <= len; k++) {
			v.role = masked ? SV : C;
			n = put_frame(in, 0, WS_OP_TEXT, text, k,
			    masked ? key : NULL);
			n += put_frame(in + n, 1, WS_OP_CONT, text + k, len - k,
			    masked ? key : NULL);
			v.inlen = n;
			snprintf(name, sizeof(name),
			    "UTF-8 text cut at %zu across fragments%s", k,
			    masked ? ", masked" : "");
			test_vec(&v);
		}
}

/* "κ" then a surrogate, cut at every byte: the error names the A0 byte
 * wherever it lands. */
static void
test_bad_utf8_fragments(void)
{
	static const char text[] = "\xce\xba\xed\xa0\x80";
	size_t len = sizeof(text) - 1, bad = 3, k, n, first, pos;
	uint8_t in[64];
	char name[80], want[80];
	struct vec v = { name, in, 0, C, 0, want, 0 };

	for (k = 0; k <= len; k++) {
		first = put_frame(in, 0, WS_OP_TEXT, text, k, NULL);
		n = first +
		    put_frame(in + first, 1, WS_OP_CONT, text + k, len - k,
			NULL);
		/* the index of A0: in the first frame, or the second */
		pos = k > bad ? first - k + bad : n - len + bad;
		v.inlen = n;
		v.wantlen = (size_t)snprintf(want, sizeof(want),
		    "<error 1007 invalid UTF-8 in text @%zu>", pos + 1);
		snprintf(name, sizeof(name),
		    "surrogate cut at %zu across fragments", k);
		test_vec(&v);
	}
}

/* ---- single events, field by field ---- */

static void
test_fields(void)
{
	uint8_t hello[] = "\x81\x05"
			  "Hello";
	uint8_t masked[] = "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58";
	uint8_t frag[] = "\x01\x03"
			 "Hel"
			 "\x80\x02"
			 "lo";
	struct ws_parser p;
	struct ws_event ev;
	size_t got;

	ws_parser_init(&p, C, 0);
	got = ws_parser_feed(&p, hello, 7, &ev);
	ok(got == 7 && ev.type == WS_EV_DATA && ev.opcode == WS_OP_TEXT &&
		ev.first && ev.fin && ev.data == hello + 2 && ev.len == 5,
	    "RFC Hello: one DATA event, first and fin, in the caller's buffer");

	ws_parser_init(&p, SV, 0);
	got = ws_parser_feed(&p, masked, 11, &ev);
	ok(got == 11 && ev.data == masked + 6 && ev.len == 5,
	    "masked Hello: DATA in the caller's buffer");
	is_mem(masked + 6, 5, "Hello", 5, "masked Hello: unmasked in place");

	ws_parser_init(&p, C, 0);
	got = ws_parser_feed(&p, frag, 9, &ev);
	ok(got == 5 && ev.first && !ev.fin && ev.opcode == WS_OP_TEXT,
	    "first fragment: first, not fin");
	got = ws_parser_feed(&p, frag + 5, 4, &ev);
	ok(got == 4 && !ev.first && ev.fin && ev.opcode == WS_OP_TEXT &&
		ev.len == 2,
	    "continuation: opcode of the message, fin, not first");
	got = ws_parser_feed(&p, frag, 0, &ev);
	ok(got == 0 && ev.type == WS_EV_NONE, "empty input: nothing");

	/* whole_max: the header taken at once, the payload only whole. */
	ws_parser_init(&p, C, 0);
	p.whole_max = 5;
	got = ws_parser_feed(&p, hello, 4, &ev);
	ok(got == 2 && ev.type == WS_EV_NONE, "whole_max: header alone taken");
	got = ws_parser_feed(&p, hello + 2, 2, &ev);
	ok(got == 0 && ev.type == WS_EV_NONE,
	    "whole_max: part of the payload left in the buffer");
	got = ws_parser_feed(&p, hello + 2, 5, &ev);
	ok(got == 5 && ev.type == WS_EV_DATA && ev.first && ev.fin &&
		ev.data == hello + 2 && ev.len == 5,
	    "whole_max: the payload in one event, where it lies");
	ws_parser_init(&p, C, 0);
	p.whole_max = 4;
	got = ws_parser_feed(&p, hello, 4, &ev);
	ok(got == 4 && ev.type == WS_EV_DATA && !ev.fin && ev.len == 2,
	    "whole_max below the payload: it comes as it arrives");
	got = ws_parser_feed(&p, frag, 3, &ev);
	got += ws_parser_feed(&p, NULL, 0, &ev);
	ok(got == 3 && ev.type == WS_EV_NONE,
	    "NULL and 0 inside a payload: nothing");
}

static void
test_control_calls(void)
{
	uint8_t ping[] = "\x89\x05"
			 "Hello";
	uint8_t close[] = "\x88\x05\x03\xe9"
			  "bye";
	struct ws_parser p;
	struct ws_event ev;
	size_t got;

	ws_parser_init(&p, C, 0);
	got = ws_parser_feed(&p, ping, 4, &ev);
	ok(got == 4 && ev.type == WS_EV_NONE, "ping: partial payload kept");
	got = ws_parser_feed(&p, ping + 4, 3, &ev);
	ok(got == 3 && ev.type == WS_EV_PING && ev.data == p.ctl &&
		ev.len == 5 && memcmp(ev.data, "Hello", 5) == 0,
	    "ping: reported whole from the parser");

	ws_parser_init(&p, C, 0);
	got = ws_parser_feed(&p, close, 7, &ev);
	ok(got == 7 && ev.type == WS_EV_CLOSE && ev.code == 1001 &&
		ev.len == 3 && memcmp(ev.data, "bye", 3) == 0,
	    "close: code and reason");
	got = ws_parser_feed(&p, ping, 7, &ev);
	ok(got == 0 && ev.type == WS_EV_CLOSE && ev.code == 1001 &&
		ev.len == 3 && memcmp(ev.data, "bye", 3) == 0,
	    "close: repeated, nothing consumed");
}

static void
test_limits(void)
{
	uint8_t frames[] = "\x01\x04"
			   "abcd"
			   "\x80\x07"
			   "efghijk";
	uint8_t huge[] = "\x82\x7f\x7f" FF7;
	uint8_t big[] = "\x82\x7f\x00\x00\x00\x00\x00\x10\x00\x00";
	uint8_t over[] = "\x82\x7f\x00\x00\x00\x00\x00\x10\x00\x01";
	struct ws_parser p;
	struct ws_event ev;
	size_t got;

	ws_parser_init(&p, C, 10);
	got = ws_parser_feed(&p, frames, sizeof(frames) - 1, &ev);
	ok(got == 6 && ev.type == WS_EV_DATA && ev.len == 4,
	    "limit: first fragment handed out");
	got = ws_parser_feed(&p, frames + 6, sizeof(frames) - 7, &ev);
	ok(got == 2 && ev.type == WS_EV_ERROR && ev.code == 1009,
	    "limit: refused at the second header, before its payload");

	ws_parser_init(&p, C, 0);
	got = ws_parser_feed(&p, huge, 10, &ev);
	ok(got == 10 && ev.type == WS_EV_ERROR && ev.code == 1009,
	    "2^63-1: refused as soon as its header is in");
	got = ws_parser_feed(&p, huge, 10, &ev);
	ok(got == 0 && ev.type == WS_EV_ERROR && ev.code == 1009 &&
		strcmp(ev.reason, "message too big") == 0,
	    "2^63-1: the same error again, nothing consumed");

	ws_parser_init(&p, C, 0);
	is_int((long long)p.max_message, WS_MAX_MESSAGE_DEFAULT,
	    "limit 0 means the default");
	got = ws_parser_feed(&p, big, 10, &ev);
	ok(got == 10 && ev.type == WS_EV_NONE, "1 MiB frame: accepted");
	ws_parser_init(&p, C, 0);
	got = ws_parser_feed(&p, over, 10, &ev);
	ok(got == 10 && ev.type == WS_EV_ERROR && ev.code == 1009,
	    "1 MiB + 1 frame: refused");

	/* A zeroed parser is a server with the default limit. */
	memset(&p, 0, sizeof(p));
	got = ws_parser_feed(&p, over, 10, &ev);
	ok(got == 2 && ev.type == WS_EV_ERROR &&
		strcmp(ev.reason, "unmasked client frame") == 0,
	    "zeroed parser: a server");
}

/* n continuation frames of one byte after a first one, then a final. */
static size_t
fragments(uint8_t *out, size_t n)
{
	size_t i, len = 0;

	out[len++] = 0x02; /* binary, not final */
	out[len++] = 0x01;
	out[len++] = 'a';
	for (i = 0; i < n; i++) {
		out[len++] = i + 1 == n ? 0x80 : 0x00;
		out[len++] = 0x01;
		out[len++] = 'b';
	}
	return len;
}

/* Feeds everything; returns the last event that was not NONE/DATA. */
static struct ws_event
feed_all(struct ws_parser *p, uint8_t *buf, size_t len, size_t *data)
{
	struct ws_event ev = { .type = WS_EV_NONE };
	size_t off = 0, n;

	*data = 0;
	while (off < len) {
		n = ws_parser_feed(p, buf + off, len - off, &ev);
		off += n;
		if (ev.type == WS_EV_DATA)
			*data += ev.len;
		else if (ev.type != WS_EV_NONE || n == 0)
			break;
	}
	return ev;
}

static void
test_frame_limit(void)
{
	static uint8_t buf[3 * 2000];
	struct ws_parser p;
	struct ws_event ev;
	size_t len, data;

	ws_parser_init(&p, C, 0);
	is_int((long long)p.max_frames, WS_MAX_MESSAGE_DEFAULT / 64,
	    "frames: the default is one per 64 bytes of the message limit");
	ws_parser_init(&p, C, 10);
	is_int((long long)p.max_frames, WS_MAX_FRAMES_MIN,
	    "frames: a small message limit keeps the floor");

	ws_parser_init(&p, C, 0);
	p.max_frames = 4;
	len = fragments(buf, 3);
	ev = feed_all(&p, buf, len, &data);
	ok(ev.type == WS_EV_DATA && ev.fin && data == 4,
	    "frames: a message in exactly the limit passes");
	len = fragments(buf, 4);
	ev = feed_all(&p, buf, len, &data);
	ok(ev.type == WS_EV_ERROR && ev.code == 1008 &&
		strcmp(ev.reason, "too many frames in one message") == 0 &&
		data == 4,
	    "frames: one more is 1008 at its header, before its payload");

	/* Control frames between fragments do not count. */
	ws_parser_init(&p, C, 0);
	p.max_frames = 2;
	memcpy(buf,
	    "\x02\x01"
	    "a\x89\x00\x8a\x00\x80\x01"
	    "b",
	    10);
	ev = feed_all(&p, buf, 5, &data);
	ok(ev.type == WS_EV_PING, "frames: a ping between fragments");
	ev = feed_all(&p, buf + 5, 2, &data);
	ok(ev.type == WS_EV_PONG, "frames: a pong between fragments");
	ev = feed_all(&p, buf + 7, 3, &data);
	ok(ev.type == WS_EV_DATA && ev.fin,
	    "frames: ping and pong are not counted");

	/* The count starts again with each message. */
	ws_parser_init(&p, C, 0);
	p.max_frames = 1500;
	len = fragments(buf, 1499);
	ev = feed_all(&p, buf, len, &data);
	ok(ev.type == WS_EV_DATA && ev.fin, "frames: 1500 frames, limit 1500");
	ev = feed_all(&p, buf, len, &data);
	ok(ev.type == WS_EV_DATA && ev.fin,
	    "frames: the next message counts from zero");
}

static void
test_first_bad_byte(void)
{
	uint8_t in[] = "\x81\x0e" KOSME "\xed\xa0\x80";
	struct ws_parser p;
	struct ws_event ev;
	size_t got;

	ws_parser_init(&p, C, 0);
	got = ws_parser_feed(&p, in, sizeof(in) - 1, &ev);
	ok(ev.type == WS_EV_ERROR && ev.code == 1007 &&
		strcmp(ev.reason, "invalid UTF-8 in text") == 0,
	    "kosme + surrogate: 1007 at once, no DATA first");
	is_int(in[got - 1], 0xa0, "kosme + surrogate: the failing byte is A0");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		test_vec(&vecs[i]);
	test_rfc_big();
	test_control_max();
	test_utf8_fragments();
	test_bad_utf8_fragments();
	test_fields();
	test_control_calls();
	test_limits();
	test_first_bad_byte();
	test_frame_limit();
	return done_testing();
}
