/* SPDX-License-Identifier: ISC */
/*
 * Which upgrade requests a server accepts: the Origin policy against
 * cross-site WebSocket hijacking, and the subprotocol choice. Pure: it
 * reads a parsed request and strings, and says yes, no or which.
 */
#include <stddef.h>
#include <string.h>

#include "ws.h"

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Host name or IPv4 characters (RFC 3986 reg-name, without escapes). */
static int
is_host_char(char c)
{
	return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

/* An IPv6 literal's inside; its exact form is the resolver's business. */
static int
is_v6_char(char c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f') ||
	    c == ':' || c == '.';
}

/* "1".."65535" without leading zeros into *port; -1 when not. */
static int
port_parse(struct ws_str s, unsigned *port)
{
	uint16_t v;

	if (ws_port_parse(s, &v) == -1 || v == 0)
		return -1;
	*port = v;
	return 0;
}

/* "host[:port]" or "[v6]:port", as in Host and after "scheme://". */
static int
authority_parse(struct ws_str s, struct ws_str *host, unsigned *port)
{
	const char *end = s.p + s.n, *h = s.p, *colon;
	int (*ok)(char) = is_host_char;

	*port = 0;
	if (s.n > 0 && s.p[0] == '[') {
		if ((h = memchr(s.p, ']', s.n)) == NULL)
			return -1;
		*host = (struct ws_str){ s.p + 1, (size_t)(h - s.p - 1) };
		colon = h + 1 < end ? h + 1 : NULL;
		if (colon != NULL && *colon != ':')
			return -1;
		ok = is_v6_char;
	} else {
		colon = memchr(s.p, ':', s.n);
		*host =
		    (struct ws_str){ s.p, colon ? (size_t)(colon - s.p) : s.n };
	}
	if (host->n == 0)
		return -1;
	for (size_t i = 0; i < host->n; i++)
		if (!ok(host->p[i]))
			return -1;
	if (colon == NULL)
		return 0;
	return port_parse((struct ws_str){ colon + 1,
			      (size_t)(end - colon - 1) },
	    port);
}

int
ws_origin_parse(struct ws_str s, struct ws_origin *o)
{
	const char *sep;
	size_t i;

	memset(o, 0, sizeof(*o));
	if ((sep = memchr(s.p, ':', s.n)) == NULL || sep == s.p ||
	    (size_t)(s.p + s.n - sep) < 3 || memcmp(sep, "://", 3) != 0)
		return -1;
	o->scheme = (struct ws_str){ s.p, (size_t)(sep - s.p) };
	if (!is_alpha(s.p[0]))
		return -1;
	for (i = 1; i < o->scheme.n; i++)
		if (!is_alpha(s.p[i]) && !is_digit(s.p[i]) &&
		    strchr("+-.", s.p[i]) == NULL)
			return -1;
	sep += 3;
	return authority_parse((struct ws_str){ sep,
				   (size_t)(s.p + s.n - sep) },
	    &o->host, &o->port);
}

/* The port a scheme means when none is written; 0 when unknown. */
static unsigned
default_port(struct ws_str scheme)
{
	if (ws_str_ieq_c(scheme, "http") || ws_str_ieq_c(scheme, "ws"))
		return 80;
	if (ws_str_ieq_c(scheme, "https") || ws_str_ieq_c(scheme, "wss"))
		return 443;
	return 0;
}

static unsigned
effective_port(const struct ws_origin *o)
{
	return o->port ? o->port : default_port(o->scheme);
}

int
ws_origin_eq(const struct ws_origin *a, const struct ws_origin *b)
{
	return ws_str_ieq(a->scheme, b->scheme) &&
	    ws_str_ieq(a->host, b->host) &&
	    effective_port(a) == effective_port(b);
}

int
ws_origin_same_host(struct ws_str origin, struct ws_str host)
{
	struct ws_origin o;
	struct ws_str h;
	unsigned oport, hport;

	if (ws_origin_parse(origin, &o) == -1 ||
	    authority_parse(host, &h, &hport) == -1)
		return 0;
	/* A Host without a port came from a URL on the default port of ws
	 * or wss, which are http's and https's; either side may spell it. */
	oport = o.port == default_port(o.scheme) ? 0 : o.port;
	if (hport == 80 || hport == 443)
		hport = 0;
	return ws_str_ieq(o.host, h) && oport == hport;
}

int
ws_origin_list_ok(const char *list, struct ws_str *bad)
{
	struct ws_str rest = { list, strlen(list) }, item;
	struct ws_origin o;
	int any = 0;

	while (ws_list_next(&rest, &item)) {
		any = 1;
		/* "null" is what opaque origins (file:, sandboxes) send. */
		if (ws_str_ieq_c(item, "*") || ws_str_ieq_c(item, "null"))
			continue;
		if (ws_origin_parse(item, &o) == -1) {
			*bad = item;
			return 0;
		}
	}
	*bad = (struct ws_str){ list, strlen(list) };
	return any;
}

int
ws_protocol_list_ok(const char *list)
{
	struct ws_str rest = { list, strlen(list) }, item;
	int any = 0;

	while (ws_list_next(&rest, &item)) {
		if (!ws_token_ok(item))
			return 0;
		any = 1;
	}
	return any;
}

/* 1 when origin is one of the list's, or the list holds "*". */
static int
origin_listed(struct ws_str origin, const char *list)
{
	struct ws_str rest = { list, strlen(list) }, item;
	struct ws_origin want, got;
	int parsed = ws_origin_parse(origin, &got) == 0;

	while (ws_list_next(&rest, &item)) {
		if (ws_str_ieq_c(item, "*"))
			return 1;
		if (ws_str_ieq_c(item, "null") && ws_str_ieq_c(origin, "null"))
			return 1;
		if (parsed && ws_origin_parse(item, &want) == 0 &&
		    ws_origin_eq(&want, &got))
			return 1;
	}
	return 0;
}

static int
origin_allowed(const struct ws_policy *p, const struct ws_request *r)
{
	if (r->origin.p == NULL) /* not a browser: nothing to protect */
		return 1;
	if (p->origins == NULL && !p->same_origin)
		return 1;
	if (p->same_origin && ws_origin_same_host(r->origin, r->host))
		return 1;
	return p->origins != NULL && origin_listed(r->origin, p->origins);
}

/* 1 when the request offers proto in any Sec-WebSocket-Protocol line. */
static int
offered(const struct ws_request *r, struct ws_str proto)
{
	struct ws_str list, item;
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		if (!ws_str_ieq_c(r->headers[i].name, "Sec-WebSocket-Protocol"))
			continue;
		list = r->headers[i].value;
		while (ws_list_next(&list, &item))
			if (item.n == proto.n &&
			    memcmp(item.p, proto.p, proto.n) == 0)
				return 1;
	}
	return 0;
}

/* Our first choice that the client offered (names are case-sensitive,
 * RFC 6455 4.1); n 0 when none. */
static struct ws_str
protocol_choose(const char *ours, const struct ws_request *r)
{
	struct ws_str rest = { ours, strlen(ours) }, item;

	while (ws_list_next(&rest, &item))
		if (offered(r, item))
			return item;
	return (struct ws_str){ ours, 0 };
}

int
ws_policy_check(const struct ws_policy *p, const struct ws_request *r,
    struct ws_str *protocol, const char **reason)
{
	*protocol = (struct ws_str){ "", 0 };
	if (!origin_allowed(p, r)) {
		*reason = "origin not allowed";
		return 403;
	}
	if (p->protocols != NULL)
		*protocol = protocol_choose(p->protocols, r);
	if (p->require_protocol && protocol->n == 0) {
		*reason = "no supported subprotocol offered";
		return 400;
	}
	return 0;
}
