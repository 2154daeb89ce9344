/* SPDX-License-Identifier: ISC */
/*
 * ws:// and wss:// URL parsing and the Host header built from the
 * result: no overrun, a parsed URL has a host, a port in range and a
 * path, and the Host header fits or says it does not. The upgrade
 * request wsclient would build for it must be one our server accepts,
 * for that host and path.
 */
#include <string.h>

#include "fuzz.h"
#include "ws.h"

static int
str_is(struct ws_str s, const char *t, size_t n)
{
	return s.n == n && memcmp(s.p, t, n) == 0;
}

static void
check_request(const struct ws_url *u, const char *host, size_t hostlen)
{
	static const char key[WS_KEY_LEN] = "dGhlIHNhbXBsZSBub25jZQ==";
	char out[2048];
	struct ws_request r;
	size_t n, plen = strlen(u->path);
	long ret;

	n = ws_client_request(out, sizeof(out), host, u->path, key, NULL, 0);
	if (n == 0)
		return; /* a path it will not put on the request line */
	CHECK(n < sizeof(out));
	ws_request_init(&r, sizeof(out));
	ret = ws_request_parse(&r, out, n);
	CHECK(ret == (long)n);
	CHECK(str_is(r.host, host, hostlen));
	if (u->path[0] == '/')
		CHECK(str_is(r.target, u->path, plen));
	else
		CHECK(r.target.n == plen + 1 && r.target.p[0] == '/' &&
		    memcmp(r.target.p + 1, u->path, plen) == 0);
}

static void
check_parsed(const struct ws_url *u)
{
	char hosthdr[300], tiny[4];
	size_t n;
	long port;

	CHECK(u->host[0] != '\0');
	CHECK(memchr(u->host, '\0', sizeof(u->host)) != NULL);
	port = strtol(u->port, NULL, 10);
	CHECK(port >= 1 && port <= 65535);
	CHECK(u->path != NULL);
	n = ws_url_host_header(u, hosthdr, sizeof(hosthdr));
	CHECK(n > 0 && n < sizeof(hosthdr) && strlen(hosthdr) == n);
	CHECK(strpbrk(hosthdr, "\r\n") == NULL);
	check_request(u, hosthdr, n);
	n = ws_url_host_header(u, tiny, sizeof(tiny));
	CHECK(n < sizeof(tiny));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_url u;
	const char *err = NULL;
	char *s;

	CHECK((s = malloc(size + 1)) != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (ws_url_parse(&u, s, &err) == 0) {
		check_parsed(&u);
		/* into the string, or a constant "/" when it has no path */
		CHECK((u.path >= s && u.path <= s + size) ||
		    strcmp(u.path, "/") == 0);
	} else {
		CHECK(err != NULL);
	}
	free(s);
	return 0;
}
