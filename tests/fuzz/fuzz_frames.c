/* SPDX-License-Identifier: ISC */
/*
 * The frame decoder in either role, fed the whole stream at once and
 * again in pieces of random size. Each call must advance; messages are
 * reassembled as the engine does and must stay within the limit, text
 * must be valid UTF-8, and both feeds must give the same messages,
 * control frames and ending. Each message and close reason is encoded
 * again and must come back the same.
 */
#include <string.h>

#include "fuzz.h"
#include "ws.h"

/* Message limits to try: tiny ones make 1009 reachable. */
static const uint64_t max_messages[] = { 0, 16, 125, 1000 };

/* What a feed produced, in order, as one byte string: a record per
 * message or control frame, so two runs compare with memcmp. */
struct log {
	uint8_t *p;
	size_t len, cap;
	/* the message being reassembled */
	uint8_t *msg;
	size_t msg_len;
	int msg_opcode;
	uint64_t max_message;
	enum ws_role role;
};

static void
log_put(struct log *l, const void *p, size_t n)
{
	if (l->len + n > l->cap) {
		while (l->len + n > l->cap)
			l->cap = l->cap ? l->cap * 2 : 256;
		l->p = realloc(l->p, l->cap);
		CHECK(l->p != NULL);
	}
	memcpy(l->p + l->len, p, n);
	l->len += n;
}

static void
log_record(struct log *l, int kind, unsigned code, const void *p, size_t n)
{
	uint8_t head[1 + 2 + sizeof(size_t)];

	head[0] = (uint8_t)kind;
	head[1] = (uint8_t)(code >> 8);
	head[2] = (uint8_t)code;
	memcpy(head + 3, &n, sizeof(n));
	log_put(l, head, sizeof(head));
	log_put(l, p, n);
}

/* A message as the peer would frame it, in one frame, decodes to itself
 * in one call. */
static void
check_roundtrip(const struct log *l, const uint8_t *msg, size_t len)
{
	static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
	const uint8_t *mask = l->role == WS_ROLE_SERVER ? key : NULL;
	struct ws_parser p;
	struct ws_event ev;
	uint8_t *frame;
	size_t h, n;

	CHECK((frame = malloc(WS_FRAME_HEADER_MAX + len)) != NULL);
	h = ws_frame_header(frame, 1, l->msg_opcode, len, mask);
	if (len)
		memcpy(frame + h, msg, len);
	if (mask)
		ws_mask(frame + h, len, mask, 0);
	ws_parser_init(&p, l->role, l->max_message);
	n = ws_parser_feed(&p, frame, h + len, &ev);
	CHECK(n == h + len && ev.type == WS_EV_DATA && ev.first && ev.fin);
	CHECK(ev.opcode == l->msg_opcode && ev.len == len);
	CHECK(len == 0 || memcmp(ev.data, msg, len) == 0);
	free(frame);
}

/* Our own close payload for the peer's code and reason: the reason kept
 * whole when it fits, cut on a character boundary when it does not. */
static void
check_close_payload(unsigned code, const uint8_t *reason, size_t len)
{
	char text[WS_MAX_CONTROL], longer[3 * WS_MAX_CONTROL];
	uint8_t out[WS_MAX_CONTROL];
	size_t n, rlen, have = 0;

	if (code == WS_CLOSE_NO_STATUS)
		return;
	memcpy(text, reason, len);
	text[len] = '\0';
	rlen = strlen(text); /* up to a NUL the peer may have sent */
	n = ws_close_payload(out, code, text);
	CHECK(n == 2 + rlen && (unsigned)(out[0] << 8 | out[1]) == code);
	CHECK(rlen == 0 || memcmp(out + 2, text, rlen) == 0);
	if (rlen == 0)
		return;
	while (have + rlen < sizeof(longer)) {
		memcpy(longer + have, text, rlen);
		have += rlen;
	}
	longer[have] = '\0';
	n = ws_close_payload(out, code, longer);
	/* cut by less than one character (at most 4 bytes) */
	CHECK(n <= WS_MAX_CONTROL && n + 4 > WS_MAX_CONTROL);
	CHECK(ws_utf8_valid(out + 2, n - 2));
}

static void
on_data(struct log *l, const struct ws_event *ev)
{
	CHECK(ev->opcode == WS_OP_TEXT || ev->opcode == WS_OP_BINARY);
	if (ev->first) {
		CHECK(l->msg_opcode == 0);
		l->msg_opcode = ev->opcode;
		l->msg_len = 0;
	}
	CHECK(l->msg_opcode == ev->opcode);
	CHECK(l->msg_len + ev->len <= l->max_message);
	l->msg = realloc(l->msg, l->msg_len + ev->len + 1);
	CHECK(l->msg != NULL);
	if (ev->len)
		memcpy(l->msg + l->msg_len, ev->data, ev->len);
	l->msg_len += ev->len;
	if (!ev->fin)
		return;
	if (l->msg_opcode == WS_OP_TEXT)
		CHECK(ws_utf8_valid(l->msg, l->msg_len));
	check_roundtrip(l, l->msg, l->msg_len);
	log_record(l, l->msg_opcode, 0, l->msg, l->msg_len);
	l->msg_opcode = 0;
}

/* Records the event; returns 1 when the parser is finished. */
static int
on_event(struct log *l, const struct ws_event *ev)
{
	switch (ev->type) {
	case WS_EV_NONE:
		return 0;
	case WS_EV_DATA:
		on_data(l, ev);
		return 0;
	case WS_EV_PING:
	case WS_EV_PONG:
		CHECK(ev->len <= WS_MAX_CONTROL);
		log_record(l, 0x10 + ev->type, 0, ev->data, ev->len);
		return 0;
	case WS_EV_CLOSE:
		CHECK(ev->len <= WS_MAX_CONTROL - 2);
		CHECK(ev->code == WS_CLOSE_NO_STATUS ||
		    ws_close_code_valid(ev->code));
		CHECK(ws_utf8_valid(ev->data, ev->len));
		check_close_payload(ev->code, ev->data, ev->len);
		log_record(l, 0x10 + ev->type, ev->code, ev->data, ev->len);
		return 1;
	case WS_EV_ERROR:
		CHECK(ev->reason != NULL);
		CHECK(ev->code >= 1002 && ev->code <= 1011);
		log_record(l, 0x10 + ev->type, ev->code, ev->reason,
		    strlen(ev->reason));
		return 1;
	}
	CHECK(0);
	return 1;
}

/* Feeds buf[0..len) until it is used up or the parser is finished;
 * returns how much was consumed. */
static size_t
feed(struct ws_parser *p, struct log *l, uint8_t *buf, size_t len, int *done)
{
	struct ws_event ev;
	size_t pos = 0, n;

	while (pos < len && !*done) {
		n = ws_parser_feed(p, buf + pos, len - pos, &ev);
		CHECK(n <= len - pos);
		CHECK(n > 0 || ev.type != WS_EV_NONE);
		if (ev.type == WS_EV_DATA)
			CHECK(ev.data >= buf + pos && ev.len <= n &&
			    ev.data + ev.len <= buf + pos + n);
		pos += n;
		*done = on_event(l, &ev);
	}
	return pos;
}

/* A finished parser keeps repeating its ending and takes nothing. */
static void
check_finished(struct ws_parser *p)
{
	struct ws_event ev;
	uint8_t byte = 0x81;

	CHECK(ws_parser_feed(p, &byte, 1, &ev) == 0);
	CHECK(ev.type == WS_EV_CLOSE || ev.type == WS_EV_ERROR);
}

static void
run_whole(enum ws_role role, struct log *l, const uint8_t *data, size_t size)
{
	struct ws_parser p;
	uint8_t *buf = malloc(size ? size : 1);
	int done = 0;

	CHECK(buf != NULL);
	memcpy(buf, data, size);
	ws_parser_init(&p, role, l->max_message);
	feed(&p, l, buf, size, &done);
	if (done)
		check_finished(&p);
	free(buf);
}

/* Each piece in its own exact-size allocation, so that reading past a
 * piece is caught. */
static void
run_split(enum ws_role role, struct log *l, const uint8_t *data, size_t size,
    struct splitter *sp)
{
	struct ws_parser p;
	size_t off = 0, n;
	uint8_t *piece;
	int done = 0;

	ws_parser_init(&p, role, l->max_message);
	while (off < size && !done) {
		n = split_next(sp);
		if (n > size - off)
			n = size - off;
		CHECK((piece = malloc(n)) != NULL);
		memcpy(piece, data + off, n);
		feed(&p, l, piece, n, &done);
		free(piece);
		off += n;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct log whole = { 0 }, split = { 0 };
	struct splitter sp;
	enum ws_role role;
	uint64_t max;

	if (size < 2)
		return 0;
	role = (data[0] & 4) ? WS_ROLE_CLIENT : WS_ROLE_SERVER;
	max = max_messages[data[0] & 3];
	whole.max_message = split.max_message =
	    max ? max : WS_MAX_MESSAGE_DEFAULT;
	whole.role = split.role = role;
	split_init(&sp, data[0], data[1]);
	data += 2;
	size -= 2;
	run_whole(role, &whole, data, size);
	run_split(role, &split, data, size, &sp);
	CHECK(whole.len == split.len);
	CHECK(whole.len == 0 || memcmp(whole.p, split.p, whole.len) == 0);
	free(whole.p);
	free(whole.msg);
	free(split.p);
	free(split.msg);
	return 0;
}
