/* SPDX-License-Identifier: ISC */
/*
 * The opening handshake: requests and responses parsed whole, byte by
 * byte and split at every point with the same outcome; the refusals with
 * their statuses; the exact bytes of our answers and of a client request.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
/* A literal and its length, embedded NULs included. */
#define BYTES(s) s, sizeof(s) - 1

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* Request lines everyone needs, so each refusal changes one thing. */
#define RL "GET /chat HTTP/1.1\r\n"
#define HOST "Host: server.example.com\r\n"
#define UPG "Upgrade: websocket\r\n"
#define CONN "Connection: Upgrade\r\n"
#define KEYH "Sec-WebSocket-Key: " KEY "\r\n"
#define VER "Sec-WebSocket-Version: 13\r\n"
#define END "\r\n"

/* RFC 6455 section 1.3, with CRLF line ends. */
#define RFC_SAMPLE \
	"GET /chat HTTP/1.1\r\n" \
	"Host: server.example.com\r\n" \
	"Upgrade: websocket\r\n" \
	"Connection: Upgrade\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" \
	"Origin: http://example.com\r\n" \
	"Sec-WebSocket-Protocol: chat, superchat\r\n" \
	"Sec-WebSocket-Version: 13\r\n" \
	"\r\n"

/* What Firefox sends, give or take the version number. */
#define BROWSER \
	"GET /ws?room=1 HTTP/1.1\r\n" \
	"Host: localhost:8080\r\n" \
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:115.0) " \
	"Gecko/20100101 Firefox/115.0\r\n" \
	"Accept: */*\r\n" \
	"Accept-Language: en-US,en;q=0.5\r\n" \
	"Accept-Encoding: gzip, deflate, br\r\n" \
	"Sec-WebSocket-Version: 13\r\n" \
	"Origin: http://localhost:8080\r\n" \
	"Sec-WebSocket-Extensions: permessage-deflate\r\n" \
	"Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n" \
	"Connection: keep-alive, Upgrade\r\n" \
	"Sec-Fetch-Dest: websocket\r\n" \
	"Sec-Fetch-Mode: websocket\r\n" \
	"Sec-Fetch-Site: same-origin\r\n" \
	"Pragma: no-cache\r\n" \
	"Cache-Control: no-cache\r\n" \
	"Upgrade: websocket\r\n" \
	"\r\n"

/* A vector and the outcome it must have however it is fed. */
struct vector {
	const char *name;
	const char *p;
	size_t n;
	int status; /* request: 0 or the refusal; response: as read */
	const char *reason; /* NULL when accepted */
	size_t tail; /* bytes after the header block, not consumed */
	const char *offered; /* response: the protocols we offered */
};

static const struct vector requests[] = {
	{ "RFC 6455 section 1.3 sample", BYTES(RFC_SAMPLE), 0, NULL, 0, NULL },
	{ "browser-like, Connection: keep-alive, Upgrade", BYTES(BROWSER), 0,
	    NULL, 0, NULL },
	{ "names and tokens in any case",
	    BYTES("GET / HTTP/1.1\r\nhost: h\r\nUPGRADE: WebSocket\r\n"
		  "connection: UPGRADE\r\nsec-websocket-key: " KEY "\r\n"
		  "SEC-WEBSOCKET-VERSION: 13\r\n\r\n"),
	    0, NULL, 0, NULL },
	{ "Connection over two lines",
	    BYTES(RL HOST UPG "Connection: keep-alive\r\n"
			      "Connection: Upgrade\r\n" KEYH VER END),
	    0, NULL, 0, NULL },
	{ "Upgrade token among others",
	    BYTES(RL HOST "Upgrade: h2c, websocket\r\n" CONN KEYH VER END), 0,
	    NULL, 0, NULL },
	{ "empty list elements skipped",
	    BYTES(RL HOST UPG "Connection: ,, Upgrade ,\r\n" KEYH VER END), 0,
	    NULL, 0, NULL },
	{ "optional whitespace around values",
	    BYTES(RL "Host:\t h \t\r\n" UPG CONN "Sec-WebSocket-Key:" KEY
		     "  \r\n" VER END),
	    0, NULL, 0, NULL },
	{ "HTTP/1.9", BYTES("GET / HTTP/1.9\r\n" HOST UPG CONN KEYH VER END), 0,
	    NULL, 0, NULL },
	{ "HTTP/2.0", BYTES("GET / HTTP/2.0\r\n" HOST UPG CONN KEYH VER END), 0,
	    NULL, 0, NULL },
	{ "absolute-form target",
	    BYTES("GET ws://h/chat HTTP/1.1\r\n" HOST UPG CONN KEYH VER END), 0,
	    NULL, 0, NULL },
	{ "a frame after the block is left alone",
	    BYTES(RFC_SAMPLE "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58"), 0,
	    NULL, 11, NULL },
	{ "a second request after the block is left alone",
	    BYTES(RFC_SAMPLE RFC_SAMPLE), 0, NULL, sizeof(RFC_SAMPLE) - 1,
	    NULL },
	{ "POST", BYTES("POST /chat HTTP/1.1\r\n" HOST UPG CONN KEYH VER END),
	    400, "method must be GET", 0, NULL },
	{ "lowercase get",
	    BYTES("get /chat HTTP/1.1\r\n" HOST UPG CONN KEYH VER END), 400,
	    "method must be GET", 0, NULL },
	{ "HTTP/1.0",
	    BYTES("GET /chat HTTP/1.0\r\n" HOST UPG CONN KEYH VER END), 400,
	    "HTTP/1.1 or later required", 0, NULL },
	{ "HTTP/0.9",
	    BYTES("GET /chat HTTP/0.9\r\n" HOST UPG CONN KEYH VER END), 400,
	    "HTTP/1.1 or later required", 0, NULL },
	{ "version with trailing garbage",
	    BYTES("GET /chat HTTP/1.1x\r\n" HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "version without minor",
	    BYTES("GET /chat HTTP/1\r\n" HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "lowercase http",
	    BYTES("GET /chat http/1.1\r\n" HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "no version", BYTES("GET /chat\r\n" HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "two spaces",
	    BYTES("GET  /chat HTTP/1.1\r\n" HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "trailing space",
	    BYTES("GET /chat HTTP/1.1 \r\n" HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "control byte in target",
	    BYTES("GET /c\x01t HTTP/1.1\r\n" HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "empty line before the request line",
	    BYTES("\r\n" RL HOST UPG CONN KEYH VER END), 400,
	    "malformed request line", 0, NULL },
	{ "only a blank line", BYTES("\r\n\r\n"), 400, "malformed request line",
	    0, NULL },
	{ "missing Host", BYTES(RL UPG CONN KEYH VER END), 400,
	    "missing Host header", 0, NULL },
	{ "duplicate Host", BYTES(RL HOST UPG CONN KEYH VER HOST END), 400,
	    "duplicate Host header", 0, NULL },
	{ "empty Host", BYTES(RL "Host:\r\n" UPG CONN KEYH VER END), 400,
	    "empty Host header", 0, NULL },
	{ "Host of blanks only", BYTES(RL "Host:   \r\n" UPG CONN KEYH VER END),
	    400, "empty Host header", 0, NULL },
	{ "missing Upgrade", BYTES(RL HOST CONN KEYH VER END), 400,
	    "Upgrade header is not websocket", 0, NULL },
	{ "Upgrade: h2c", BYTES(RL HOST "Upgrade: h2c\r\n" CONN KEYH VER END),
	    400, "Upgrade header is not websocket", 0, NULL },
	{ "Upgrade: websockets",
	    BYTES(RL HOST "Upgrade: websockets\r\n" CONN KEYH VER END), 400,
	    "Upgrade header is not websocket", 0, NULL },
	{ "missing Connection", BYTES(RL HOST UPG KEYH VER END), 400,
	    "Connection header lacks upgrade", 0, NULL },
	{ "Connection: keep-alive",
	    BYTES(RL HOST UPG "Connection: keep-alive\r\n" KEYH VER END), 400,
	    "Connection header lacks upgrade", 0, NULL },
	{ "Connection: upgraded",
	    BYTES(RL HOST UPG "Connection: upgraded\r\n" KEYH VER END), 400,
	    "Connection header lacks upgrade", 0, NULL },
	{ "missing Sec-WebSocket-Version", BYTES(RL HOST UPG CONN KEYH END),
	    426, "unsupported WebSocket version", 0, NULL },
	{ "Sec-WebSocket-Version: 8",
	    BYTES(RL HOST UPG CONN KEYH "Sec-WebSocket-Version: 8\r\n" END),
	    426, "unsupported WebSocket version", 0, NULL },
	{ "Sec-WebSocket-Version: 13, 8",
	    BYTES(RL HOST UPG CONN KEYH "Sec-WebSocket-Version: 13, 8\r\n" END),
	    426, "unsupported WebSocket version", 0, NULL },
	{ "duplicate Sec-WebSocket-Version",
	    BYTES(RL HOST UPG CONN KEYH VER VER END), 400,
	    "duplicate Sec-WebSocket-Version", 0, NULL },
	{ "missing Sec-WebSocket-Key", BYTES(RL HOST UPG CONN VER END), 400,
	    "missing Sec-WebSocket-Key", 0, NULL },
	{ "duplicate Sec-WebSocket-Key",
	    BYTES(RL HOST UPG CONN KEYH KEYH VER END), 400,
	    "duplicate Sec-WebSocket-Key", 0, NULL },
	{ "subprotocols spread over two lines, spaces around",
	    BYTES(
		RL HOST UPG CONN KEYH VER "Sec-WebSocket-Protocol:  a ,b\r\n"
					  "Sec-WebSocket-Protocol: c\r\n" END),
	    0, NULL, 0, NULL },
	{ "subprotocol that is not a token",
	    BYTES(RL HOST UPG CONN KEYH VER
		"Sec-WebSocket-Protocol: chat, sup er\r\n" END),
	    400, "invalid Sec-WebSocket-Protocol", 0, NULL },
	{ "subprotocol with a separator, second line",
	    BYTES(RL HOST UPG CONN KEYH VER
		"Sec-WebSocket-Protocol: chat\r\n"
		"Sec-WebSocket-Protocol: a/b\r\n" END),
	    400, "invalid Sec-WebSocket-Protocol", 0, NULL },
	{ "key not base64",
	    BYTES(RL HOST UPG CONN "Sec-WebSocket-Key: not-base64-at-all!!!!!"
				   "!!\r\n" VER END),
	    400, "invalid Sec-WebSocket-Key", 0, NULL },
	{ "key of 18 bytes",
	    BYTES(RL HOST UPG CONN "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAAAA"
				   "\r\n" VER END),
	    400, "invalid Sec-WebSocket-Key", 0, NULL },
	{ "key of 15 bytes",
	    BYTES(RL HOST UPG CONN
		"Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAA\r\n" VER END),
	    400, "invalid Sec-WebSocket-Key", 0, NULL },
	{ "key with trailing bits set",
	    BYTES(RL HOST UPG CONN "Sec-WebSocket-Key: AQIDBAUGBwgJCgsMDQ4PEC=="
				   "\r\n" VER END),
	    400, "invalid Sec-WebSocket-Key", 0, NULL },
	{ "empty key", BYTES(RL HOST UPG CONN "Sec-WebSocket-Key:\r\n" VER END),
	    400, "invalid Sec-WebSocket-Key", 0, NULL },
	{ "bare LF ending the request line",
	    BYTES("GET /chat HTTP/1.1\n" HOST UPG CONN KEYH VER END), 400,
	    "bare LF in header", 0, NULL },
	{ "bare LF as the blank line", BYTES(RL HOST UPG CONN KEYH VER "\n"),
	    400, "bare LF in header", 0, NULL },
	{ "bare LF inside a value",
	    BYTES(RL "Host: a\nb\r\n" UPG CONN KEYH VER END), 400,
	    "bare LF in header", 0, NULL },
	{ "LF first", BYTES("\n"), 400, "bare LF in header", 0, NULL },
	{ "folded header line",
	    BYTES(RL HOST UPG
		"Connection: keep-alive,\r\n Upgrade\r\n" KEYH VER END),
	    400, "folded header line", 0, NULL },
	{ "space before the colon",
	    BYTES(RL "Host : server.example.com\r\n" UPG CONN KEYH VER END),
	    400, "malformed header field", 0, NULL },
	{ "line without a colon",
	    BYTES(RL HOST "Upgrade websocket\r\n" CONN KEYH VER END), 400,
	    "malformed header field", 0, NULL },
	{ "empty name", BYTES(RL HOST ": x\r\n" UPG CONN KEYH VER END), 400,
	    "malformed header field", 0, NULL },
	{ "control byte in a value",
	    BYTES(RL HOST "X-A: a\x01z\r\n" UPG CONN KEYH VER END), 400,
	    "malformed header field", 0, NULL },
	{ "CR inside a value",
	    BYTES(RL HOST "X-A: a\rz\r\n" UPG CONN KEYH VER END), 400,
	    "malformed header field", 0, NULL },
	{ "NUL inside a value",
	    BYTES(RL HOST "X-A: a\0z\r\n" UPG CONN KEYH VER END), 400,
	    "malformed header field", 0, NULL },
	{ "DEL inside a value",
	    BYTES(RL HOST "X-A: a\x7fz\r\n" UPG CONN KEYH VER END), 400,
	    "malformed header field", 0, NULL },
};

#define S101 "HTTP/1.1 101 Switching Protocols\r\n"
#define RUPG "Upgrade: websocket\r\n"
#define RCONN "Connection: Upgrade\r\n"
#define RACC "Sec-WebSocket-Accept: " ACCEPT "\r\n"

static const struct vector responses[] = {
	{ "good 101", BYTES(S101 RUPG RCONN RACC END), 101, NULL, 0, NULL },
	{ "101 choosing an offered protocol",
	    BYTES(S101 RUPG RCONN RACC "Sec-WebSocket-Protocol: chat\r\n" END),
	    101, NULL, 0, "superchat, chat" },
	{ "101 without a reason phrase",
	    BYTES("HTTP/1.1 101\r\n" RUPG RCONN RACC END), 101, NULL, 0, NULL },
	{ "101 in lowercase, Connection: upgrade",
	    BYTES("HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
		  "connection: upgrade\r\nsec-websocket-accept: " ACCEPT
		  "\r\n\r\n"),
	    101, NULL, 0, NULL },
	{ "101 followed by a frame",
	    BYTES(S101 RUPG RCONN RACC END "\x81\x05Hello"), 101, NULL, 7,
	    NULL },
	{ "wrong accept",
	    BYTES(S101 RUPG RCONN
		"Sec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\n" END),
	    101, "wrong Sec-WebSocket-Accept", 0, NULL },
	{ "accept in another case",
	    BYTES(S101 RUPG RCONN
		"Sec-WebSocket-Accept: S3PPLMBITXAQ9KYGZZHZRBK+XOO=\r\n" END),
	    101, "wrong Sec-WebSocket-Accept", 0, NULL },
	{ "two accepts", BYTES(S101 RUPG RCONN RACC RACC END), 101,
	    "wrong Sec-WebSocket-Accept", 0, NULL },
	{ "missing accept", BYTES(S101 RUPG RCONN END), 101,
	    "missing Sec-WebSocket-Accept", 0, NULL },
	{ "missing Upgrade", BYTES(S101 RCONN RACC END), 101,
	    "Upgrade header is not websocket", 0, NULL },
	{ "Connection lacks upgrade",
	    BYTES(S101 RUPG "Connection: close\r\n" RACC END), 101,
	    "Connection header lacks upgrade", 0, NULL },
	{ "400 refusal",
	    BYTES("HTTP/1.1 400 Bad Request\r\nContent-Length: 12\r\n\r\n"
		  "bad request\n"),
	    400, "handshake refused", 12, NULL },
	{ "426 refusal",
	    BYTES("HTTP/1.1 426 Upgrade Required\r\n"
		  "Sec-WebSocket-Version: 13\r\n\r\n"),
	    426, "handshake refused", 0, NULL },
	{ "200 from a plain web server",
	    BYTES("HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n"), 200,
	    "handshake refused", 0, NULL },
	{ "extension not offered",
	    BYTES(S101 RUPG RCONN RACC
		"Sec-WebSocket-Extensions: permessage-deflate\r\n" END),
	    101, "server chose an extension we did not offer", 0, NULL },
	{ "protocol when none offered",
	    BYTES(S101 RUPG RCONN RACC "Sec-WebSocket-Protocol: chat\r\n" END),
	    101, "server chose a subprotocol we did not offer", 0, NULL },
	{ "protocol when the offer is empty",
	    BYTES(S101 RUPG RCONN RACC "Sec-WebSocket-Protocol: chat\r\n" END),
	    101, "server chose a subprotocol we did not offer", 0, "" },
	{ "protocol not offered",
	    BYTES(S101 RUPG RCONN RACC
		"Sec-WebSocket-Protocol: superchat\r\n" END),
	    101, "server chose a subprotocol we did not offer", 0, "chat" },
	{ "protocol in another case",
	    BYTES(S101 RUPG RCONN RACC "Sec-WebSocket-Protocol: Chat\r\n" END),
	    101, "server chose a subprotocol we did not offer", 0, "chat" },
	{ "two protocols chosen",
	    BYTES(S101 RUPG RCONN RACC
		"Sec-WebSocket-Protocol: chat, superchat\r\n" END),
	    101, "server chose a subprotocol we did not offer", 0,
	    "chat, superchat" },
	{ "status of four digits",
	    BYTES("HTTP/1.1 1010 Switching\r\n" RUPG RCONN RACC END), 0,
	    "malformed status line", 0, NULL },
	{ "status of two digits", BYTES("HTTP/1.1 10 X\r\n" END), 0,
	    "malformed status line", 0, NULL },
	{ "not HTTP", BYTES("ICY 200 OK\r\n" END), 0, "malformed status line",
	    0, NULL },
	{ "bare LF in a response", BYTES("HTTP/1.1 101 Switching Protocols\n"),
	    0, "bare LF in header", 0, NULL },
	{ "folded line in a response",
	    BYTES(S101 RUPG RCONN RACC "X-A: a\r\n b\r\n" END), 101,
	    "folded header line", 0, NULL },
};

/* The parser under test, fed like the engine feeds it. */
struct subject {
	int response;
	size_t max_header;
	const char *accept, *offered;
	struct ws_request req;
	struct ws_response res;
};

struct outcome {
	long ret;
	int status;
	const char *reason;
};

static void
subject_reset(struct subject *s)
{
	if (s->response)
		ws_response_init(&s->res, s->max_header);
	else
		ws_request_init(&s->req, s->max_header);
}

/* An exact-size copy of each prefix, so ASan sees a read past it. */
static void
subject_feed(struct subject *s, char **copy, const char *buf, size_t n,
    struct outcome *o)
{
	if ((*copy = realloc(*copy, n == 0 ? 1 : n)) == NULL)
		abort();
	memcpy(*copy, buf, n);
	if (s->response) {
		o->ret =
		    ws_response_parse(&s->res, *copy, n, s->accept, s->offered);
		o->status = s->res.status;
		o->reason = s->res.reason;
	} else {
		o->ret = ws_request_parse(&s->req, *copy, n);
		o->status = s->req.status;
		o->reason = s->req.reason;
	}
}

static size_t
subject_scanned(const struct subject *s)
{
	return s->response ? s->res.scanned : s->req.scanned;
}

static int
same(const struct outcome *a, const struct outcome *b)
{
	if (a->ret != b->ret || a->status != b->status)
		return 0;
	if (a->reason == NULL || b->reason == NULL)
		return a->reason == b->reason;
	return strcmp(a->reason, b->reason) == 0;
}

/* Grows the length one byte at a time until the parser decides. Each
 * undecided call must have searched exactly what it was given. */
static void
feed_bytewise(struct subject *s, const char *p, size_t n, struct outcome *o,
    size_t *rescans)
{
	char *copy = NULL;
	size_t i;

	subject_reset(s);
	*rescans = 0;
	for (i = 1; i <= n; i++) {
		subject_feed(s, &copy, p, i, o);
		if (o->ret != 0)
			break;
		if (subject_scanned(s) != i)
			(*rescans)++;
	}
	free(copy);
}

/* Feeds k bytes then all n, for every k; counts outcomes unlike want. */
static size_t
feed_splits(struct subject *s, const char *p, size_t n,
    const struct outcome *want)
{
	struct outcome o;
	char *copy = NULL;
	size_t k, bad = 0;

	for (k = 1; k < n; k++) {
		subject_reset(s);
		subject_feed(s, &copy, p, k, &o);
		if (o.ret == 0)
			subject_feed(s, &copy, p, n, &o);
		if (!same(&o, want)) {
			if (bad++ == 0)
				printf("#   split at %zu: ret %ld status %d "
				       "reason %s\n",
				    k, o.ret, o.status,
				    o.reason ? o.reason : "(none)");
		}
	}
	free(copy);
	return bad;
}

/* Runs one vector in the three ways; the whole-buffer parse stays in s
 * (pointing into p) for the caller's further checks. */
static void
check_vector(struct subject *s, const struct vector *v)
{
	struct outcome want, o;
	size_t rescans;

	want.ret = v->reason != NULL ? -1 : (long)(v->n - v->tail);
	want.status = v->status;
	want.reason = v->reason;

	feed_bytewise(s, v->p, v->n, &o, &rescans);
	ok(same(&o, &want), "%s: byte by byte", v->name);
	is_int((long long)rescans, 0, "%s: nothing searched twice", v->name);
	is_int((long long)feed_splits(s, v->p, v->n, &want), 0,
	    "%s: split at every point", v->name);

	subject_reset(s);
	if (s->response)
		o.ret = ws_response_parse(&s->res, v->p, v->n, s->accept,
		    s->offered);
	else
		o.ret = ws_request_parse(&s->req, v->p, v->n);
	o.status = s->response ? s->res.status : s->req.status;
	o.reason = s->response ? s->res.reason : s->req.reason;
	is_int(o.ret, want.ret, "%s: whole, length", v->name);
	is_int(o.status, want.status, "%s: whole, status", v->name);
	ok(same(&o, &want), "%s: whole, reason \"%s\"", v->name,
	    o.reason != NULL ? o.reason : "(none)");
}

/* A table row by name, so checks below do not hang on row numbers. */
static const struct vector *
row(const struct vector *t, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	abort();
}

static int
str_is(struct ws_str s, const char *want)
{
	return s.p != NULL && s.n == strlen(want) &&
	    memcmp(s.p, want, s.n) == 0;
}

static void
test_requests(void)
{
	struct subject s = { 0 };
	size_t i;

	for (i = 0; i < NELEM(requests); i++)
		check_vector(&s, &requests[i]);

	/* what the RFC sample leaves in the request */
	check_vector(&s,
	    row(requests, NELEM(requests), "RFC 6455 section 1.3 sample"));
	ok(str_is(s.req.method, "GET"), "sample: method");
	ok(str_is(s.req.target, "/chat"), "sample: target");
	ok(str_is(s.req.host, "server.example.com"), "sample: host");
	ok(str_is(s.req.key, KEY), "sample: key");
	ok(str_is(s.req.origin, "http://example.com"), "sample: origin");
	ok(str_is(s.req.protocols, "chat, superchat"), "sample: protocols");
	ok(s.req.extensions.p == NULL, "sample: no extensions");
	is_int((long long)s.req.nheaders, 7, "sample: all 7 headers kept");
	ok(str_is(s.req.headers[5].name, "Sec-WebSocket-Protocol") &&
		str_is(s.req.headers[5].value, "chat, superchat"),
	    "sample: headers in order, names and values");

	check_vector(&s,
	    row(requests, NELEM(requests),
		"browser-like, Connection: keep-alive, Upgrade"));
	ok(str_is(s.req.extensions, "permessage-deflate"),
	    "browser: extensions recorded");
	ok(str_is(s.req.target, "/ws?room=1"), "browser: target with query");
	check_vector(&s,
	    row(requests, NELEM(requests),
		"optional whitespace around values"));
	ok(str_is(s.req.host, "h") && str_is(s.req.key, KEY),
	    "whitespace trimmed from values");
}

/* A valid request padded by one header to exactly total bytes. */
static size_t
padded_request(char *buf, size_t total)
{
	static const char head[] = RL HOST UPG CONN KEYH VER "X-Pad: ";
	size_t n = sizeof(head) - 1;

	memcpy(buf, head, n);
	memset(buf + n, 'a', total - n - 4);
	memcpy(buf + total - 4, "\r\n\r\n", 4);
	return total;
}

/* A valid request with extra headers up to nheaders in all. */
static size_t
many_headers(char *buf, size_t cap, size_t nheaders)
{
	size_t n, i;

	n = (size_t)snprintf(buf, cap, "%s", RL HOST UPG CONN KEYH VER);
	for (i = 5; i < nheaders; i++)
		n += (size_t)snprintf(buf + n, cap - n, "X-%zu: y\r\n", i);
	n += (size_t)snprintf(buf + n, cap - n, "\r\n");
	return n;
}

static void
test_limits(void)
{
	static char buf[9100];
	struct subject s = { 0 };
	struct vector v = { 0 };

	v.p = buf;
	v.name = "9000-byte header";
	v.n = padded_request(buf, 9000);
	v.status = 431;
	v.reason = "header block too large";
	check_vector(&s, &v);

	v.name = "header of exactly the limit";
	v.n = padded_request(buf, WS_MAX_HEADER_DEFAULT);
	v.status = 0;
	v.reason = NULL;
	check_vector(&s, &v);

	v.name = "header one byte over the limit";
	v.n = padded_request(buf, WS_MAX_HEADER_DEFAULT + 1);
	v.status = 431;
	v.reason = "header block too large";
	check_vector(&s, &v);

	v.name = "64 header fields";
	v.n = many_headers(buf, sizeof(buf), WS_MAX_HEADERS);
	v.status = 0;
	v.reason = NULL;
	check_vector(&s, &v);
	is_int((long long)s.req.nheaders, WS_MAX_HEADERS, "64 fields kept");

	v.name = "65 header fields";
	v.n = many_headers(buf, sizeof(buf), WS_MAX_HEADERS + 1);
	v.status = 431;
	v.reason = "too many header fields";
	check_vector(&s, &v);

	s.max_header = 100;
	v.name = "sample over a 100-byte limit";
	v.reason = "header block too large";
	v.p = RFC_SAMPLE;
	v.n = sizeof(RFC_SAMPLE) - 1;
	check_vector(&s, &v);
	is_int((long long)s.req.scanned, 100, "only the limit was searched");
}

/* After an answer, the parser keeps giving it. */
static void
test_sticky(void)
{
	static const char bad[] = "GET / HTTP/1.0\r\n\r\n";
	struct ws_request r;
	struct ws_response res;
	long n;

	ws_request_init(&r, 0);
	is_int((long long)r.max_header, WS_MAX_HEADER_DEFAULT,
	    "max_header 0 means the default");
	n = ws_request_parse(&r, RFC_SAMPLE, sizeof(RFC_SAMPLE) - 1);
	is_int(ws_request_parse(&r, RFC_SAMPLE, sizeof(RFC_SAMPLE) - 1), n,
	    "a complete request parses again the same");
	ws_request_init(&r, 0);
	ws_request_parse(&r, bad, sizeof(bad) - 1);
	is_int(ws_request_parse(&r, RFC_SAMPLE, sizeof(RFC_SAMPLE) - 1), -1,
	    "a refused request stays refused");
	is_int(r.status, 400, "and keeps its status");
	ws_request_init(&r, 0);
	is_int(ws_request_parse(&r, RFC_SAMPLE, 0), 0, "no bytes, no answer");
	ws_request_init(&r, 0);
	is_int(ws_request_parse(&r, BYTES(RL HOST UPG CONN KEYH VER)), 0,
	    "no blank line yet: more needed");

	ws_response_init(&res, 0);
	is_int(ws_response_parse(&res, BYTES("HTTP/1.1 500 Oops\r\n\r\n"),
		   ACCEPT, NULL),
	    -1, "a refused response");
	is_int(ws_response_parse(&res, BYTES(S101 RUPG RCONN RACC END), ACCEPT,
		   NULL),
	    -1, "stays refused");

	/* With extensions offered, one answer line is the caller's to judge
	 * (ws_pmd_answer); two are refused here. */
	ws_response_init(&res, 0);
	res.extensions_offered = 1;
	is_int(ws_response_parse(&res,
		   BYTES(S101 RUPG RCONN RACC
		       "Sec-WebSocket-Extensions: permessage-deflate\r\n" END),
		   ACCEPT, NULL),
	    (long)sizeof(S101 RUPG RCONN RACC
		"Sec-WebSocket-Extensions: permessage-deflate\r\n" END) -
		1,
	    "an extension we offered is passed on");
	ok(res.extensions.n == 18 &&
		memcmp(res.extensions.p, "permessage-deflate", 18) == 0,
	    "and its value recorded");
	ws_response_init(&res, 0);
	res.extensions_offered = 1;
	is_int(ws_response_parse(&res,
		   BYTES(S101 RUPG RCONN RACC
		       "Sec-WebSocket-Extensions: permessage-deflate\r\n"
		       "Sec-WebSocket-Extensions: permessage-deflate\r\n" END),
		   ACCEPT, NULL),
	    -1, "two extension lines are refused");
}

/* Flips each byte of the sample to a few troublesome values: any answer
 * is fine, a crash or an out-of-range return is not. */
static void
test_mutations(void)
{
	static const char bytes[] = { '\0', '\r', '\n', ' ', ':', ',', '\x80',
		'\xff', 'A' };
	char buf[sizeof(RFC_SAMPLE)];
	struct ws_request r;
	size_t i, j, bad = 0;
	long got;

	for (i = 0; i < sizeof(RFC_SAMPLE) - 1; i++) {
		for (j = 0; j < sizeof(bytes); j++) {
			memcpy(buf, RFC_SAMPLE, sizeof(RFC_SAMPLE) - 1);
			buf[i] = bytes[j];
			ws_request_init(&r, 0);
			got = ws_request_parse(&r, buf, sizeof(RFC_SAMPLE) - 1);
			if (got < -1 || got > (long)sizeof(RFC_SAMPLE) - 1 ||
			    (got == -1 && (r.reason == NULL || r.status == 0)))
				bad++;
		}
	}
	is_int((long long)bad, 0, "mutated samples get a sane answer");
}

static void
test_responses(void)
{
	const struct vector *v;
	struct subject s = { 0 };
	size_t i;

	s.response = 1;
	s.accept = ACCEPT;
	for (i = 0; i < NELEM(responses); i++) {
		s.offered = responses[i].offered;
		check_vector(&s, &responses[i]);
	}
	v = row(responses, NELEM(responses),
	    "101 choosing an offered protocol");
	s.offered = v->offered;
	check_vector(&s, v);
	ok(str_is(s.res.protocol, "chat"), "chosen protocol recorded");
	ok(str_is(s.res.status_line, "HTTP/1.1 101 Switching Protocols"),
	    "101 status line recorded");
	s.offered = NULL;
	check_vector(&s, row(responses, NELEM(responses), "400 refusal"));
	ok(str_is(s.res.status_line, "HTTP/1.1 400 Bad Request"),
	    "400 status line recorded");
}

static void
test_answers(void)
{
	static const char want101[] = "HTTP/1.1 101 Switching Protocols\r\n"
				      "Upgrade: websocket\r\n"
				      "Connection: Upgrade\r\n"
				      "Sec-WebSocket-Accept: " ACCEPT "\r\n"
				      "\r\n";
	static const char want101p[] = "HTTP/1.1 101 Switching Protocols\r\n"
				       "Upgrade: websocket\r\n"
				       "Connection: Upgrade\r\n"
				       "Sec-WebSocket-Accept: " ACCEPT "\r\n"
				       "Sec-WebSocket-Protocol: chat\r\n"
				       "\r\n";
	char out[512];
	size_t n, cap, bad = 0;

	n = ws_response_101(out, sizeof(out), BYTES(KEY), NULL);
	is_mem(out, n, BYTES(want101), "101 exact bytes");
	n = ws_response_101(out, sizeof(out), BYTES(KEY), "chat");
	is_mem(out, n, BYTES(want101p), "101 with a protocol, exact bytes");
	n = ws_response_101(out, sizeof(out), BYTES(KEY), "");
	is_mem(out, n, BYTES(want101), "101 with an empty protocol: none");
	is_int((long long)ws_response_101(out, sizeof(out), BYTES(KEY),
		   "chat\r\nX-Evil: 1"),
	    0, "101 refuses a protocol with CRLF");
	for (cap = 0; cap < sizeof(want101) - 1; cap++)
		if (ws_response_101(out, cap, BYTES(KEY), NULL) != 0)
			bad++;
	is_int((long long)bad, 0, "101 into any short buffer gives 0");
	is_int((long long)ws_response_101(out, sizeof(want101) - 1, BYTES(KEY),
		   NULL),
	    sizeof(want101) - 1, "101 into exactly enough room");
	is_int((long long)ws_response_101(out, sizeof(out), BYTES(KEY), "a, b"),
	    0, "101 refuses a protocol that is not one token");
}

static void
test_answer_headers(void)
{
	static const char want[] = "HTTP/1.1 101 Switching Protocols\r\n"
				   "Upgrade: websocket\r\n"
				   "Connection: Upgrade\r\n"
				   "Sec-WebSocket-Accept: " ACCEPT "\r\n"
				   "Sec-WebSocket-Protocol: chat\r\n"
				   "X-Served-By: node 1\r\n"
				   "Set-Cookie: a=b\r\n"
				   "\r\n";
	static const char *const extra[] = { "X-Served-By: node 1",
		"Set-Cookie: a=b" };
	static const struct {
		const char *line;
		int ok;
	} lines[] = {
		{ "X-Served-By: node 1", 1 },
		{ "X-Empty:", 1 },
		{ "Strict-Transport-Security: max-age=60", 1 },
		{ "no colon", 0 },
		{ ": no name", 0 },
		{ "Bad Name: x", 0 },
		{ "X-Evil: 1\r\nX-More: 2", 0 },
		{ "X-Evil: a\nb", 0 },
		{ "X-Ctl: \x01", 0 },
		{ "Upgrade: h2c", 0 },
		{ "connection: close", 0 },
		{ "Sec-WebSocket-Accept: x", 0 },
		{ "sec-websocket-extensions: permessage-deflate", 0 },
		{ "Content-Length: 5", 0 },
		{ "Transfer-Encoding: chunked", 0 },
	};
	struct ws_answer a = { { "chat", 4 }, extra, 2, { "", 0 } };
	const char *bad[] = { "Upgrade: x" };
	static const char want_ext[] =
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
	    "Sec-WebSocket-Extensions: permessage-deflate\r\n"
	    "\r\n";
	struct ws_answer e = { { "", 0 }, NULL, 0,
		{ "permessage-deflate", 18 } };
	char out[512];
	size_t i, n;

	n = ws_response_101_answer(out, sizeof(out), BYTES(KEY), &e);
	is_mem(out, n, BYTES(want_ext), "101 with an extension");
	e.extensions = (struct ws_str){ "a\r\nX: y", 8 };
	n = ws_response_101_answer(out, sizeof(out), BYTES(KEY), &e);
	is_int((long long)n, 0, "101 refuses an extension value with CR LF");

	n = ws_response_101_answer(out, sizeof(out), BYTES(KEY), &a);
	is_mem(out, n, BYTES(want), "101 with a protocol and extra headers");
	n = ws_response_101_answer(out, sizeof(want) - 2, BYTES(KEY), &a);
	is_int((long long)n, 0, "101 with extras one byte short gives 0");
	a.headers = bad;
	a.nheaders = 1;
	n = ws_response_101_answer(out, sizeof(out), BYTES(KEY), &a);
	is_int((long long)n, 0, "101 refuses an extra header it owns");
	for (i = 0; i < NELEM(lines); i++)
		is_int(ws_header_line_ok(lines[i].line), lines[i].ok,
		    "extra header line %zu %s", i,
		    lines[i].ok ? "accepted" : "refused");
}

static void
test_errors(void)
{
	static const char want426[] = "HTTP/1.1 426 Upgrade Required\r\n"
				      "Content-Type: text/plain\r\n"
				      "Content-Length: 30\r\n"
				      "Connection: close\r\n"
				      "Sec-WebSocket-Version: 13\r\n"
				      "\r\n"
				      "unsupported WebSocket version\n";
	static const char want400[] = "HTTP/1.1 400 Bad Request\r\n"
				      "Content-Type: text/plain\r\n"
				      "Content-Length: 20\r\n"
				      "Connection: close\r\n"
				      "\r\n"
				      "missing Host header\n";
	static const char want431[] = "HTTP/1.1 431 Request Header Fields Too "
				      "Large\r\n"
				      "Content-Type: text/plain\r\n"
				      "Content-Length: 32\r\n"
				      "Connection: close\r\n"
				      "\r\n"
				      "Request Header Fields Too Large\n";
	char out[512];
	size_t n;

	n = ws_response_error(out, sizeof(out), 426,
	    "unsupported WebSocket version");
	is_mem(out, n, BYTES(want426), "426 exact bytes");
	n = ws_response_error(out, sizeof(out), 400, "missing Host header");
	is_mem(out, n, BYTES(want400), "400 exact bytes");
	n = ws_response_error(out, sizeof(out), 431, NULL);
	is_mem(out, n, BYTES(want431), "431 without a reason uses the phrase");
	is_int((long long)ws_response_error(out, sizeof(want400) - 2, 400,
		   "missing Host header"),
	    0, "error into a short buffer gives 0");
	is_int((long long)ws_response_error(out, sizeof(out), 42, "x"), 0,
	    "status outside 100-999 gives 0");
}

static void
test_status_text(void)
{
	static const struct {
		int status;
		const char *text;
	} t[] = {
		{ 101, "Switching Protocols" },
		{ 301, "Moved Permanently" },
		{ 400, "Bad Request" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 426, "Upgrade Required" },
		{ 431, "Request Header Fields Too Large" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++)
		ok(strcmp(ws_status_text(t[i].status), t[i].text) == 0,
		    "status text %d", t[i].status);
	ok(ws_status_text(299) != NULL, "status text of an unknown status");
}

static void
test_client_request(void)
{
	static const char want[] = "GET /chat HTTP/1.1\r\n"
				   "Host: server.example.com\r\n"
				   "Upgrade: websocket\r\n"
				   "Connection: Upgrade\r\n"
				   "Sec-WebSocket-Key: " KEY "\r\n"
				   "Sec-WebSocket-Version: 13\r\n"
				   "\r\n";
	static const char *const extra[] = { "Origin: http://example.com",
		"Sec-WebSocket-Version: 8", "host: other",
		"Sec-WebSocket-Protocol: chat", "SEC-WEBSOCKET-VERSION: 13" };
	static const char *const no_colon[] = { "Origin http://x" };
	static const char *const with_cr[] = { "Origin: a\rb" };
	static const char *const with_lf[] = { "Origin: a\nX-Evil: 1" };
	char out[512];
	size_t n, cap, bad = 0;

	n = ws_client_request(out, sizeof(out), "server.example.com", "/chat",
	    KEY, NULL, 0);
	is_mem(out, n, BYTES(want), "client request exact bytes");
	n = ws_client_request(out, sizeof(out), "server.example.com", "/chat",
	    KEY, extra, 0);
	is_mem(out, n, BYTES(want), "client request, zero extras");
	n = ws_client_request(out, sizeof(out), "h", "?x=1", KEY, extra,
	    NELEM(extra));
	/* each extra keeps its own spelling; the path gets its '/' */
	is_mem(out, n,
	    BYTES("GET /?x=1 HTTP/1.1\r\n"
		  "host: other\r\n"
		  "Upgrade: websocket\r\n"
		  "Connection: Upgrade\r\n"
		  "Sec-WebSocket-Key: " KEY "\r\n"
		  "Sec-WebSocket-Version: 8\r\n"
		  "SEC-WEBSOCKET-VERSION: 13\r\n"
		  "Origin: http://example.com\r\n"
		  "Sec-WebSocket-Protocol: chat\r\n"
		  "\r\n"),
	    "client request with replaced headers, exact bytes");
	n = ws_client_request(out, sizeof(out), "h", "", KEY, NULL, 0);
	ok(n > 16 && memcmp(out, "GET / HTTP/1.1\r\n", 16) == 0,
	    "empty path becomes /");
	is_int((long long)ws_client_request(out, sizeof(out), "h", "/", KEY,
		   no_colon, 1),
	    0, "extra without a colon refused");
	is_int((long long)ws_client_request(out, sizeof(out), "h", "/", KEY,
		   with_cr, 1),
	    0, "extra with CR refused");
	is_int((long long)ws_client_request(out, sizeof(out), "h", "/", KEY,
		   with_lf, 1),
	    0, "extra with LF refused");
	is_int((long long)ws_client_request(out, sizeof(out), "h\r\nX: y", "/",
		   KEY, NULL, 0),
	    0, "host with CRLF refused");
	is_int((long long)ws_client_request(out, sizeof(out), "h", "/a b", KEY,
		   NULL, 0),
	    0, "path with a space refused");
	for (cap = 0; cap < sizeof(want) - 1; cap++)
		if (ws_client_request(out, cap, "server.example.com", "/chat",
			KEY, NULL, 0) != 0)
			bad++;
	is_int((long long)bad, 0, "client request into a short buffer gives 0");
}

/* Our client's request satisfies our server; our 101 satisfies our
 * client. */
static void
test_round_trip(void)
{
	static const char key[] = "AQIDBAUGBwgJCgsMDQ4PEA==";
	static const char *const extra[] = { "Sec-WebSocket-Protocol: a, b" };
	char req[512], res[512], accept[WS_ACCEPT_LEN + 1];
	struct ws_request r;
	struct ws_response c;
	size_t n, m;

	n = ws_client_request(req, sizeof(req), "[::1]:9000", "/p", key, extra,
	    1);
	ws_request_init(&r, 0);
	is_int(ws_request_parse(&r, req, n), (long)n,
	    "round trip: server accepts our request");
	m = ws_response_101(res, sizeof(res), r.key.p, r.key.n, "b");
	ws_accept_key(key, WS_KEY_LEN, accept);
	ws_response_init(&c, 0);
	is_int(ws_response_parse(&c, res, m, accept, "a, b"), (long)m,
	    "round trip: client accepts our 101");
	ok(str_is(c.protocol, "b"), "round trip: protocol agreed");

	m = ws_response_error(res, sizeof(res), 426,
	    "unsupported WebSocket version");
	ws_response_init(&c, 0);
	is_int(ws_response_parse(&c, res, m, accept, NULL), -1,
	    "round trip: our 426 is a refusal to our client");
	is_int(c.status, 426, "round trip: with its status");
}

/* Which refusals are plain HTTP a server may answer itself: every
 * well-formed HTTP/1.1 request without "Upgrade: websocket", whatever
 * its method, and none that is malformed or asks for a WebSocket. Fed
 * split at every point, the answer is the same. */
static void
test_plain(void)
{
	static const struct {
		const char *name, *p;
		size_t n;
		int plain;
		const char *reason;
	} t[] = {
		{ "curl's GET",
		    BYTES("GET /index.html HTTP/1.1\r\nHost: h\r\n"
			  "User-Agent: curl/7.88.1\r\n"
			  "Accept: */*\r\n\r\n"),
		    1, "Upgrade header is not websocket" },
		{ "HEAD", BYTES("HEAD / HTTP/1.1\r\n" HOST END), 1,
		    "method must be GET" },
		{ "POST with a body to come",
		    BYTES("POST /x HTTP/1.1\r\n" HOST
			  "Content-Length: 3\r\n" END),
		    1, "method must be GET" },
		{ "Upgrade: h2c", BYTES(RL HOST "Upgrade: h2c\r\n" END), 1,
		    "Upgrade header is not websocket" },
		{ "control: a valid upgrade", BYTES(RFC_SAMPLE), 0, NULL },
		{ "control: POST upgrade",
		    BYTES("POST /chat HTTP/1.1\r\n" HOST UPG CONN KEYH VER END),
		    0, "method must be GET" },
		{ "control: upgrade without Connection",
		    BYTES(RL HOST UPG KEYH VER END), 0,
		    "Connection header lacks upgrade" },
		{ "control: no Host", BYTES("GET / HTTP/1.1\r\n\r\n"), 0,
		    "missing Host header" },
		{ "control: HTTP/1.0", BYTES("GET / HTTP/1.0\r\n" HOST END), 0,
		    "HTTP/1.1 or later required" },
		{ "control: malformed field",
		    BYTES("GET / HTTP/1.1\r\n" HOST "bad line\r\n" END), 0,
		    "malformed header field" },
	};
	struct ws_request r;
	size_t i, k;
	long want, got;
	int same_split;

	for (i = 0; i < NELEM(t); i++) {
		ws_request_init(&r, 0);
		got = ws_request_parse(&r, t[i].p, t[i].n);
		want = t[i].reason ? -1 : (long)t[i].n;
		is_int(got, want, "plain: %s: outcome", t[i].name);
		is_int(r.plain, t[i].plain, "plain: %s: classified", t[i].name);
		ok(t[i].reason == NULL ? r.reason == NULL
				       : r.reason != NULL &&
			    strcmp(r.reason, t[i].reason) == 0,
		    "plain: %s: reason \"%s\"", t[i].name,
		    r.reason ? r.reason : "(none)");
		is_int((long long)r.len, (long long)t[i].n,
		    "plain: %s: block length", t[i].name);
		same_split = 1;
		for (k = 1; k < t[i].n; k++) {
			ws_request_init(&r, 0);
			if (ws_request_parse(&r, t[i].p, k) == 0)
				ws_request_parse(&r, t[i].p, t[i].n);
			same_split &= r.plain == t[i].plain;
		}
		ok(same_split, "plain: %s: split at every point", t[i].name);
	}
	ws_request_init(&r, 0);
	ws_request_parse(&r, BYTES("HEAD /a?b HTTP/1.1\r\n" HOST END));
	ok(str_is(r.method, "HEAD") && str_is(r.target, "/a?b"),
	    "plain: method and target kept");
}

int
main(void)
{
	test_requests();
	test_plain();
	test_limits();
	test_sticky();
	test_mutations();
	test_responses();
	test_answers();
	test_answer_headers();
	test_errors();
	test_status_text();
	test_client_request();
	test_round_trip();
	return done_testing();
}
