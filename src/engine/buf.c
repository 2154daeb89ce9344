/* SPDX-License-Identifier: ISC */
/*
 * Growing the engine's byte buffers (buf.h): compact first, then double;
 * and shrinking them back.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* First size of a buffer; it doubles from there as needed. Small: an
 * idle connection's output buffer holds the 101 answer and a greeting,
 * and each page of it that is written stays the connection's own. */
#define BUF_FIRST 1024

int
conn_buf_grow(struct conn_buf *b, size_t more)
{
	size_t need, cap;
	uint8_t *p;

	if (b->off > 0) {
		memmove(b->p, b->p + b->off, b->len - b->off);
		b->len -= b->off;
		b->off = 0;
		if (b->len + more <= b->cap)
			return 0;
	}
	need = b->len + more;
	for (cap = b->cap ? b->cap : BUF_FIRST; cap < need; cap *= 2)
		;
	if ((p = realloc(b->p, cap)) == NULL)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

void
conn_buf_shrink(struct conn_buf *b, size_t cap)
{
	uint8_t *p;

	if (b->cap <= cap || b->len - b->off > cap)
		return;
	memmove(b->p, b->p + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
	if ((p = realloc(b->p, cap)) == NULL)
		return;
	b->p = p;
	b->cap = cap;
}
