/* SPDX-License-Identifier: ISC */
/*
 * ws:// and wss:// URL parsing and the Host header built from the
 * result: no overrun, a parsed URL has a host, a port in range and a
 * path, and the Host header fits or says it does not.
 */
#include <string.h>

#include "fuzz.h"
#include "ws.h"

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
