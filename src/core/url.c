/* SPDX-License-Identifier: ISC */
/*
 * ws:// and wss:// URLs (RFC 6455 section 3): scheme, host, port and the
 * resource to request. Nothing is resolved or percent-decoded here.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "ws.h"

static int
fail(const char **err, const char *why)
{
	*err = why;
	return -1;
}

static int
prefix_ieq(const char *s, const char *prefix)
{
	char c;

	for (; *prefix != '\0'; s++, prefix++) {
		c = *s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s;
		if (c != *prefix)
			return 0;
	}
	return 1;
}

/* reg-name and IPv4 bytes we accept: no percent-encoding, no IDN. */
static int
is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

/* Path and query bytes: visible ASCII, so the request line stays whole. */
static int
path_ok(const char *p)
{
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

/* "[v6]" at s; *after is set past the ']'. */
static int
host_ipv6(struct ws_url *u, const char *s, const char *end, const char **after,
    const char **err)
{
	const char *close = memchr(s, ']', (size_t)(end - s));
	struct in6_addr a;
	size_t n;

	if (close == NULL)
		return fail(err, "unclosed '[' in host");
	if ((n = (size_t)(close - s - 1)) >= sizeof(u->host))
		return fail(err, "host name too long");
	memcpy(u->host, s + 1, n);
	u->host[n] = '\0';
	if (inet_pton(AF_INET6, u->host, &a) != 1)
		return fail(err, "invalid IPv6 address");
	u->ipv6 = 1;
	*after = close + 1;
	return 0;
}

/* A host name or IPv4 address at s, up to a ':' or end. */
static int
host_name(struct ws_url *u, const char *s, const char *end, const char **after,
    const char **err)
{
	const char *colon = memchr(s, ':', (size_t)(end - s));
	size_t i, n;

	*after = colon != NULL ? colon : end;
	if ((n = (size_t)(*after - s)) == 0)
		return fail(err, "empty host");
	if (n >= sizeof(u->host))
		return fail(err, "host name too long");
	for (i = 0; i < n; i++)
		if (!is_host_char(s[i]))
			return fail(err, "invalid character in host");
	memcpy(u->host, s, n);
	u->host[n] = '\0';
	return 0;
}

/* The digits of ":port" from s to end; -1 when not a number. Saturates
 * above 65535 so any length of digits is safe. */
static long
port_number(const char *s, const char *end)
{
	long v = 0;

	if (*s != ':' || ++s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v <= 65535)
			v = v * 10 + (*s - '0');
	}
	return v;
}

/* ":port" from s to end, or nothing for the scheme's default. */
static int
port_parse(struct ws_url *u, const char *s, const char *end, const char **err)
{
	size_t i = sizeof(u->port) - 1;
	long v;

	if (s == end)
		v = u->tls ? 443 : 80;
	else if ((v = port_number(s, end)) == -1)
		return fail(err, "invalid port");
	else if (v == 0 || v > 65535)
		return fail(err, "port out of range (1-65535)");
	else
		u->port_explicit = 1;
	/* Written in canonical form, so ":080" counts as the default. */
	u->port[i] = '\0';
	do
		u->port[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memmove(u->port, u->port + i, sizeof(u->port) - i);
	return 0;
}

int
ws_url_parse(struct ws_url *u, const char *s, const char **err)
{
	const char *auth, *end, *after;
	int rc;

	memset(u, 0, sizeof(*u));
	if (prefix_ieq(s, "ws://"))
		auth = s + 5;
	else if (prefix_ieq(s, "wss://")) {
		u->tls = 1;
		auth = s + 6;
	} else
		return fail(err, "unsupported scheme (use ws:// or wss://)");
	/* RFC 6455 section 3: fragments are meaningless and not allowed. */
	if (strchr(s, '#') != NULL)
		return fail(err, "fragment not allowed in a WebSocket URL");
	end = auth + strcspn(auth, "/?");
	if (memchr(auth, '@', (size_t)(end - auth)) != NULL)
		return fail(err, "userinfo not allowed in a WebSocket URL");
	if (*auth == '[')
		rc = host_ipv6(u, auth, end, &after, err);
	else
		rc = host_name(u, auth, end, &after, err);
	if (rc == -1 || port_parse(u, after, end, err) == -1)
		return -1;
	if (!path_ok(end))
		return fail(err, "invalid character in path");
	u->path = *end != '\0' ? end : "/";
	return 0;
}

size_t
ws_url_host_header(const struct ws_url *u, char *out, size_t cap)
{
	const char *def = u->tls ? "443" : "80";
	size_t hn = strlen(u->host), pn = 0, n;

	if (strcmp(u->port, def) != 0)
		pn = 1 + strlen(u->port);
	n = hn + (u->ipv6 ? 2 : 0) + pn;
	if (n >= cap)
		return 0;
	n = 0;
	if (u->ipv6)
		out[n++] = '[';
	memcpy(out + n, u->host, hn);
	n += hn;
	if (u->ipv6)
		out[n++] = ']';
	if (pn > 0) {
		out[n++] = ':';
		memcpy(out + n, u->port, pn - 1);
		n += pn - 1;
	}
	out[n] = '\0';
	return n;
}
