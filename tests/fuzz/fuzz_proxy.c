/* SPDX-License-Identifier: ISC */
/*
 * The PROXY header parser: the input after its first two bytes (which
 * pick the split) is the connection's first bytes, fed whole and in
 * pieces of random size. Both feeds must agree on where the header ends,
 * on the refusal and its reason, and on every field; the parser never
 * takes a byte past the header nor more than it was given, always makes
 * progress, and a v1 header is never longer than 107 bytes nor a v2 one
 * than its head and WS_PROXY_V2_MAX_LEN.
 */
#include <string.h>

#include "fuzz.h"
#include "ws.h"

struct outcome {
	long used; /* bytes of the header, -1 refused, 0 not done */
	struct ws_proxy p;
};

static void
feed(const uint8_t *b, size_t n, struct splitter *s, struct outcome *o)
{
	size_t off = 0, piece;
	long r;

	ws_proxy_init(&o->p);
	o->used = 0;
	while (off < n && !o->p.done) {
		piece = s ? split_next(s) : n - off;
		if (piece > n - off)
			piece = n - off;
		r = ws_proxy_parse(&o->p, b + off, piece);
		if (r < 0) {
			CHECK(o->p.reason != NULL);
			o->used = -1;
			return;
		}
		CHECK(r >= 1 && (size_t)r <= piece);
		CHECK((size_t)r == piece || o->p.done);
		off += (size_t)r;
	}
	if (o->p.done) {
		o->used = (long)off;
		CHECK(ws_proxy_parse(&o->p, b, n) == 0);
	}
}

static void
check_done(const struct outcome *o)
{
	const struct ws_proxy *p = &o->p;

	CHECK(p->kind == WS_PROXY_CLIENT || p->kind == WS_PROXY_OWN);
	if (p->version == 1)
		CHECK(o->used <= WS_PROXY_V1_MAX);
	else
		CHECK(p->version == 2 &&
		    o->used <= WS_PROXY_V2_HEAD + WS_PROXY_V2_MAX_LEN);
	if (p->kind == WS_PROXY_CLIENT)
		CHECK((p->src.family == 4 || p->src.family == 6) &&
		    p->src.family == p->dst.family);
}

static int
same(const struct outcome *a, const struct outcome *b)
{
	const struct ws_proxy *x = &a->p, *y = &b->p;

	if (a->used != b->used)
		return 0;
	if (a->used == -1)
		return strcmp(x->reason, y->reason) == 0;
	if (a->used == 0)
		return 1;
	return x->kind == y->kind && x->version == y->version &&
	    (x->kind != WS_PROXY_CLIENT ||
		(memcmp(&x->src, &y->src, sizeof(x->src)) == 0 &&
		    memcmp(&x->dst, &y->dst, sizeof(x->dst)) == 0 &&
		    x->sport == y->sport && x->dport == y->dport));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, split;
	struct splitter s;

	if (size < 2)
		return 0;
	split_init(&s, data[0], data[1]);
	feed(data + 2, size - 2, NULL, &whole);
	feed(data + 2, size - 2, &s, &split);
	CHECK(same(&whole, &split));
	if (whole.used > 0)
		check_done(&whole);
	/* A refusal at the first byte is what a client that sent no header
	 * gets; sniffing agrees with it. */
	if (size > 2 && !ws_proxy_sniff(data + 2, 1))
		CHECK(whole.used == -1);
	return 0;
}
