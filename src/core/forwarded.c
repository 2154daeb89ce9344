/* SPDX-License-Identifier: ISC */
/*
 * The client's address behind HTTP proxies we trust: X-Forwarded-For,
 * or RFC 7239's Forwarded, walked from the right past the trusted hops,
 * as nginx's real_ip_recursive does. Only the caller decides whether the
 * peer itself is trusted; this looks at the header alone.
 */
#include <string.h>

#include "ws.h"

/* The rightmost hops seen so far, as a ring: only those can matter. */
struct hops {
	struct ws_str v[WS_FWD_MAX_HOPS];
	size_t total;
};

static void
hop_push(struct hops *h, struct ws_str v)
{
	h->v[h->total++ % WS_FWD_MAX_HOPS] = v;
}

/* ":PORT" ending a hop. */
static int
hop_port(const char *p, size_t n, uint16_t *port)
{
	if (n < 2 || p[0] != ':')
		return -1;
	return ws_port_parse((struct ws_str){ p + 1, n - 1 }, port);
}

/* One hop: "a.b.c.d", "a.b.c.d:port", an IPv6 address bare or in
 * brackets, "[v6]:port". 1 with the address, 0 for "unknown" and
 * obfuscated names (RFC 7239 6.3), -1 for anything else. */
static int
hop_addr(struct ws_str v, struct ws_addr *a, uint16_t *port)
{
	const char *end = v.p + v.n, *close, *colon;
	struct ws_str host = v;

	*port = 0;
	if (ws_str_ieq_c(v, "unknown") || (v.n > 1 && v.p[0] == '_'))
		return 0;
	if (v.n > 0 && v.p[0] == '[') {
		if ((close = memchr(v.p, ']', v.n)) == NULL)
			return -1;
		host = (struct ws_str){ v.p + 1, (size_t)(close - v.p - 1) };
		if (close + 1 < end &&
		    hop_port(close + 1, (size_t)(end - close - 1), port) == -1)
			return -1;
		if (ws_addr_parse(host, a) == -1 || a->family != 6)
			return -1;
		return 1;
	}
	colon = memchr(v.p, ':', v.n);
	if (colon != NULL &&
	    memchr(colon + 1, ':', (size_t)(end - colon - 1)) == NULL) {
		host.n = (size_t)(colon - v.p);
		if (hop_port(colon, (size_t)(end - colon), port) == -1)
			return -1;
	}
	return ws_addr_parse(host, a) == 0 ? 1 : -1;
}

/* One character of an RFC 9110 token. */
static int
is_tchar(char c)
{
	return ws_token_ok((struct ws_str){ &c, 1 });
}

static size_t
skip_ows(struct ws_str v, size_t i)
{
	while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
		i++;
	return i;
}

/* A token or quoted-string at v.p[*i]; a quoted one is returned
 * without its quotes, and a backslash in it makes it no address. */
static int
pair_value(struct ws_str v, size_t *i, struct ws_str *out)
{
	size_t start = *i;

	if (*i < v.n && v.p[*i] == '"') {
		for (start = ++*i; *i < v.n && v.p[*i] != '"'; (*i)++)
			if (v.p[*i] == '\\' && ++*i == v.n)
				return -1;
		if (*i == v.n)
			return -1;
		*out = (struct ws_str){ v.p + start, *i - start };
		(*i)++;
		return 0;
	}
	while (*i < v.n && is_tchar(v.p[*i]))
		(*i)++;
	*out = (struct ws_str){ v.p + start, *i - start };
	return out->n > 0 ? 0 : -1;
}

/* One pair "name=value" at v.p[*i]; its for= value into *for_v. */
static int
fwd_pair(struct ws_str v, size_t *i, struct ws_str *for_v, int *seen)
{
	struct ws_str name = { v.p + *i, 0 }, value;

	while (*i < v.n && is_tchar(v.p[*i]))
		(*i)++;
	name.n = (size_t)(v.p + *i - name.p);
	if (name.n == 0 || *i == v.n || v.p[(*i)++] != '=')
		return -1;
	if (pair_value(v, i, &value) == -1)
		return -1;
	if (ws_str_ieq_c(name, "for")) {
		if (*seen)
			return -1;
		*seen = 1;
		*for_v = memchr(value.p, '\\', value.n)
		    ? (struct ws_str){ "?", 1 }
		    : value;
	}
	return 0;
}

/* One Forwarded line: elements of ';'-separated pairs, ','-separated. An
 * element without for= is a hop of unknown address. */
static int
fwd_line(struct ws_str v, struct hops *h)
{
	struct ws_str for_v;
	size_t i = 0;
	int seen, any;

	while ((i = skip_ows(v, i)) < v.n) {
		if (v.p[i] == ',') {
			i++;
			continue;
		}
		for_v = (struct ws_str){ "unknown", 7 };
		seen = any = 0;
		for (;;) {
			if (fwd_pair(v, &i, &for_v, &seen) == -1)
				return -1;
			any = 1;
			i = skip_ows(v, i);
			if (i < v.n && v.p[i] == ';') {
				i = skip_ows(v, i + 1);
				continue;
			}
			break;
		}
		if (i < v.n && v.p[i] != ',')
			return -1;
		if (any)
			hop_push(h, for_v);
	}
	return 0;
}

static void
xff_line(struct ws_str v, struct hops *h)
{
	struct ws_str item;

	while (ws_list_next(&v, &item))
		hop_push(h, item);
}

/* From the right: the first hop not in t, or where the walk ends. */
static int
walk(const struct hops *h, const struct ws_trust *t, struct ws_addr *out,
    uint16_t *port, const char **reason)
{
	size_t kept = h->total < WS_FWD_MAX_HOPS ? h->total : WS_FWD_MAX_HOPS;
	size_t k;
	struct ws_addr a;
	uint16_t p;
	int found = 0, r;

	for (k = 0; k < kept; k++) {
		r = hop_addr(h->v[(h->total - 1 - k) % WS_FWD_MAX_HOPS], &a,
		    &p);
		if (r != 1) {
			if (found)
				return 1;
			*reason = "its last element is not an address";
			return r == 0 ? 0 : -1;
		}
		ws_addr_unmap(&a);
		*out = a;
		*port = p;
		found = 1;
		if (!ws_trust_match(t, &a))
			return 1;
	}
	return found;
}

int
ws_forwarded_client(const struct ws_request *r, enum ws_fwd_header which,
    const struct ws_trust *t, struct ws_addr *out, uint16_t *port,
    const char **reason)
{
	const char *name =
	    which == WS_FWD_FORWARDED ? "Forwarded" : "X-Forwarded-For";
	struct hops h;
	size_t i;

	h.total = 0;
	for (i = 0; i < r->nheaders; i++) {
		if (!ws_str_ieq_c(r->headers[i].name, name))
			continue;
		if (which == WS_FWD_XFF) {
			xff_line(r->headers[i].value, &h);
		} else if (fwd_line(r->headers[i].value, &h) == -1) {
			*reason = "malformed Forwarded";
			return -1;
		}
	}
	if (h.total == 0)
		return 0;
	return walk(&h, t, out, port, reason);
}
