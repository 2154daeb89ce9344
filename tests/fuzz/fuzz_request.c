/* SPDX-License-Identifier: ISC */
/*
 * The server's upgrade request parser, fed the way the engine feeds it:
 * the same buffer grown by pieces of random size. The answer must not
 * depend on the split, and the 101 or 4xx built from it must be sane.
 */
#include <string.h>

#include "fuzz.h"
#include "ws.h"

/* Header limits to try: the default and small ones, so that 431 is
 * reachable with short inputs. */
static const size_t max_headers[] = { 0, 64, 256, 1024 };

struct outcome {
	long ret;
	int status;
	const char *reason;
};

static struct outcome
parse_whole(size_t max_header, const char *buf, size_t len,
    struct ws_request *r)
{
	struct outcome o;

	ws_request_init(r, max_header);
	o.ret = ws_request_parse(r, buf, len);
	o.status = r->status;
	o.reason = r->reason;
	return o;
}

static struct outcome
parse_split(size_t max_header, const char *buf, size_t len, struct splitter *sp)
{
	struct ws_request r;
	struct outcome o = { 0, 0, NULL };
	size_t have = 0;

	ws_request_init(&r, max_header);
	while (have < len && o.ret == 0) {
		have += split_next(sp);
		if (have > len)
			have = len;
		o.ret = ws_request_parse(&r, buf, have);
		CHECK(o.ret >= -1 && o.ret <= (long)have);
	}
	o.status = r.status;
	o.reason = r.reason;
	return o;
}

static void
check_answer(const struct ws_request *r, const struct outcome *o)
{
	char out[1024];
	size_t n;

	if (o->ret > 0) {
		CHECK(r->key.n == WS_KEY_LEN);
		n = ws_response_101(out, sizeof(out), r->key.p, r->key.n, NULL);
		CHECK(n > 0 && n < sizeof(out));
		CHECK(memcmp(out, "HTTP/1.1 101 ", 13) == 0);
		CHECK(memcmp(out + n - 4, "\r\n\r\n", 4) == 0);
	} else if (o->ret < 0) {
		CHECK(o->status == 400 || o->status == 426 || o->status == 431);
		CHECK(o->reason != NULL && strpbrk(o->reason, "\r\n") == NULL);
		n = ws_response_error(out, sizeof(out), o->status, o->reason);
		CHECK(n > 0 && n < sizeof(out));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_request whole;
	struct outcome a, b;
	struct splitter sp;
	size_t max_header;
	char *buf;

	if (size < 2)
		return 0;
	max_header = max_headers[data[0] & 3];
	split_init(&sp, data[0], data[1]);
	data += 2;
	size -= 2;
	/* An exact-size copy: any read past the end is ASan's to report. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	a = parse_whole(max_header, buf, size, &whole);
	check_answer(&whole, &a);
	b = parse_split(max_header, buf, size, &sp);
	CHECK(a.ret == b.ret);
	CHECK(a.status == b.status);
	CHECK(a.reason == b.reason);
	free(buf);
	return 0;
}
