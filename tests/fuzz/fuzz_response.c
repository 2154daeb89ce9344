/* SPDX-License-Identifier: ISC */
/*
 * The client's check of the server's answer, fed the way the engine
 * feeds it: the same buffer grown by pieces of random size, against the
 * Sec-WebSocket-Accept of the RFC 6455 sample key and a few offered
 * subprotocol lists. The answer must not depend on the split.
 */
#include <string.h>

#include "fuzz.h"
#include "ws.h"

/* base64(SHA-1("dGhlIHNhbXBsZSBub25jZQ==" GUID)), RFC 6455 section 1.3 */
#define SAMPLE_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

static const char *const offers[] = { NULL, "chat", "chat, superchat", "" };
static const size_t max_headers[] = { 0, 64, 256, 1024 };

struct outcome {
	long ret;
	int status;
	const char *reason;
	struct ws_str protocol;
};

static void
settle(struct outcome *o, const struct ws_response *r)
{
	o->status = r->status;
	o->reason = r->reason;
	o->protocol = r->protocol;
	if (o->ret < 0)
		CHECK(o->reason != NULL);
	if (o->ret > 0)
		CHECK(o->status == 101);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_response whole, split;
	struct outcome a, b = { 0 };
	const char *offer;
	struct splitter sp;
	size_t max_header, have = 0;
	char *buf;

	if (size < 2)
		return 0;
	max_header = max_headers[data[0] & 3];
	offer = offers[(data[0] >> 2) & 3];
	split_init(&sp, data[0], data[1]);
	data += 2;
	size -= 2;
	CHECK((buf = malloc(size ? size : 1)) != NULL);
	memcpy(buf, data, size);

	ws_response_init(&whole, max_header);
	a.ret = ws_response_parse(&whole, buf, size, SAMPLE_ACCEPT, offer);
	CHECK(a.ret >= -1 && a.ret <= (long)size);
	settle(&a, &whole);

	ws_response_init(&split, max_header);
	while (have < size && b.ret == 0) {
		have += split_next(&sp);
		if (have > size)
			have = size;
		b.ret =
		    ws_response_parse(&split, buf, have, SAMPLE_ACCEPT, offer);
	}
	settle(&b, &split);
	CHECK(a.ret == b.ret && a.status == b.status && a.reason == b.reason);
	CHECK(a.protocol.n == b.protocol.n);
	free(buf);
	return 0;
}
