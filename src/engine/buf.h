/* SPDX-License-Identifier: ISC */
/*
 * The engine's byte buffers: pending bytes at the front, room after them,
 * grown by doubling. Apart from the engine so that the message transform
 * (deflate.c) and its fuzz target can use them without the poll loop.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>

struct conn_buf {
	uint8_t *p;
	size_t off, len, cap; /* pending bytes are p[off..len) */
};

/* Moves pending bytes to the front or grows b; -1 when out of memory. */
int conn_buf_grow(struct conn_buf *b, size_t more);

/* Gives back what b grew beyond cap, once its pending bytes fit in cap
 * (moved to the front): a large message does not leave a large buffer
 * behind. Keeps b as it is when realloc fails. */
void conn_buf_shrink(struct conn_buf *b, size_t cap);

/* Makes room for more bytes after b->len; -1 when out of memory. Inline,
 * since every frame queued asks, and almost always there is room. */
static inline int
conn_buf_reserve(struct conn_buf *b, size_t more)
{
	if (b->off > 0 && b->off == b->len)
		b->off = b->len = 0;
	if (b->len + more <= b->cap)
		return 0;
	return conn_buf_grow(b, more);
}

#endif
