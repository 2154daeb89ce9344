/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the pipe framing: what a program writes, fed whole, byte
 * by byte and split at every point, must give the same messages (or the
 * same failure); and what goes to its stdin, byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeframe.h"
#include "tap.h"
#include "ws.h"

#define S(s) (const uint8_t *)(s), sizeof(s) - 1

struct vec {
	const char *name;
	enum ws_pipe_framing f;
	uint64_t max;
	const uint8_t *in;
	size_t n;
	int eof; /* no more input after it */
	/* "t:TEXT;" per text message, "b:N;" per binary one (N bytes),
	 * "+N" for N bytes still waiting, "!CODE" for a failure. */
	const char *want;
};

static const struct vec vecs[] = {
	{ "line: one line", WS_PIPE_LINE, 100, S("hello\n"), 0, "t:hello;" },
	{ "line: several lines in one write", WS_PIPE_LINE, 100,
	    S("a\nbb\nccc\n"), 0, "t:a;t:bb;t:ccc;" },
	{ "line: empty line is an empty message", WS_PIPE_LINE, 100,
	    S("\n\nx\n"), 0, "t:;t:;t:x;" },
	{ "line: CR before LF dropped", WS_PIPE_LINE, 100, S("a\r\nb\r\r\n"), 0,
	    "t:a;t:b\r;" },
	{ "line: partial line waits", WS_PIPE_LINE, 100, S("a\nbcd"), 0,
	    "t:a;+3" },
	{ "line: last line without LF sent at EOF", WS_PIPE_LINE, 100,
	    S("a\nbcd"), 1, "t:a;t:bcd;" },
	{ "line: last CR dropped at EOF", WS_PIPE_LINE, 100, S("bcd\r"), 1,
	    "t:bcd;" },
	{ "line: nothing at EOF, no message", WS_PIPE_LINE, 100, S(""), 1, "" },
	{ "line: exactly the limit", WS_PIPE_LINE, 4, S("abcd\r\n"), 0,
	    "t:abcd;" },
	{ "line: over the limit, with LF", WS_PIPE_LINE, 4, S("ok\nabcde\n"), 0,
	    "t:ok;!1009" },
	{ "line: over the limit, no LF yet", WS_PIPE_LINE, 4, S("abcde"), 0,
	    "!1009" },
	{ "line: limit plus a CR still waits", WS_PIPE_LINE, 4, S("abcd\r"), 0,
	    "+5" },
	{ "line: invalid UTF-8 is 1011", WS_PIPE_LINE, 100, S("ok\n\xff\xfe\n"),
	    0, "t:ok;!1011" },
	{ "line: UTF-8 across the split", WS_PIPE_LINE, 100,
	    S("\xc3\xa9\xe2\x82\xac\n"), 0, "t:\xc3\xa9\xe2\x82\xac;" },
	{ "line: truncated UTF-8 at EOF is 1011", WS_PIPE_LINE, 100, S("\xc3"),
	    1, "!1011" },
	{ "nul: messages may hold newlines", WS_PIPE_NUL, 100,
	    S("a\nb\0c\r\n\0"), 0, "t:a\nb;t:c\r\n;" },
	{ "nul: last message at EOF", WS_PIPE_NUL, 100, S("x\0yz"), 1,
	    "t:x;t:yz;" },
	{ "nul: over the limit", WS_PIPE_NUL, 2, S("abc"), 0, "!1009" },
	{ "len32: text and binary", WS_PIPE_LEN32, 100,
	    S("\0\0\0\2\1hi\0\0\0\3\2\0\1\2"), 0, "t:hi;b:3;" },
	{ "len32: empty text", WS_PIPE_LEN32, 100, S("\0\0\0\0\1"), 0, "t:;" },
	{ "len32: partial frame waits", WS_PIPE_LEN32, 100, S("\0\0\0\5\1abc"),
	    0, "+8" },
	{ "len32: partial frame at EOF is 1011", WS_PIPE_LEN32, 100,
	    S("\0\0\0\5\1abc"), 1, "!1011" },
	{ "len32: partial header at EOF is 1011", WS_PIPE_LEN32, 100, S("\0\0"),
	    1, "!1011" },
	{ "len32: unknown type is 1011", WS_PIPE_LEN32, 100, S("\0\0\0\0\3"), 0,
	    "!1011" },
	{ "len32: over the limit is 1009 at once", WS_PIPE_LEN32, 4,
	    S("\0\0\0\5\2"), 0, "!1009" },
	{ "len32: huge length is 1009", WS_PIPE_LEN32, 1 << 20,
	    S("\xff\xff\xff\xff\2"), 0, "!1009" },
	{ "len32: bad UTF-8 text is 1011", WS_PIPE_LEN32, 100,
	    S("\0\0\0\1\1\x80"), 0, "!1011" },
	{ "len32: binary need not be UTF-8", WS_PIPE_LEN32, 100,
	    S("\0\0\0\1\2\x80"), 0, "b:1;" },
};

struct out {
	char s[512];
	size_t n;
};

static void
put(struct out *o, const void *p, size_t n)
{
	if (o->n + n >= sizeof(o->s))
		n = sizeof(o->s) - 1 - o->n;
	memcpy(o->s + o->n, p, n);
	o->n += n;
	o->s[o->n] = '\0';
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Takes messages off buf[*off..len) like the bridge does. Returns -1
 * after a failure. */
static int
drain(struct ws_pipe_reader *r, const uint8_t *buf, size_t *off, size_t len,
    int eof, struct out *o)
{
	struct ws_pipe_msg m;
	long k;
	char code[16];

	while ((k = ws_pipe_next(r, buf + *off, len - *off, eof, &m)) > 0) {
		*off += (size_t)k;
		if (m.opcode == WS_OP_TEXT) {
			put_str(o, "t:");
			put(o, m.data, m.len);
			put_str(o, ";");
		} else {
			snprintf(code, sizeof(code), "b:%zu;", m.len);
			put_str(o, code);
		}
	}
	if (k == -1) {
		snprintf(code, sizeof(code), "!%u", r->code);
		put_str(o, code);
		return -1;
	}
	return 0;
}

/* Feeds v in pieces ending at the given cuts, the caller's way: the
 * buffer grows, consumed bytes leave its front. */
static void
run(const struct vec *v, const size_t *cuts, size_t ncuts, struct out *o)
{
	struct ws_pipe_reader r;
	uint8_t buf[256];
	size_t off = 0, len = 0, at = 0, i;

	o->n = 0;
	o->s[0] = '\0';
	ws_pipe_reader_init(&r, v->f, v->max);
	for (i = 0; i < ncuts; i++) {
		memmove(buf, buf + off, len - off);
		len -= off;
		off = 0;
		memcpy(buf + len, v->in + at, cuts[i] - at);
		len += cuts[i] - at;
		at = cuts[i];
		if (drain(&r, buf, &off, len, 0, o) == -1)
			return;
	}
	if (v->eof) {
		drain(&r, buf, &off, len, 1, o);
		return;
	}
	if (len > off) {
		char more[16];

		snprintf(more, sizeof(more), "+%zu", len - off);
		put_str(o, more);
	}
}

static void
test_vec(const struct vec *v)
{
	size_t cuts[2], bytes[256], i, bad = 0;
	struct out o;
	int good = 1;

	cuts[0] = v->n;
	run(v, cuts, 1, &o);
	is_mem(o.s, o.n, v->want, strlen(v->want), "%s: whole", v->name);
	for (i = 0; i < v->n; i++)
		bytes[i] = i + 1;
	run(v, bytes, v->n, &o);
	is_mem(o.s, o.n, v->want, strlen(v->want), "%s: byte by byte", v->name);
	for (i = 1; i < v->n && good; i++) {
		cuts[0] = i;
		cuts[1] = v->n;
		run(v, cuts, 2, &o);
		good = o.n == strlen(v->want) && memcmp(o.s, v->want, o.n) == 0;
		bad = i;
	}
	ok(good, "%s: split at every point%s", v->name,
	    good ? "" : " (fails at a split)");
	if (!good)
		printf("#   split at %zu gives \"%s\"\n", bad, o.s);
}

static void
test_raw(void)
{
	struct ws_pipe_reader r;
	struct ws_pipe_msg m;

	ws_pipe_reader_init(&r, WS_PIPE_RAW, 4);
	is_int(ws_pipe_next(&r, S("abcdef"), 0, &m), 4,
	    "raw: a chunk is cut at the limit");
	is_int(m.opcode, WS_OP_BINARY, "raw: chunks are binary");
	is_int(ws_pipe_next(&r, S("\xff"), 0, &m), 1,
	    "raw: any bytes, as they come");
	is_int(ws_pipe_next(&r, S(""), 1, &m), 0, "raw: nothing, no message");
}

static void
test_to_program(void)
{
	uint8_t pre[WS_PIPE_LEN32_HEADER], post[1];
	const char *why = NULL;

	is_int(ws_pipe_prefix(WS_PIPE_LINE, WS_OP_TEXT, 5, pre), 0,
	    "line: no prefix");
	is_int(ws_pipe_suffix(WS_PIPE_LINE, post), 1, "line: a suffix");
	is_int(post[0], '\n', "line: ... which is LF");
	is_int(ws_pipe_suffix(WS_PIPE_NUL, post), 1, "nul: a suffix");
	is_int(post[0], 0, "nul: ... which is NUL");
	is_int(ws_pipe_suffix(WS_PIPE_RAW, post), 0, "raw: no suffix");
	is_int(ws_pipe_suffix(WS_PIPE_LEN32, post), 0, "len32: no suffix");
	is_int(ws_pipe_prefix(WS_PIPE_LEN32, WS_OP_BINARY, 0x01020304, pre), 5,
	    "len32: 5-byte prefix");
	is_mem(pre, 5, "\1\2\3\4\2", 5, "len32: big-endian length, type 2");
	ws_pipe_prefix(WS_PIPE_LEN32, WS_OP_TEXT, 3, pre);
	is_mem(pre, 5, "\0\0\0\3\1", 5, "len32: text is type 1");

	is_int(ws_pipe_accepts(WS_PIPE_LINE, WS_OP_TEXT, S("a\nb"), &why), 0,
	    "line: text accepted, newlines and all");
	is_int(ws_pipe_accepts(WS_PIPE_LINE, WS_OP_BINARY, S("a"), &why),
	    WS_CLOSE_UNSUPPORTED_DATA, "line: binary refused with 1003");
	ok(why != NULL, "line: ... and a reason");
	is_int(ws_pipe_accepts(WS_PIPE_NUL, WS_OP_TEXT, S("a\0b"), &why),
	    WS_CLOSE_UNSUPPORTED_DATA, "nul: text holding NUL refused");
	is_int(ws_pipe_accepts(WS_PIPE_NUL, WS_OP_TEXT, S("a\nb"), &why), 0,
	    "nul: text with newlines accepted");
	is_int(ws_pipe_accepts(WS_PIPE_RAW, WS_OP_BINARY, S("\0"), &why), 0,
	    "raw: binary accepted");
	is_int(ws_pipe_accepts(WS_PIPE_RAW, WS_OP_TEXT, S("x"), &why), 0,
	    "raw: text accepted too");
	is_int(ws_pipe_accepts(WS_PIPE_LEN32, WS_OP_BINARY, S("\0"), &why), 0,
	    "len32: anything accepted");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		test_vec(&vecs[i]);
	test_raw();
	test_to_program();
	return done_testing();
}
