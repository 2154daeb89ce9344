/* SPDX-License-Identifier: ISC */
/*
 * permessage-deflate's transform with zlib (RFC 7692 section 7.2): raw
 * deflate, each message flushed with Z_SYNC_FLUSH and its 00 00 ff ff tail
 * taken off; inflation bounded by the message limit as it goes. It sees
 * messages only; frames and negotiation are the engine's and the core's.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "deflate.h"

/* Inflated output is taken in pieces of at most this much, so that the
 * limit is checked while a bomb goes off, not after; the buffer grows
 * only when less than INFLATE_ROOM_MIN of it is free, so that a small
 * message does not cost a piece's worth of buffer. */
#define INFLATE_CHUNK (16 * 1024)
#define INFLATE_ROOM_MIN 1024

static const uint8_t TAIL[4] = { 0x00, 0x00, 0xff, 0xff };

static unsigned
peer_bits(unsigned agreed)
{
	return agreed >= WS_PMD_BITS_MIN ? agreed : WS_PMD_BITS_MAX;
}

void
conn_deflate_setup(struct conn_deflate *d, const struct conn_deflate_opts *o,
    const struct ws_pmd *a, enum ws_role role)
{
	unsigned ours = o->window ? o->window : CONN_DEFLATE_WINDOW;
	unsigned tx_cap, rx_agreed;

	memset(d, 0, sizeof(*d));
	d->on = 1;
	d->level = o->level ? o->level : CONN_DEFLATE_LEVEL;
	d->mem_level = o->mem_level ? o->mem_level : CONN_DEFLATE_MEM_LEVEL;
	d->min = o->min;
	if (role == WS_ROLE_SERVER) {
		tx_cap = a->server_max_window_bits;
		rx_agreed = a->client_max_window_bits;
		d->tx_reset = a->server_no_context_takeover;
		d->rx_reset = a->client_no_context_takeover;
	} else {
		tx_cap = a->client_max_window_bits;
		rx_agreed = a->server_max_window_bits;
		d->tx_reset = a->client_no_context_takeover;
		d->rx_reset = a->server_no_context_takeover;
	}
	d->tx_bits = tx_cap >= WS_PMD_BITS_MIN && tx_cap < ours ? tx_cap : ours;
	d->rx_bits = peer_bits(rx_agreed);
}

/* zlib refuses a raw window of 8 bits since 1.2.9; with 9 it never
 * reaches back further than 512 - 262 bytes, so a peer's 256-byte
 * window still holds every distance we send. */
static struct z_stream_s *
compressor(struct conn_deflate *d)
{
	z_stream *z;
	int bits = d->tx_bits < 9 ? 9 : (int)d->tx_bits;

	if (d->tx != NULL || d->tx_failed)
		return d->tx;
	if ((z = calloc(1, sizeof(*z))) == NULL) {
		d->tx_failed = 1;
		return NULL;
	}
	if (deflateInit2(z, d->level, Z_DEFLATED, -bits, d->mem_level,
		Z_DEFAULT_STRATEGY) != Z_OK) {
		free(z);
		d->tx_failed = 1;
		return NULL;
	}
	d->tx = z;
	return z;
}

/* Our stream must not refer to what the peer never got. */
static size_t
send_as_is(z_stream *z)
{
	deflateReset(z);
	return 0;
}

size_t
conn_deflate_message(struct conn_deflate *d, const void *prefix, size_t plen,
    const void *data, size_t len, uint8_t *out, size_t cap)
{
	z_stream *z;
	size_t n;

	if (plen + len < d->min || plen + len > UINT32_MAX - 8 ||
	    cap < plen + len + 8 || (z = compressor(d)) == NULL)
		return 0;
	z->next_out = out;
	z->avail_out = (uInt)(plen + len + 8);
	if (plen) {
		z->next_in = (Bytef *)(uintptr_t)prefix;
		z->avail_in = (uInt)plen;
		if (deflate(z, Z_NO_FLUSH) != Z_OK || z->avail_in != 0)
			return send_as_is(z);
	}
	z->next_in = (Bytef *)(uintptr_t)data;
	z->avail_in = (uInt)len;
	/* Output full means a flush unfinished: no smaller than the input. */
	if (deflate(z, Z_SYNC_FLUSH) != Z_OK || z->avail_in != 0 ||
	    z->avail_out == 0)
		return send_as_is(z);
	n = (size_t)(z->next_out - out);
	if (n < sizeof(TAIL) || memcmp(out + n - 4, TAIL, 4) != 0 ||
	    n - sizeof(TAIL) >= plen + len)
		return send_as_is(z);
	if (d->tx_reset)
		deflateReset(z);
	return n - sizeof(TAIL);
}

static unsigned
bad(const char **reason, unsigned code, const char *why)
{
	*reason = why;
	return code;
}

static z_stream *
decompressor(struct conn_deflate *d)
{
	z_stream *z;

	if (d->rx != NULL)
		return d->rx;
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return NULL;
	if (inflateInit2(z, -(int)d->rx_bits) != Z_OK) {
		free(z);
		return NULL;
	}
	d->rx = z;
	return z;
}

/* At the limit with input left: one byte more of output is one too
 * many, so look for it in a byte of our own rather than grow out. */
static unsigned
at_limit(z_stream *z, const char **reason)
{
	uint8_t probe;
	int rc;

	z->next_out = &probe;
	z->avail_out = 1;
	rc = inflate(z, Z_SYNC_FLUSH);
	if (z->avail_out == 0)
		return bad(reason, WS_CLOSE_MESSAGE_TOO_BIG,
		    "message too big once inflated");
	if (rc == Z_STREAM_END)
		inflateReset(z);
	if (rc == Z_DATA_ERROR)
		return bad(reason, WS_CLOSE_INVALID_PAYLOAD,
		    "invalid compressed data");
	return 0;
}

/* Room for the next piece of output: what out has free, grown by
 * doubling when that is little, never past limit. 0 when out of memory. */
static size_t
out_room(struct conn_buf *out, uint64_t limit)
{
	uint64_t left = limit - (out->len - out->off);
	size_t room = out->cap - out->len;

	if (room < INFLATE_ROOM_MIN && room < left) {
		if (conn_buf_reserve(out,
			left < INFLATE_ROOM_MIN ? (size_t)left
						: INFLATE_ROOM_MIN) == -1)
			return 0;
		room = out->cap - out->len;
	}
	if (room > left)
		room = (size_t)left;
	return room > INFLATE_CHUNK ? INFLATE_CHUNK : room;
}

/* Inflates all of z's input onto out, in pieces, within limit. */
static unsigned
inflate_all(z_stream *z, struct conn_buf *out, uint64_t limit,
    const char **reason)
{
	size_t room, got;
	unsigned code;
	uInt before;
	int rc;

	for (;;) {
		if (out->len - out->off >= limit) {
			if ((code = at_limit(z, reason)) != 0)
				return code;
			if (z->avail_in == 0)
				return 0;
			continue; /* a final block's end, say: go on */
		}
		if ((room = out_room(out, limit)) == 0)
			return bad(reason, WS_CLOSE_INTERNAL_ERROR,
			    "out of memory");
		z->next_out = out->p + out->len;
		z->avail_out = (uInt)room;
		before = z->avail_in;
		rc = inflate(z, Z_SYNC_FLUSH);
		got = room - z->avail_out;
		out->len += got;
		if (rc == Z_STREAM_END) {
			/* A final block ends the stream; the sender starts a
			 * new one, without context, after it. */
			inflateReset(z);
			if (z->avail_in == 0)
				return 0;
			continue;
		}
		if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT)
			return bad(reason, WS_CLOSE_INVALID_PAYLOAD,
			    "invalid compressed data");
		if (rc == Z_MEM_ERROR)
			return bad(reason, WS_CLOSE_INTERNAL_ERROR,
			    "out of memory");
		if (z->avail_in == 0 && (z->avail_out > 0 || got == 0))
			return 0;
		if (got == 0 && z->avail_in == before)
			return bad(reason, WS_CLOSE_INVALID_PAYLOAD,
			    "invalid compressed data"); /* no progress */
	}
}

unsigned
conn_inflate_chunk(struct conn_deflate *d, const uint8_t *in, size_t n, int fin,
    struct conn_buf *out, uint64_t limit, const char **reason)
{
	z_stream *z;
	unsigned code;

	if ((z = decompressor(d)) == NULL)
		return bad(reason, WS_CLOSE_INTERNAL_ERROR,
		    "out of memory for the decompressor");
	while (n > 0) {
		/* avail_in is 32 bits wide; frames may be longer */
		z->next_in = (Bytef *)(uintptr_t)in;
		z->avail_in = n > (1u << 30) ? (1u << 30) : (uInt)n;
		in += z->avail_in;
		n -= z->avail_in;
		if ((code = inflate_all(z, out, limit, reason)) != 0)
			return code;
	}
	if (!fin)
		return 0;
	z->next_in = (Bytef *)(uintptr_t)TAIL;
	z->avail_in = sizeof(TAIL);
	if ((code = inflate_all(z, out, limit, reason)) != 0)
		return code;
	if (d->rx_reset)
		inflateReset(z);
	return 0;
}

/* The engine's message path: the UTF-8 of what was inflated is judged
 * even when inflating failed, so that where the frames were cut never
 * changes which close code a message earns. */
unsigned
conn_inflate_event(struct conn_deflate *d, const struct ws_event *ev,
    struct conn_buf *msg, uint64_t limit, const char **reason)
{
	size_t before, ok;
	unsigned code;

	if (ev->first) {
		msg->off = msg->len = 0;
		memset(&d->utf8, 0, sizeof(d->utf8));
	}
	before = msg->len;
	code = conn_inflate_chunk(d, ev->data, ev->len, ev->fin, msg, limit,
	    reason);
	if (ev->opcode != WS_OP_TEXT)
		return code;
	ok = msg->len > before
	    ? ws_utf8_feed(&d->utf8, msg->p + before, msg->len - before)
	    : 0;
	if (ok < msg->len - before ||
	    (code == 0 && ev->fin && !ws_utf8_complete(&d->utf8)))
		return bad(reason, WS_CLOSE_INVALID_PAYLOAD,
		    "invalid UTF-8 in text");
	return code;
}

void
conn_deflate_free(struct conn_deflate *d)
{
	if (d->tx != NULL) {
		deflateEnd(d->tx);
		free(d->tx);
	}
	if (d->rx != NULL) {
		inflateEnd(d->rx);
		free(d->rx);
	}
	d->tx = d->rx = NULL;
}
