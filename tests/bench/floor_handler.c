/* SPDX-License-Identifier: ISC */
/*
 * The floor for per-connection servers: the hello exchange and nothing
 * else, on fd 0/1 as inetd starts it, linked statically. No options, no
 * poll loop, no timeouts, no logging: what remains is the cost of a
 * process start plus the protocol core's own work. Not a server to use.
 * With --echo it answers each message with itself instead (no welcome,
 * no prefix): the floor for the echo rows.
 */
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ws.h"

static const char WELCOME[] = "Welcome to the WebSocket server!";
static const char PREFIX[] = "You said: ";
static int echo;

static int
write_all(const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(1, s, n)) <= 0)
			return -1;
		s += w, n -= (size_t)w;
	}
	return 0;
}

/* One unmasked server frame, in one write: two small writes in a row
 * would wait for the peer's delayed ACK (Nagle). */
static int
send_frame(int opcode, const char *a, size_t an, const void *b, size_t bn)
{
	static uint8_t out[WS_FRAME_HEADER_MAX + 2 * 65536];
	size_t hl = ws_frame_header(out, 1, opcode, an + bn, NULL);

	memcpy(out + hl, a, an);
	if (bn > 0)
		memcpy(out + hl + an, b, bn);
	return write_all(out, hl + an + bn);
}

/* Reads the request and answers 101. Returns the bytes read past the
 * request's end, or -1. */
static long
handshake(char *buf, size_t cap, size_t *extra_off)
{
	struct ws_request req;
	char out[512];
	size_t len = 0, n;
	long end = 0;
	ssize_t r;

	ws_request_init(&req, cap);
	while (end == 0) {
		if (len == cap || (r = read(0, buf + len, cap - len)) <= 0)
			return -1;
		len += (size_t)r;
		end = ws_request_parse(&req, buf, len);
	}
	if (end < 0)
		return -1;
	n = ws_response_101(out, sizeof(out), req.key.p, req.key.n, NULL);
	if (n == 0 || n + 2 + sizeof(WELCOME) - 1 > sizeof(out))
		return -1;
	/* The welcome goes with the 101, in the same write. */
	if (!echo) {
		n += ws_frame_header((uint8_t *)out + n, 1, WS_OP_TEXT,
		    sizeof(WELCOME) - 1, NULL);
		memcpy(out + n, WELCOME, sizeof(WELCOME) - 1);
		n += sizeof(WELCOME) - 1;
	}
	if (write_all(out, n) == -1)
		return -1;
	*extra_off = (size_t)end;
	return (long)(len - (size_t)end);
}

/* Feeds bytes; answers text messages and the close. Returns 1 when done,
 * -1 on error. Messages longer than the buffer are cut: a floor only. */
static int
serve(struct ws_parser *p, uint8_t *buf, size_t n, uint8_t *msg, size_t *mlen,
    size_t mcap)
{
	struct ws_event ev;
	size_t used, k;

	while (n > 0) {
		used = ws_parser_feed(p, buf, n, &ev);
		buf += used, n -= used;
		if (ev.type == WS_EV_DATA) {
			k = ev.len < mcap - *mlen ? ev.len : mcap - *mlen;
			memcpy(msg + *mlen, ev.data, k);
			*mlen += k;
			if (ev.fin &&
			    send_frame(ev.opcode, PREFIX,
				echo ? 0 : sizeof(PREFIX) - 1, msg,
				*mlen) == -1)
				return -1;
			if (ev.fin)
				*mlen = 0;
		} else if (ev.type == WS_EV_CLOSE) {
			uint8_t pl[WS_MAX_CONTROL];
			size_t pn = ws_close_payload(pl, WS_CLOSE_NORMAL, "");

			return send_frame(WS_OP_CLOSE, (char *)pl, pn, NULL,
				   0) == -1
			    ? -1
			    : 1;
		} else if (ev.type == WS_EV_ERROR) {
			return -1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static char buf[65536];
	static uint8_t msg[65536];
	struct ws_parser p;
	size_t off = 0, mlen = 0;
	long extra;
	ssize_t r;
	int done;

	echo = argc > 1 && strcmp(argv[1], "--echo") == 0;
	if ((extra = handshake(buf, sizeof(buf), &off)) < 0)
		return 4;
	ws_parser_init(&p, WS_ROLE_SERVER, sizeof(msg));
	done = serve(&p, (uint8_t *)buf + off, (size_t)extra, msg, &mlen,
	    sizeof(msg));
	while (done == 0) {
		if ((r = read(0, buf, sizeof(buf))) <= 0)
			return 8;
		done = serve(&p, (uint8_t *)buf, (size_t)r, msg, &mlen,
		    sizeof(msg));
	}
	return done == 1 ? 0 : 5;
}
