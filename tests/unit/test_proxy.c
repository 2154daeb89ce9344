/* SPDX-License-Identifier: ISC */
/*
 * The PROXY header parser: every family of both versions, LOCAL, TLVs,
 * and each refusal with its reason; each vector fed whole, byte by byte
 * and split at every point, with the bytes after the header left alone.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define SIG "\r\n\r\n\0\r\nQUIT\n"
/* What follows the header in every vector: it must never be taken. */
#define AFTER "GET / HTTP/1.1\r\n"

struct vec {
	const char *name;
	const char *bytes;
	size_t len; /* of the header alone; the vector holds AFTER too */
	enum ws_proxy_kind kind;
	const char *src, *dst; /* 4 or 16 bytes, NULL unless CLIENT */
	int family;
	unsigned sport, dport;
};

#define V(s) s AFTER, sizeof(s) - 1
static const struct vec good[] = {
	{ "v1 TCP4", V("PROXY TCP4 192.0.2.7 127.0.0.1 56324 443\r\n"),
	    WS_PROXY_CLIENT, "\xc0\x00\x02\x07", "\x7f\x00\x00\x01", 4, 56324,
	    443 },
	{ "v1 TCP6", V("PROXY TCP6 2001:db8::7 ::1 65535 0\r\n"),
	    WS_PROXY_CLIENT, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07",
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 6, 65535, 0 },
	{ "v1 TCP6, full form, a mapped IPv4",
	    V("PROXY TCP6 0:0:0:0:0:ffff:192.0.2.1 0000:0:0:0:0:0:0:1 1 2\r\n"),
	    WS_PROXY_CLIENT, "\0\0\0\0\0\0\0\0\0\0\xff\xff\xc0\x00\x02\x01",
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 6, 1, 2 },
	{ "v1 UNKNOWN", V("PROXY UNKNOWN\r\n"), WS_PROXY_OWN, NULL, NULL, 0, 0,
	    0 },
	{ "v1 UNKNOWN with the rest of a line",
	    V("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n"), WS_PROXY_OWN, NULL,
	    NULL, 0, 0, 0 },
	{ "v1 at its 107-byte limit",
	    V("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
	      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
	    WS_PROXY_CLIENT,
	    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff",
	    6, 65535, 65535 },
	{ "v2 PROXY TCP4",
	    V(SIG "\x21\x11\x00\x0c\xc0\x00\x02\x07\x7f\x00\x00\x01"
		  "\xdc\x04\x01\xbb"),
	    WS_PROXY_CLIENT, "\xc0\x00\x02\x07", "\x7f\x00\x00\x01", 4, 56324,
	    443 },
	{ "v2 PROXY TCP6",
	    V(SIG "\x21\x21\x00\x24"
		  "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07"
		  "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01"
		  "\xff\xff\x00\x50"),
	    WS_PROXY_CLIENT, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07",
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 6, 65535, 80 },
	{ "v2 TCP4 with TLVs: ALPN, authority, an empty NOOP",
	    V(SIG "\x21\x11\x00\x22\x0a\x00\x00\x01\x0a\x00\x00\x02"
		  "\x00\x50\x00\x51"
		  "\x01\x00\x02h2"
		  "\x02\x00\x0b"
		  "example.org"
		  "\x04\x00\x00"),
	    WS_PROXY_CLIENT, "\x0a\x00\x00\x01", "\x0a\x00\x00\x02", 4, 80,
	    81 },
	{ "v2 LOCAL (a health check), with an address block",
	    V(SIG "\x20\x11\x00\x0c\x01\x02\x03\x04\x05\x06\x07\x08"
		  "\x00\x01\x00\x02"),
	    WS_PROXY_OWN, NULL, NULL, 0, 0, 0 },
	{ "v2 LOCAL, empty", V(SIG "\x20\x00\x00\x00"), WS_PROXY_OWN, NULL,
	    NULL, 0, 0, 0 },
	{ "v2 LOCAL, a family we refuse for PROXY", V(SIG "\x20\x31\x00\x02zz"),
	    WS_PROXY_OWN, NULL, NULL, 0, 0, 0 },
	{ "v2 PROXY UNSPEC",
	    V(SIG "\x21\x00\x00\x03"
		  "abc"),
	    WS_PROXY_OWN, NULL, NULL, 0, 0, 0 },
};

static const struct {
	const char *name, *bytes;
	size_t len;
	const char *reason;
} bad[] = {
	{ "an HTTP request", "GET / HTTP/1.1\r\n", 16, "no PROXY header" },
	{ "v1 signature wrong at its 5th byte", "PROXZ TCP4", 10,
	    "no PROXY header" },
	{ "v1 signature without its space", "PROXYTCP4", 9, "no PROXY header" },
	{ "v2 signature wrong at its last byte", "\r\n\r\n\0\r\nQUIT\r", 12,
	    "no PROXY header" },
	{ "v1 TCP5", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n", 32,
	    "PROXY v1: protocol is not TCP4, TCP6 or UNKNOWN" },
	{ "v1 lower-case tcp4", "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", 32,
	    "PROXY v1: protocol is not TCP4, TCP6 or UNKNOWN" },
	{ "v1 port 65536", "PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n", 36,
	    "PROXY v1: bad port" },
	{ "v1 port with a leading zero", "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
	    33, "PROXY v1: bad port" },
	{ "v1 negative port", "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", 33,
	    "PROXY v1: bad port" },
	{ "v1 IPv4 octet with a leading zero",
	    "PROXY TCP4 1.2.3.04 5.6.7.8 1 2\r\n", 33,
	    "PROXY v1: bad address" },
	{ "v1 IPv4 octet 256", "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n", 34,
	    "PROXY v1: bad address" },
	{ "v1 three octets", "PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n", 30,
	    "PROXY v1: bad address" },
	{ "v1 TCP4 with an IPv6 address", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n", 28,
	    "PROXY v1: bad address" },
	{ "v1 TCP6 with an IPv4 address", "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", 28,
	    "PROXY v1: bad address" },
	{ "v1 IPv6 group of five digits", "PROXY TCP6 ::00001 ::1 1 2\r\n", 28,
	    "PROXY v1: bad address" },
	{ "v1 IPv6 with two ::", "PROXY TCP6 1::2::3 ::1 1 2\r\n", 28,
	    "PROXY v1: bad address" },
	{ "v1 IPv6 with a zone", "PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n", 33,
	    "PROXY v1: bad address" },
	{ "v1 two spaces", "PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n", 33,
	    "PROXY v1: not five fields after PROXY" },
	{ "v1 an empty address", "PROXY TCP4 1.2.3.4  5.6.7.8 1\r\n", 31,
	    "PROXY v1: bad address" },
	{ "v1 a field missing", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n", 30,
	    "PROXY v1: not five fields after PROXY" },
	{ "v1 a field too many", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", 34,
	    "PROXY v1: not five fields after PROXY" },
	{ "v1 a trailing space", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", 33,
	    "PROXY v1: not five fields after PROXY" },
	{ "v1 LF without CR", "PROXY UNKNOWN\n", 14,
	    "PROXY v1: LF without CR" },
	{ "v1 CR without LF", "PROXY UNKNOWN\rx", 15,
	    "PROXY v1: CR not followed by LF" },
	{ "v1 108 bytes without CRLF",
	    "PROXY UNKNOWN xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n",
	    109, "PROXY v1: line longer than 107 bytes" },
	{ "v2 version 1", SIG "\x11\x11\x00\x0c", 16,
	    "PROXY v2: version is not 2" },
	{ "v2 command 2", SIG "\x22\x11\x00\x0c", 16,
	    "PROXY v2: command is not LOCAL or PROXY" },
	{ "v2 UNIX stream", SIG "\x21\x31\x00\xd8", 16,
	    "PROXY v2: UNIX family not supported" },
	{ "v2 UDP over IPv4", SIG "\x21\x12\x00\x0c", 16,
	    "PROXY v2: UDP not supported" },
	{ "v2 UDP over IPv6", SIG "\x21\x22\x00\x24", 16,
	    "PROXY v2: UDP not supported" },
	{ "v2 family 4", SIG "\x21\x41\x00\x0c", 16,
	    "PROXY v2: unknown family or transport" },
	{ "v2 IPv4 with transport UNSPEC", SIG "\x21\x10\x00\x0c", 16,
	    "PROXY v2: unknown family or transport" },
	{ "v2 TCP4 length 11", SIG "\x21\x11\x00\x0b", 16,
	    "PROXY v2: length shorter than its addresses" },
	{ "v2 TCP6 length 35", SIG "\x21\x21\x00\x23", 16,
	    "PROXY v2: length shorter than its addresses" },
	{ "v2 length 2049", SIG "\x21\x11\x08\x01", 16,
	    "PROXY v2: header longer than 2048 bytes" },
	{ "v2 TLV running past the end",
	    SIG "\x21\x11\x00\x10\x0a\x00\x00\x01\x0a\x00\x00\x02"
		"\x00\x50\x00\x51\x01\x00\x02h",
	    31, "PROXY v2: TLV runs past the header" },
	{ "v2 TLV head cut by the end",
	    SIG "\x21\x11\x00\x0e\x0a\x00\x00\x01\x0a\x00\x00\x02"
		"\x00\x50\x00\x51\x01\x00",
	    30, "PROXY v2: TLV cut short" },
};

/* Feeds v in pieces of step bytes (0: whole); returns what the parser
 * took in all, or -1. */
static long
feed(struct ws_proxy *p, const uint8_t *b, size_t n, size_t first)
{
	size_t off = 0, piece;
	long r;

	ws_proxy_init(p);
	while (off < n && !p->done) {
		piece = first && off == 0 ? first : n - off;
		if (first == 1)
			piece = 1;
		r = ws_proxy_parse(p, b + off, piece);
		if (r < 0)
			return -1;
		if (r == 0 || (size_t)r > piece)
			return -2; /* no progress, or past what it was given */
		off += (size_t)r;
	}
	return p->done ? (long)off : -3;
}

static int
result_ok(const struct vec *v, const struct ws_proxy *p)
{
	size_t alen = v->family == 4 ? 4 : 16;

	if (p->kind != v->kind)
		return 0;
	if (v->kind != WS_PROXY_CLIENT)
		return 1;
	return p->src.family == v->family && p->dst.family == v->family &&
	    memcmp(p->src.a, v->src, alen) == 0 &&
	    memcmp(p->dst.a, v->dst, alen) == 0 && p->sport == v->sport &&
	    p->dport == v->dport;
}

static void
test_good(void)
{
	struct ws_proxy p;
	size_t i, at, total;
	long r;
	int splits_ok;

	for (i = 0; i < NELEM(good); i++) {
		const struct vec *v = &good[i];
		const uint8_t *b = (const uint8_t *)v->bytes;

		total = v->len + strlen(AFTER);
		r = feed(&p, b, total, 0);
		is_int(r, (long)v->len, "%s: whole, the header alone taken",
		    v->name);
		ok(result_ok(v, &p), "%s: whole, its fields", v->name);
		r = feed(&p, b, total, 1);
		ok(r == (long)v->len && result_ok(v, &p), "%s: byte by byte",
		    v->name);
		splits_ok = 1;
		for (at = 1; at < total; at++) {
			r = feed(&p, b, total, at);
			if (r != (long)v->len || !result_ok(v, &p))
				splits_ok = 0;
		}
		ok(splits_ok, "%s: split at every point", v->name);
	}
}

static void
test_bad(void)
{
	struct ws_proxy p;
	size_t i, at;
	long r;
	int splits_ok;

	for (i = 0; i < NELEM(bad); i++) {
		const uint8_t *b = (const uint8_t *)bad[i].bytes;

		r = feed(&p, b, bad[i].len, 0);
		ok(r == -1 && p.reason && strcmp(p.reason, bad[i].reason) == 0,
		    "%s: refused (%s)", bad[i].name, p.reason);
		splits_ok = 1;
		for (at = 1; at < bad[i].len; at++)
			if (feed(&p, b, bad[i].len, at) != -1 ||
			    strcmp(p.reason, bad[i].reason) != 0)
				splits_ok = 0;
		ok(splits_ok, "%s: the same refusal at every split",
		    bad[i].name);
	}
}

/* A header cut short is never done, and never taken for refused. */
static void
test_truncated(void)
{
	struct ws_proxy p;
	size_t i, n;
	int all = 1;

	for (i = 0; i < NELEM(good); i++)
		for (n = 1; n < good[i].len; n++) {
			ws_proxy_init(&p);
			if (ws_proxy_parse(&p, (const uint8_t *)good[i].bytes,
				n) != (long)n ||
			    p.done)
				all = 0;
		}
	ok(all, "every prefix of every header: taken whole, not done");
	ws_proxy_init(&p);
	is_int(ws_proxy_parse(&p, (const uint8_t *)"x", 0), 0,
	    "nothing fed, nothing taken");
}

/* The refusal comes at the first byte that cannot be a header: an HTTP
 * client is not kept waiting. */
static void
test_fail_fast(void)
{
	struct ws_proxy p;

	ws_proxy_init(&p);
	is_int(ws_proxy_parse(&p, (const uint8_t *)"G", 1), -1,
	    "G: refused at once");
	ws_proxy_init(&p);
	is_int(ws_proxy_parse(&p, (const uint8_t *)"PROXY TCP4 ", 5), 5,
	    "PROXY: 5 bytes taken");
	is_int(ws_proxy_parse(&p, (const uint8_t *)"_", 1), -1,
	    "a 6th byte that is not a space: refused");
	ws_proxy_init(&p);
	is_int(ws_proxy_parse(&p, (const uint8_t *)"\r\n\r\n\0\r\nQ", 8), 8,
	    "v2: 8 bytes of the signature taken");
	is_int(ws_proxy_parse(&p, (const uint8_t *)"X", 1), -1,
	    "v2: a 9th that differs: refused");
}

static void
test_sniff(void)
{
	ok(ws_proxy_sniff((const uint8_t *)"PROXY TCP4", 10), "sniff: v1");
	ok(ws_proxy_sniff((const uint8_t *)"PROX", 4), "sniff: v1 prefix");
	ok(ws_proxy_sniff((const uint8_t *)SIG "\x21", 13), "sniff: v2");
	ok(!ws_proxy_sniff((const uint8_t *)"POST / ", 7), "sniff: POST");
	ok(!ws_proxy_sniff((const uint8_t *)"GET / ", 6), "sniff: GET");
	ok(!ws_proxy_sniff((const uint8_t *)"\x16\x03\x01", 3),
	    "sniff: a ClientHello");
	ok(!ws_proxy_sniff((const uint8_t *)"", 0), "sniff: nothing");
}

int
main(void)
{
	test_good();
	test_bad();
	test_truncated();
	test_fail_fast();
	test_sniff();
	return done_testing();
}
