/* SPDX-License-Identifier: ISC */
/*
 * deflate_corpus FILE [PASSES [WINDOW MEMLEVEL MIN]]: wsinetd's
 * permessage-deflate on a corpus
 * of messages, in process: each message compressed as a server with the
 * defaults sends it to a browser (src/engine/deflate.c, context kept
 * from message to message) and inflated back as that browser would. FILE
 * holds the messages, each a 4-byte big-endian length and its bytes.
 * Prints the message count, their bytes, the payload bytes on the wire
 * (a message that does not shrink goes as it is) and the microseconds
 * per message of each direction, the best of PASSES (default 5) fresh
 * connections. WINDOW, MEMLEVEL and MIN try other defaults than
 * deflate.h's, to choose them by measurement.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "deflate.h"
#include "ws.h"

struct corpus {
	uint8_t *data;
	size_t len;
	size_t count, bytes, longest;
};

static void __attribute__((noreturn)) fail(const char *why)
{
	fprintf(stderr, "deflate_corpus: %s\n", why);
	exit(1);
}

static size_t
record_len(const uint8_t *p)
{
	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 |
	    p[3];
}

static void
load(struct corpus *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 0, n, off, len;

	if (f == NULL)
		fail("cannot open the corpus");
	memset(c, 0, sizeof(*c));
	do {
		if (c->len == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			if ((c->data = realloc(c->data, cap)) == NULL)
				fail("out of memory");
		}
		n = fread(c->data + c->len, 1, cap - c->len, f);
		c->len += n;
	} while (n > 0);
	fclose(f);
	for (off = 0; off + 4 <= c->len; off += 4 + len) {
		len = record_len(c->data + off);
		if (len > c->len - off - 4)
			fail("a record runs past the end of the corpus");
		c->count++;
		c->bytes += len;
		if (len > c->longest)
			c->longest = len;
	}
	if (off != c->len || c->count == 0)
		fail("the corpus is not a list of length-prefixed messages");
}

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

struct pass {
	size_t wire;
	double deflate_us, inflate_us;
};

/* One connection's worth: every message out and back in, checked. */
static void
one_pass(const struct corpus *c, const struct conn_deflate_opts *o,
    struct pass *p)
{
	/* What such a server agrees to Chrome's offer. */
	struct ws_pmd agreed = { .client_max_window_bits = (uint8_t)o->window };
	struct conn_deflate tx, rx;
	struct conn_buf msg = { 0 };
	struct ws_event ev = { .type = WS_EV_DATA,
		.opcode = WS_OP_BINARY,
		.first = 1,
		.fin = 1,
		.compressed = 1 };
	const char *why;
	uint8_t *z;
	size_t off, len, n;
	double t;

	if ((z = malloc(c->longest + 8)) == NULL)
		fail("out of memory");
	conn_deflate_setup(&tx, o, &agreed, WS_ROLE_SERVER);
	conn_deflate_setup(&rx, o, &agreed, WS_ROLE_CLIENT);
	memset(p, 0, sizeof(*p));
	for (off = 0; off < c->len; off += 4 + len) {
		len = record_len(c->data + off);
		t = now_us();
		n = conn_deflate_message(&tx, NULL, 0, c->data + off + 4, len,
		    z, len + 8);
		p->deflate_us += now_us() - t;
		p->wire += n ? n : len;
		if (n == 0)
			continue;
		ev.data = z;
		ev.len = n;
		t = now_us();
		if (conn_inflate_event(&rx, &ev, &msg, len, &why) != 0)
			fail(why);
		p->inflate_us += now_us() - t;
		if (msg.len != len || memcmp(msg.p, c->data + off + 4, len))
			fail("a message did not inflate back to itself");
	}
	conn_deflate_free(&tx);
	conn_deflate_free(&rx);
	free(msg.p);
	free(z);
}

int
main(int argc, char **argv)
{
	struct conn_deflate_opts o = { .on = 1,
		.window = CONN_DEFLATE_WINDOW,
		.mem_level = CONN_DEFLATE_MEM_LEVEL,
		.min = CONN_DEFLATE_MIN };
	struct corpus c;
	struct pass p, best = { 0 };
	int passes = argc > 2 ? atoi(argv[2]) : 5, i;

	if ((argc != 2 && argc != 3 && argc != 6) || passes < 1)
		fail(
		    "usage: deflate_corpus FILE [PASSES [WINDOW MEMLEVEL MIN]]");
	if (argc == 6) {
		o.window = (unsigned)atoi(argv[3]);
		o.mem_level = atoi(argv[4]);
		o.min = (size_t)atol(argv[5]);
		if (o.window < 8 || o.window > 15 || o.mem_level < 1 ||
		    o.mem_level > 9)
			fail("WINDOW must be 8-15 and MEMLEVEL 1-9");
	}
	load(&c, argv[1]);
	for (i = 0; i < passes; i++) {
		one_pass(&c, &o, &p);
		if (i == 0 ||
		    p.deflate_us + p.inflate_us <
			best.deflate_us + best.inflate_us)
			best = p;
	}
	printf("corpus messages=%zu bytes=%zu wire=%zu deflate_us=%.2f "
	       "inflate_us=%.2f\n",
	    c.count, c.bytes, best.wire, best.deflate_us / (double)c.count,
	    best.inflate_us / (double)c.count);
	free(c.data);
	return 0;
}
