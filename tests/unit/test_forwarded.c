/* SPDX-License-Identifier: ISC */
/*
 * Addresses, trusted prefixes, and the client behind HTTP proxies:
 * X-Forwarded-For and Forwarded walked from the right past trusted hops.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct ws_str
S(const char *s) {
	return (struct ws_str){ s, strlen(s) };
}

static void
test_addr(void)
{
	static const struct {
		const char *text;
		int family;
		const char *bytes;
	} good[] = {
		{ "0.0.0.0", 4, "\0\0\0\0" },
		{ "255.255.255.255", 4, "\xff\xff\xff\xff" },
		{ "192.0.2.10", 4, "\xc0\x00\x02\x0a" },
		{ "::", 6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0" },
		{ "::1", 6, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01" },
		{ "1::", 6, "\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0" },
		{ "2001:DB8::a:b", 6,
		    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\x0a\0\x0b" },
		{ "1:2:3:4:5:6:7:8", 6,
		    "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\0\x07\0\x08" },
		{ "::ffff:1.2.3.4", 6,
		    "\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04" },
		{ "1:2:3:4:5:6:1.2.3.4", 6,
		    "\0\x01\0\x02\0\x03\0\x04\0\x05\0\x06\x01\x02\x03\x04" },
	};
	static const char *const bad[] = { "", "1.2.3", "1.2.3.4.5", "01.2.3.4",
		"1.2.3.256", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "a.b.c.d", ":",
		":::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "1::2::3",
		"12345::", ":1::", "1::2:", "::1.2.3", "fe80::1%eth0",
		"1.2.3.4::", "::1.2.3.4:5", "[::1]" };
	struct ws_addr a;
	size_t i;

	for (i = 0; i < NELEM(good); i++) {
		ok(ws_addr_parse(S(good[i].text), &a) == 0 &&
			a.family == good[i].family &&
			memcmp(a.a, good[i].bytes,
			    good[i].family == 4 ? 4 : 16) == 0,
		    "address %s", good[i].text);
	}
	for (i = 0; i < NELEM(bad); i++)
		is_int(ws_addr_parse(S(bad[i]), &a), -1,
		    "not an address: \"%s\"", bad[i]);
	ws_addr_parse(S("::ffff:10.1.2.3"), &a);
	ws_addr_unmap(&a);
	ok(a.family == 4 && memcmp(a.a, "\x0a\x01\x02\x03", 4) == 0,
	    "::ffff:10.1.2.3 unmapped to 10.1.2.3");
}

static void
test_trust(void)
{
	struct ws_trust t = { .n = 0 };
	struct ws_str bad;
	struct ws_addr a;
	static const char *const refused[] = { "10.0.0.1/8", "10.0.0.0/33",
		"::/129", "1.2.3.4/", "1.2.3.4/08", "1.2.3.4/x", "host.example",
		"", " , " };
	size_t i;

	is_int(ws_trust_add(&t, "127.0.0.1, 10.0.0.0/8,2001:db8::/32", &bad), 0,
	    "a list of three");
	is_int((long long)t.n, 3, "three prefixes kept");
	is_int(ws_trust_add(&t, "fe80::/10", &bad), 0, "a second list adds");
	ws_addr_parse(S("10.200.3.4"), &a);
	ok(ws_trust_match(&t, &a), "10.200.3.4 in 10.0.0.0/8");
	ws_addr_parse(S("11.0.0.1"), &a);
	ok(!ws_trust_match(&t, &a), "11.0.0.1 in none");
	ws_addr_parse(S("127.0.0.2"), &a);
	ok(!ws_trust_match(&t, &a), "127.0.0.2 is not 127.0.0.1");
	ws_addr_parse(S("::ffff:127.0.0.1"), &a);
	ok(ws_trust_match(&t, &a), "::ffff:127.0.0.1 is 127.0.0.1");
	ws_addr_parse(S("2001:db8:ffff::1"), &a);
	ok(ws_trust_match(&t, &a), "2001:db8:ffff::1 in 2001:db8::/32");
	ws_addr_parse(S("2001:db9::1"), &a);
	ok(!ws_trust_match(&t, &a), "2001:db9::1 not in it");
	ws_addr_parse(S("febf::1"), &a);
	ok(ws_trust_match(&t, &a), "febf::1 in fe80::/10");
	ws_addr_parse(S("fec0::1"), &a);
	ok(!ws_trust_match(&t, &a), "fec0::1 not in fe80::/10");
	for (i = 0; i < NELEM(refused); i++) {
		struct ws_trust u = { .n = 0 };

		is_int(ws_trust_add(&u, refused[i], &bad), -1,
		    "trust list \"%s\" refused", refused[i]);
	}
	{
		struct ws_trust u = { .n = 0 };

		ws_trust_add(&u, "0.0.0.0/0", &bad);
		ws_addr_parse(S("8.8.8.8"), &a);
		ok(ws_trust_match(&u, &a), "0.0.0.0/0 holds every IPv4");
		ws_addr_parse(S("::1"), &a);
		ok(!ws_trust_match(&u, &a), "but no IPv6");
		for (i = 0; i < WS_TRUST_MAX; i++)
			ws_trust_add(&u, "::1", &bad);
		is_int(ws_trust_add(&u, "::2", &bad), -1,
		    "past WS_TRUST_MAX prefixes: refused");
	}
}

struct fwd_case {
	const char *name;
	enum ws_fwd_header which;
	const char *lines[3];
	int want; /* ws_forwarded_client's return */
	const char *addr; /* text of the address expected */
	unsigned port;
};

/* Trusted below: 10.0.0.0/8 and 2001:db8::/32. */
static const struct fwd_case cases[] = {
	{ "XFF one hop", WS_FWD_XFF, { "192.0.2.7" }, 1, "192.0.2.7", 0 },
	{ "XFF the client's own claim to the left is not believed", WS_FWD_XFF,
	    { "1.1.1.1, 192.0.2.7" }, 1, "192.0.2.7", 0 },
	{ "XFF trusted proxies skipped", WS_FWD_XFF,
	    { "1.1.1.1, 192.0.2.7, 10.0.0.2, 10.0.0.3" }, 1, "192.0.2.7", 0 },
	{ "XFF over two lines, in order", WS_FWD_XFF,
	    { "1.1.1.1, 192.0.2.7", "10.0.0.2" }, 1, "192.0.2.7", 0 },
	{ "XFF all trusted: the leftmost", WS_FWD_XFF, { "10.9.9.9, 10.0.0.2" },
	    1, "10.9.9.9", 0 },
	{ "XFF garbage left of the client is never looked at", WS_FWD_XFF,
	    { "<script>, 192.0.2.7" }, 1, "192.0.2.7", 0 },
	{ "XFF garbage reached: the hop after it", WS_FWD_XFF,
	    { "junk, 10.9.9.9, 10.0.0.2" }, 1, "10.9.9.9", 0 },
	{ "XFF last element garbage", WS_FWD_XFF, { "192.0.2.7, junk" }, -1,
	    NULL, 0 },
	{ "XFF last element unknown", WS_FWD_XFF, { "unknown" }, 0, NULL, 0 },
	{ "XFF IPv6 and a mapped IPv4", WS_FWD_XFF,
	    { "::ffff:192.0.2.9, 2001:db8::5" }, 1, "192.0.2.9", 0 },
	{ "XFF with ports", WS_FWD_XFF, { "[2001:db9::1]:4711, 10.0.0.1:99" },
	    1, "2001:db9::1", 4711 },
	{ "XFF empty", WS_FWD_XFF, { " , " }, 0, NULL, 0 },
	{ "XFF absent", WS_FWD_XFF, { NULL }, 0, NULL, 0 },
	{ "XFF port out of range", WS_FWD_XFF, { "192.0.2.7:65536" }, -1, NULL,
	    0 },
	{ "Forwarded one hop", WS_FWD_FORWARDED, { "for=192.0.2.60" }, 1,
	    "192.0.2.60", 0 },
	{ "Forwarded quoted IPv6 with a port", WS_FWD_FORWARDED,
	    { "for=\"[2001:db9:cafe::17]:4711\"" }, 1, "2001:db9:cafe::17",
	    4711 },
	{ "Forwarded case, other pairs, trusted hops", WS_FWD_FORWARDED,
	    { "For=192.0.2.43;proto=https;by=203.0.113.43, "
	      "for=\"[2001:db8::1]\";host=x" },
	    1, "192.0.2.43", 0 },
	{ "Forwarded over two lines", WS_FWD_FORWARDED,
	    { "for=1.1.1.1, for=192.0.2.43", "for=10.0.0.1" }, 1, "192.0.2.43",
	    0 },
	{ "Forwarded obfuscated last hop", WS_FWD_FORWARDED,
	    { "for=192.0.2.1, for=_hidden" }, 0, NULL, 0 },
	{ "Forwarded element without for=", WS_FWD_FORWARDED,
	    { "for=192.0.2.1, proto=http" }, 0, NULL, 0 },
	{ "Forwarded unquoted IPv6", WS_FWD_FORWARDED, { "for=2001:db8::1" },
	    -1, NULL, 0 },
	{ "Forwarded unbalanced quote", WS_FWD_FORWARDED, { "for=\"192.0.2.1" },
	    -1, NULL, 0 },
	{ "Forwarded for= twice in one element", WS_FWD_FORWARDED,
	    { "for=192.0.2.1;for=192.0.2.2" }, -1, NULL, 0 },
	{ "Forwarded a pair without a value", WS_FWD_FORWARDED,
	    { "for=192.0.2.1;proto" }, -1, NULL, 0 },
	{ "Forwarded a bad element far left still refuses it whole",
	    WS_FWD_FORWARDED, { "for=\"x, for=192.0.2.1" }, -1, NULL, 0 },
	{ "Forwarded is not read when XFF is chosen", WS_FWD_XFF, { NULL }, 0,
	    NULL, 0 },
};

static void
test_forwarded(void)
{
	struct ws_trust t = { .n = 0 };
	struct ws_request r;
	struct ws_addr a, want;
	struct ws_str bad;
	const char *reason;
	uint16_t port;
	size_t i, k;
	int got;

	ws_trust_add(&t, "10.0.0.0/8,2001:db8::/32", &bad);
	for (i = 0; i < NELEM(cases); i++) {
		const struct fwd_case *c = &cases[i];

		memset(&r, 0, sizeof(r));
		/* The other header too, which must be ignored. */
		r.headers[r.nheaders++] = (struct ws_header){
			S(c->which == WS_FWD_XFF ? "Forwarded"
						 : "X-Forwarded-For"),
			S(c->which == WS_FWD_XFF ? "for=1.2.3.4" : "1.2.3.4")
		};
		for (k = 0; k < 3 && c->lines[k]; k++)
			r.headers[r.nheaders++] =
			    (struct ws_header){ S(c->which == WS_FWD_XFF
							? "x-forwarded-for"
							: "FORWARDED"),
				    S(c->lines[k]) };
		reason = NULL;
		got = ws_forwarded_client(&r, c->which, &t, &a, &port, &reason);
		if (!is_int(got, c->want, "%s", c->name))
			continue;
		if (got == -1)
			ok(reason != NULL, "%s: a reason (%s)", c->name,
			    reason);
		if (got != 1)
			continue;
		ws_addr_parse(S(c->addr), &want);
		ws_addr_unmap(&want);
		ok(a.family == want.family && memcmp(a.a, want.a, 16) == 0 &&
			port == c->port,
		    "%s: %s port %u", c->name, c->addr, c->port);
	}
}

/* More hops than are kept: only the rightmost matter. */
static void
test_many_hops(void)
{
	struct ws_trust t = { .n = 0 };
	struct ws_request r;
	struct ws_addr a, want;
	struct ws_str bad;
	const char *reason;
	uint16_t port;
	static char line[4096];
	size_t n = 0, i;

	ws_trust_add(&t, "10.0.0.0/8", &bad);
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n,
		    "%s10.0.0.%zu", i ? ", " : "", i);
	memset(&r, 0, sizeof(r));
	r.headers[0] = (struct ws_header){ S("X-Forwarded-For"), S(line) };
	r.nheaders = 1;
	is_int(ws_forwarded_client(&r, WS_FWD_XFF, &t, &a, &port, &reason), 1,
	    "100 trusted hops: an answer");
	ws_addr_parse(S("10.0.0.68"), &want);
	ok(memcmp(a.a, want.a, 4) == 0, "the leftmost of the last %d kept",
	    WS_FWD_MAX_HOPS);
}

int
main(void)
{
	test_addr();
	test_trust();
	test_forwarded();
	test_many_hops();
	return done_testing();
}
