/* SPDX-License-Identifier: ISC */
/*
 * An output buffer that remembers running out of room, for the core's
 * writers of HTTP heads (http.c, httpfile.c). Inside the core only.
 */
#ifndef OUT_H
#define OUT_H

#include <stddef.h>
#include <string.h>

/* An output buffer that remembers running out of room. */
struct out {
	char *p;
	size_t cap, len;
	int full;
};

static inline void
put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static inline void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static inline void
put_uint(struct out *o, unsigned long v)
{
	char d[24];
	size_t i = sizeof(d);

	do
		d[--i] = '0' + v % 10;
	while ((v /= 10) != 0);
	put(o, d + i, sizeof(d) - i);
}

/* Returns what was written, or 0 when it did not all fit. */
static inline size_t
put_done(const struct out *o)
{
	return o->full ? 0 : o->len;
}

#endif
