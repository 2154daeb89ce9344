/* SPDX-License-Identifier: ISC */
/*
 * The engine's inflate path (src/engine/deflate.c) behind the frame
 * decoder, as a client with permessage-deflate agreed: a server's frames,
 * fed whole and again in pieces of random size, with the server's window
 * and context takeover and a small message limit from the first byte.
 * Both feeds must give the same messages and the same close code; no
 * message exceeds the limit, which fails with 1009 exactly when the
 * inflated size crosses it (checked against the same bytes inflated in
 * one go under a larger limit); the buffer never grows past what the
 * limit needs. Each message is compressed again by our own compressor
 * (window and takeover from the second byte) and must inflate back to
 * itself under a limit of its own size.
 *
 * One disagreement is zlib's and allowed: a distance beyond the agreed
 * window is refused only when it reaches past the output of the same
 * inflate call, so such a stream may be taken or refused (1007) as the
 * frames were cut. A disagreement therefore fails only when a strict
 * inflate (one byte of output per call) finds no such distance.
 */
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "deflate.h"
#include "fuzz.h"
#include "ws.h"

/* Message limits to try: tiny ones cross early, the last one spans more
 * than one of the engine's 16 KiB inflate pieces. */
static const uint64_t limits[] = { 16, 125, 1000, 40000 };

/* The reassembly buffer's first size (buf.c), the least it may hold. */
#define BUF_FIRST_CAP 4096

struct run {
	uint64_t limit;
	struct ws_parser parser;
	struct conn_deflate rx; /* the engine's decompressor */
	struct conn_deflate ref; /* the same stream, a message at a time */
	struct conn_buf msg; /* the message being inflated */
	struct conn_buf wire; /* its compressed bytes so far */
	uint64_t plain_len, plain_hash; /* an uncompressed message's */
	int done;
	int disagreed; /* with the reference: a bug, or the peer's window */
	/* one record per message or ending, compared between feeds */
	uint8_t *log;
	size_t log_len, log_cap;
	/* the whole feed only: our compressor and its peer */
	int roundtrip;
	struct conn_deflate tx, back;
};

static uint64_t
fnv(uint64_t h, const uint8_t *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 0x100000001b3ull;
	return h;
}

#define FNV_START 0xcbf29ce484222325ull

static void
log_record(struct run *r, int kind, unsigned code, uint64_t len, uint64_t h)
{
	uint8_t rec[1 + sizeof(code) + 2 * sizeof(uint64_t)];

	rec[0] = (uint8_t)kind;
	memcpy(rec + 1, &code, sizeof(code));
	memcpy(rec + 1 + sizeof(code), &len, sizeof(len));
	memcpy(rec + 1 + sizeof(code) + sizeof(len), &h, sizeof(h));
	if (r->log_len + sizeof(rec) > r->log_cap) {
		r->log_cap = r->log_cap ? 2 * r->log_cap : 256;
		CHECK((r->log = realloc(r->log, r->log_cap)) != NULL);
	}
	memcpy(r->log + r->log_len, rec, sizeof(rec));
	r->log_len += sizeof(rec);
}

static void
append(struct conn_buf *b, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	CHECK(conn_buf_reserve(b, n) == 0);
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* What the engine must have answered, from the same compressed bytes
 * inflated in one go under a limit it cannot reach first: only the
 * first limit bytes are ever seen, so bad UTF-8 among them is 1007,
 * else more than limit bytes is 1009, else what inflating said. */
static void
check_against_ref(struct run *r, const struct ws_event *ev, unsigned code)
{
	uint64_t ref_limit = 4 * r->limit + 4096;
	struct conn_buf out = { 0 };
	struct ws_utf8 u = { 0 };
	const char *why;
	unsigned ref, expected;
	size_t seen;
	int bad_utf8 = 0;

	ref = conn_inflate_chunk(&r->ref, r->wire.p, r->wire.len, ev->fin, &out,
	    ref_limit, &why);
	CHECK(out.len <= ref_limit);
	seen = out.len < r->limit ? out.len : (size_t)r->limit;
	if (ev->opcode == WS_OP_TEXT && seen > 0)
		bad_utf8 = ws_utf8_feed(&u, out.p, seen) < seen;
	if (ev->opcode == WS_OP_TEXT && ref == 0 && ev->fin &&
	    out.len <= r->limit)
		bad_utf8 |= !ws_utf8_complete(&u);
	expected = bad_utf8      ? WS_CLOSE_INVALID_PAYLOAD
	    : out.len > r->limit ? WS_CLOSE_MESSAGE_TOO_BIG
				 : ref;
	if (code != expected)
		r->disagreed = 1;
	if (code == WS_CLOSE_MESSAGE_TOO_BIG)
		CHECK(r->msg.len == r->limit);
	if (code == 0 && code == expected &&
	    (r->msg.len != out.len || memcmp(r->msg.p, out.p, out.len) != 0))
		r->disagreed = 1;
	free(out.p);
}

/* Our compressor's output for the message inflates back to it, at a
 * limit of exactly its size. */
static void
check_roundtrip(struct run *r, int opcode, const uint8_t *p, size_t len)
{
	struct conn_buf back = { 0 };
	struct ws_event ev = { 0 };
	const char *why;
	uint8_t *z;
	size_t n;

	CHECK((z = malloc(len + 8)) != NULL);
	n = conn_deflate_message(&r->tx, NULL, 0, p, len, z, len + 8);
	CHECK(n < len || n == 0);
	if (n > 0) {
		ev = (struct ws_event){ .type = WS_EV_DATA,
			.opcode = opcode,
			.first = 1,
			.fin = 1,
			.compressed = 1,
			.data = z,
			.len = n };
		CHECK(conn_inflate_event(&r->back, &ev, &back, len, &why) == 0);
		CHECK(back.len == len && memcmp(back.p, p, len) == 0);
	}
	free(back.p);
	free(z);
}

static void
on_compressed(struct run *r, const struct ws_event *ev)
{
	const char *why;
	unsigned code;

	if (ev->first)
		r->wire.off = r->wire.len = 0;
	append(&r->wire, ev->data, ev->len);
	code = conn_inflate_event(&r->rx, ev, &r->msg, r->limit, &why);
	CHECK(r->msg.len <= r->limit);
	CHECK(r->msg.cap <= BUF_FIRST_CAP || r->msg.cap <= 2 * r->limit);
	if (code == 0 && !ev->fin)
		return;
	check_against_ref(r, ev, code);
	if (code != 0) {
		CHECK(why != NULL);
		log_record(r, 'E', code, 0, 0);
		r->done = 1;
		return;
	}
	log_record(r, ev->opcode, 1, r->msg.len,
	    fnv(FNV_START, r->msg.p, r->msg.len));
	if (r->roundtrip)
		check_roundtrip(r, ev->opcode, r->msg.p, r->msg.len);
}

/* Uncompressed messages pass by, hashed as they come. */
static void
on_plain(struct run *r, const struct ws_event *ev)
{
	if (ev->first)
		r->plain_len = 0, r->plain_hash = FNV_START;
	r->plain_len += ev->len;
	r->plain_hash = fnv(r->plain_hash, ev->data, ev->len);
	CHECK(r->plain_len <= r->limit);
	if (ev->fin)
		log_record(r, ev->opcode, 0, r->plain_len, r->plain_hash);
	if (ev->fin && r->roundtrip && ev->first)
		check_roundtrip(r, ev->opcode, ev->data, ev->len);
}

static void
on_event(struct run *r, const struct ws_event *ev)
{
	switch (ev->type) {
	case WS_EV_NONE:
		break;
	case WS_EV_DATA:
		if (ev->compressed)
			on_compressed(r, ev);
		else
			on_plain(r, ev);
		break;
	case WS_EV_PING:
	case WS_EV_PONG:
		log_record(r, 0x10 + ev->type, 0, ev->len,
		    fnv(FNV_START, ev->data, ev->len));
		break;
	case WS_EV_CLOSE:
	case WS_EV_ERROR:
		log_record(r, 'E', ev->code, 0, 0);
		r->done = 1;
		break;
	}
}

static void
feed(struct run *r, uint8_t *buf, size_t len)
{
	struct ws_event ev;
	size_t pos = 0, n;

	while (pos < len && !r->done) {
		n = ws_parser_feed(&r->parser, buf + pos, len - pos, &ev);
		CHECK(n > 0 || ev.type != WS_EV_NONE);
		pos += n;
		on_event(r, &ev);
	}
}

/* The server's window and takeover from a, our compressor's from b. */
static void
run_init(struct run *r, uint8_t a, uint8_t b)
{
	struct conn_deflate_opts o = { .on = 1, .window = WS_PMD_BITS_MAX };
	struct ws_pmd agreed = {
		.server_no_context_takeover = (a >> 3) & 1,
		.server_max_window_bits = 8 + (a & 7),
		.client_no_context_takeover = (b >> 6) & 1,
		.client_max_window_bits = 8 + ((b >> 3) & 7),
	};

	memset(r, 0, sizeof(*r));
	r->limit = limits[(a >> 4) & 3];
	ws_parser_init(&r->parser, WS_ROLE_CLIENT, r->limit);
	r->parser.rsv1_ok = 1;
	conn_deflate_setup(&r->rx, &o, &agreed, WS_ROLE_CLIENT);
	conn_deflate_setup(&r->ref, &o, &agreed, WS_ROLE_CLIENT);
	conn_deflate_setup(&r->tx, &o, &agreed, WS_ROLE_CLIENT);
	/* the peer of our compressor: the server's view of the same terms */
	conn_deflate_setup(&r->back, &o, &agreed, WS_ROLE_SERVER);
	CHECK(r->tx.tx_bits == r->back.rx_bits);
}

static void
run_free(struct run *r)
{
	conn_deflate_free(&r->rx);
	conn_deflate_free(&r->ref);
	conn_deflate_free(&r->tx);
	conn_deflate_free(&r->back);
	free(r->msg.p);
	free(r->wire.p);
	free(r->log);
}

/* The strict inflate of one message's bytes: 1 when a distance reaches
 * beyond what the window holds. Output is thrown away a byte at a time
 * up to the limit, past which nothing matters. */
static int
too_far(z_stream *z, const uint8_t *in, size_t n, uint64_t limit, uint64_t *out)
{
	uint8_t byte;
	int rc;

	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)n;
	while (z->avail_in > 0 || z->avail_out == 0) {
		z->next_out = &byte;
		z->avail_out = 1;
		rc = inflate(z, Z_SYNC_FLUSH);
		*out += 1 - z->avail_out;
		if (rc == Z_DATA_ERROR)
			return z->msg &&
			    strcmp(z->msg, "invalid distance too far back") ==
			    0;
		if (rc == Z_STREAM_END)
			inflateReset(z);
		else if (rc != Z_OK || *out > limit)
			return 0;
	}
	return 0;
}

/* 1 when some compressed message of the input refers further back than
 * the window the first byte gave, messages read as the whole feed reads
 * them. */
static int
beyond_window(const uint8_t *data, size_t size)
{
	static const uint8_t tail[4] = { 0x00, 0x00, 0xff, 0xff };
	struct ws_parser p;
	struct ws_event ev;
	z_stream z = { 0 };
	uint8_t *buf;
	uint64_t out = 0;
	size_t pos = 0, n;
	int found = 0;

	CHECK(inflateInit2(&z, -(int)(8 + (data[0] & 7))) == Z_OK);
	CHECK((buf = malloc(size)) != NULL);
	memcpy(buf, data, size);
	ws_parser_init(&p, WS_ROLE_CLIENT, limits[(data[0] >> 4) & 3]);
	p.rsv1_ok = 1;
	for (pos = 2; pos < size && !found; pos += n) {
		n = ws_parser_feed(&p, buf + pos, size - pos, &ev);
		if (ev.type == WS_EV_CLOSE || ev.type == WS_EV_ERROR)
			break;
		if (ev.type != WS_EV_DATA || !ev.compressed)
			continue;
		if (ev.first)
			out = 0;
		found = too_far(&z, ev.data, ev.len, p.max_message, &out) ||
		    (ev.fin && too_far(&z, tail, 4, p.max_message, &out));
		if (ev.fin && (data[0] & 8))
			inflateReset(&z);
	}
	inflateEnd(&z);
	free(buf);
	return found;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run whole, split;
	struct splitter sp;
	size_t off, n;
	uint8_t *piece;

	if (size < 2)
		return 0;
	run_init(&whole, data[0], data[1]);
	run_init(&split, data[0], data[1]);
	whole.roundtrip = 1;
	split_init(&sp, data[0], data[1]);
	CHECK((piece = malloc(size - 2 ? size - 2 : 1)) != NULL);
	memcpy(piece, data + 2, size - 2);
	feed(&whole, piece, size - 2);
	free(piece);
	/* Each piece in its own exact-size allocation, so that reading
	 * past one is caught. */
	for (off = 2; off < size && !split.done; off += n) {
		n = split_next(&sp);
		if (n > size - off)
			n = size - off;
		CHECK((piece = malloc(n)) != NULL);
		memcpy(piece, data + off, n);
		feed(&split, piece, n);
		free(piece);
	}
	if (whole.disagreed || split.disagreed ||
	    whole.log_len != split.log_len ||
	    (whole.log_len > 0 &&
		memcmp(whole.log, split.log, whole.log_len) != 0))
		CHECK(beyond_window(data, size));
	run_free(&whole);
	run_free(&split);
	return 0;
}
