/* SPDX-License-Identifier: ISC */
/*
 * The upgrade policy: origins parsed and compared (case, default ports,
 * IPv6), same-origin against Host, option lists checked, and the verdict
 * with the subprotocol chosen, on requests parsed by ws_request_parse.
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
test_parse(void)
{
	static const struct {
		const char *s;
		int ok;
		const char *host;
		unsigned port;
	} v[] = {
		{ "http://example.com", 1, "example.com", 0 },
		{ "https://Example.COM:8443", 1, "Example.COM", 8443 },
		{ "http://[::1]:8080", 1, "::1", 8080 },
		{ "http://[::1]", 1, "::1", 0 },
		{ "chrome-extension://abcdef", 1, "abcdef", 0 },
		{ "http://127.0.0.1:1", 1, "127.0.0.1", 1 },
		{ "null", 0, NULL, 0 },
		{ "example.com", 0, NULL, 0 },
		{ "http://", 0, NULL, 0 },
		{ "http://example.com/", 0, NULL, 0 },
		{ "http://example.com:", 0, NULL, 0 },
		{ "http://example.com:0", 0, NULL, 0 },
		{ "http://example.com:65536", 0, NULL, 0 },
		{ "http://example.com:080", 0, NULL, 0 },
		{ "http://user@example.com", 0, NULL, 0 },
		{ "http://[::1", 0, NULL, 0 },
		{ "http://[::1]x", 0, NULL, 0 },
		{ "1http://example.com", 0, NULL, 0 },
		{ "://example.com", 0, NULL, 0 },
		{ "http:/example.com", 0, NULL, 0 },
		{ "http://exa mple.com", 0, NULL, 0 },
	};
	struct ws_origin o;
	size_t i;
	int r;

	for (i = 0; i < NELEM(v); i++) {
		r = ws_origin_parse(S(v[i].s), &o) == 0;
		if (!v[i].ok) {
			ok(!r, "origin \"%s\" refused", v[i].s);
			continue;
		}
		ok(r && o.host.n == strlen(v[i].host) &&
			memcmp(o.host.p, v[i].host, o.host.n) == 0 &&
			o.port == v[i].port,
		    "origin \"%s\" parsed", v[i].s);
	}
}

static void
test_eq(void)
{
	static const struct {
		const char *a, *b;
		int eq;
	} v[] = {
		{ "http://example.com", "http://example.com", 1 },
		{ "HTTP://EXAMPLE.com", "http://example.COM", 1 },
		{ "http://example.com", "http://example.com:80", 1 },
		{ "https://example.com:443", "https://example.com", 1 },
		{ "http://example.com", "https://example.com", 0 },
		{ "http://example.com:443", "https://example.com", 0 },
		{ "http://example.com", "http://example.com:8080", 0 },
		{ "http://example.com", "http://example.org", 0 },
		{ "http://example.com", "http://www.example.com", 0 },
		{ "http://[::1]", "http://[::1]:80", 1 },
	};
	struct ws_origin a, b;
	size_t i;

	for (i = 0; i < NELEM(v); i++) {
		ws_origin_parse(S(v[i].a), &a);
		ws_origin_parse(S(v[i].b), &b);
		is_int(ws_origin_eq(&a, &b), v[i].eq, "%s %s %s", v[i].a,
		    v[i].eq ? "==" : "!=", v[i].b);
	}
}

static void
test_same_host(void)
{
	static const struct {
		const char *origin, *host;
		int same;
	} v[] = {
		{ "http://localhost:8080", "localhost:8080", 1 },
		{ "http://LOCALHOST:8080", "localhost:8080", 1 },
		{ "https://example.com", "example.com", 1 },
		{ "http://example.com", "example.com:80", 1 },
		{ "https://example.com", "example.com:443", 1 },
		{ "http://[::1]:8080", "[::1]:8080", 1 },
		{ "http://example.com", "example.com:8080", 0 },
		{ "http://example.com:8080", "example.com", 0 },
		{ "http://evil.example", "localhost:8080", 0 },
		{ "http://localhost:8081", "localhost:8080", 0 },
		{ "http://localhost.evil.example:8080", "localhost:8080", 0 },
		{ "null", "localhost:8080", 0 },
		{ "http://localhost:8080", "localhost:8080:1", 0 },
		{ "http://localhost:8080", "", 0 },
	};
	size_t i;

	for (i = 0; i < NELEM(v); i++)
		is_int(ws_origin_same_host(S(v[i].origin), S(v[i].host)),
		    v[i].same, "Origin %s %s Host %s", v[i].origin,
		    v[i].same ? "is" : "is not", v[i].host);
}

static void
test_lists(void)
{
	struct ws_str bad;

	ok(ws_origin_list_ok("http://a.example, https://b.example:8443", &bad),
	    "origin list of two");
	ok(ws_origin_list_ok("*", &bad), "origin list \"*\"");
	ok(ws_origin_list_ok("null", &bad), "origin list \"null\"");
	ok(!ws_origin_list_ok("http://a.example,b.example", &bad) &&
		bad.n == 9 && memcmp(bad.p, "b.example", 9) == 0,
	    "origin list: the bad element is named");
	ok(!ws_origin_list_ok("", &bad), "origin list empty");
	ok(!ws_origin_list_ok(" , ", &bad), "origin list of nothing");
	ok(ws_protocol_list_ok("chat, superchat"), "protocol list of two");
	ok(!ws_protocol_list_ok("chat, super chat"), "protocol with a space");
	ok(!ws_protocol_list_ok("a/b"), "protocol with a separator");
	ok(!ws_protocol_list_ok(""), "protocol list empty");
}

#define REQ(extra) \
	"GET / HTTP/1.1\r\nHost: localhost:8080\r\nUpgrade: websocket\r\n" \
	"Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n" \
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" extra "\r\n"

struct check {
	const char *name;
	const char *req;
	struct ws_policy pol;
	int status;
	const char *protocol; /* chosen when status is 0 */
};

static const struct check checks[] = {
	{ "no policy, foreign origin", REQ("Origin: http://evil.example\r\n"),
	    { NULL, 0, NULL, 0 }, 0, "" },
	{ "same-origin, matching", REQ("Origin: http://localhost:8080\r\n"),
	    { NULL, 1, NULL, 0 }, 0, "" },
	{ "same-origin, foreign", REQ("Origin: http://evil.example\r\n"),
	    { NULL, 1, NULL, 0 }, 403, NULL },
	{ "same-origin, no Origin (not a browser)", REQ(""),
	    { NULL, 1, NULL, 0 }, 0, "" },
	{ "list, listed in other case", REQ("Origin: HTTPS://App.Example\r\n"),
	    { "http://x.example, https://app.example:443", 0, NULL, 0 }, 0,
	    "" },
	{ "list, not listed", REQ("Origin: https://evil.example\r\n"),
	    { "https://app.example", 0, NULL, 0 }, 403, NULL },
	{ "list, same host but not listed",
	    REQ("Origin: http://localhost:8080\r\n"),
	    { "https://app.example", 0, NULL, 0 }, 403, NULL },
	{ "list and same-origin, same host",
	    REQ("Origin: http://localhost:8080\r\n"),
	    { "https://app.example", 1, NULL, 0 }, 0, "" },
	{ "list \"*\"", REQ("Origin: https://evil.example\r\n"),
	    { "*", 0, NULL, 0 }, 0, "" },
	{ "list \"null\", Origin null", REQ("Origin: null\r\n"),
	    { "null", 0, NULL, 0 }, 0, "" },
	{ "same-origin, Origin null", REQ("Origin: null\r\n"),
	    { NULL, 1, NULL, 0 }, 403, NULL },
	{ "malformed Origin, listed origins",
	    REQ("Origin: javascript:alert(1)\r\n"),
	    { "https://app.example", 0, NULL, 0 }, 403, NULL },
	{ "our first choice wins",
	    REQ("Sec-WebSocket-Protocol: superchat, chat\r\n"),
	    { NULL, 0, "chat,superchat", 0 }, 0, "chat" },
	{ "offers on two lines",
	    REQ("Sec-WebSocket-Protocol: x\r\n"
		"Sec-WebSocket-Protocol: y, chat\r\n"),
	    { NULL, 0, "chat", 0 }, 0, "chat" },
	{ "names are case-sensitive", REQ("Sec-WebSocket-Protocol: Chat\r\n"),
	    { NULL, 0, "chat", 0 }, 0, "" },
	{ "nothing in common", REQ("Sec-WebSocket-Protocol: x\r\n"),
	    { NULL, 0, "chat", 0 }, 0, "" },
	{ "nothing in common, required", REQ("Sec-WebSocket-Protocol: x\r\n"),
	    { NULL, 0, "chat", 1 }, 400, NULL },
	{ "no offer, required", REQ(""), { NULL, 0, "chat", 1 }, 400, NULL },
	{ "offer but no list of ours", REQ("Sec-WebSocket-Protocol: chat\r\n"),
	    { NULL, 0, NULL, 0 }, 0, "" },
	{ "origin refused before the subprotocol",
	    REQ("Origin: http://evil.example\r\n"), { NULL, 1, "chat", 1 }, 403,
	    NULL },
};

static void
test_checks(void)
{
	const struct check *c;
	struct ws_request r;
	struct ws_str proto;
	const char *reason = NULL;
	size_t i;
	int status;

	for (i = 0; i < NELEM(checks); i++) {
		c = &checks[i];
		ws_request_init(&r, 0);
		if (ws_request_parse(&r, c->req, strlen(c->req)) <= 0) {
			ok(0, "%s: request parses (%s)", c->name, r.reason);
			continue;
		}
		status = ws_policy_check(&c->pol, &r, &proto, &reason);
		if (c->status != 0) {
			ok(status == c->status &&
				strcmp(reason,
				    status == 403 ? "origin not allowed"
						  : "no supported subprotocol "
						    "offered") == 0,
			    "%s: %d", c->name, c->status);
			continue;
		}
		is_mem(proto.p, proto.n, c->protocol, strlen(c->protocol),
		    "%s: accepted, subprotocol \"%s\"", c->name, c->protocol);
		is_int(status, 0, "%s: status 0", c->name);
	}
}

int
main(void)
{
	test_parse();
	test_eq();
	test_same_host();
	test_lists();
	test_checks();
	return done_testing();
}
