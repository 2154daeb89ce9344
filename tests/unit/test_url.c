/* SPDX-License-Identifier: ISC */
/*
 * ws:// and wss:// URL parsing and the Host header made from a URL: a
 * table of accepted URLs with every field, and of refusals with reasons.
 */
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *url;
	int tls;
	const char *host, *port;
	int port_explicit, ipv6;
	const char *path, *host_header;
} good[] = {
	{ "ws://example.com", 0, "example.com", "80", 0, 0, "/",
	    "example.com" },
	{ "ws://127.0.0.1:8080/x?y=1", 0, "127.0.0.1", "8080", 1, 0, "/x?y=1",
	    "127.0.0.1:8080" },
	{ "ws://[::1]:9000/p", 0, "::1", "9000", 1, 1, "/p", "[::1]:9000" },
	{ "ws://[::1]", 0, "::1", "80", 0, 1, "/", "[::1]" },
	{ "ws://[2001:db8::1]:80/", 0, "2001:db8::1", "80", 1, 1, "/",
	    "[2001:db8::1]" },
	{ "wss://[2001:db8::1]:80/", 1, "2001:db8::1", "80", 1, 1, "/",
	    "[2001:db8::1]:80" },
	{ "wss://h", 1, "h", "443", 0, 0, "/", "h" },
	{ "wss://h:443/", 1, "h", "443", 1, 0, "/", "h" },
	{ "ws://h:443", 0, "h", "443", 1, 0, "/", "h:443" },
	{ "WS://H", 0, "H", "80", 0, 0, "/", "H" },
	{ "WsS://Example.COM/", 1, "Example.COM", "443", 0, 0, "/",
	    "Example.COM" },
	{ "ws://h?x", 0, "h", "80", 0, 0, "?x", "h" },
	{ "ws://h:080/", 0, "h", "80", 1, 0, "/", "h" },
	{ "ws://h:65535", 0, "h", "65535", 1, 0, "/", "h:65535" },
	{ "ws://h:1", 0, "h", "1", 1, 0, "/", "h:1" },
	{ "ws://my_host-1.example~/a/b/c?d=e&f=%20", 0, "my_host-1.example~",
	    "80", 0, 0, "/a/b/c?d=e&f=%20", "my_host-1.example~" },
};

static const struct {
	const char *name, *url, *err;
} bad[] = {
	{ "http scheme", "http://x",
	    "unsupported scheme (use ws:// or wss://)" },
	{ "https scheme", "https://x",
	    "unsupported scheme (use ws:// or wss://)" },
	{ "one slash", "ws:/x", "unsupported scheme (use ws:// or wss://)" },
	{ "no scheme", "example.com",
	    "unsupported scheme (use ws:// or wss://)" },
	{ "empty string", "", "unsupported scheme (use ws:// or wss://)" },
	{ "scheme only", "ws://", "empty host" },
	{ "no host before the path", "ws:///p", "empty host" },
	{ "no host before the port", "ws://:80", "empty host" },
	{ "port 0", "ws://h:0", "port out of range (1-65535)" },
	{ "port 65536", "ws://h:65536", "port out of range (1-65535)" },
	{ "port of many digits", "ws://h:00000000000000000000065536",
	    "port out of range (1-65535)" },
	{ "empty port", "ws://h:", "invalid port" },
	{ "empty port before path", "ws://h:/p", "invalid port" },
	{ "port with a letter", "ws://h:8o", "invalid port" },
	{ "negative port", "ws://h:-1", "invalid port" },
	{ "two ports", "ws://h:80:81", "invalid port" },
	{ "userinfo", "ws://u@h", "userinfo not allowed in a WebSocket URL" },
	{ "userinfo with password", "ws://u:p@h/",
	    "userinfo not allowed in a WebSocket URL" },
	{ "fragment", "ws://h/#f", "fragment not allowed in a WebSocket URL" },
	{ "empty fragment", "ws://h#",
	    "fragment not allowed in a WebSocket URL" },
	{ "unclosed bracket", "ws://[::1", "unclosed '[' in host" },
	{ "unclosed bracket before path", "ws://[::1/p]",
	    "unclosed '[' in host" },
	{ "not an IPv6 address", "ws://[zz]", "invalid IPv6 address" },
	{ "empty brackets", "ws://[]", "invalid IPv6 address" },
	{ "IPv4 in brackets", "ws://[127.0.0.1]", "invalid IPv6 address" },
	{ "junk after brackets", "ws://[::1]x", "invalid port" },
	{ "space in host", "ws://h h/", "invalid character in host" },
	{ "percent in host", "ws://exa%6dple.com",
	    "invalid character in host" },
	{ "bare IPv6", "ws://::1", "empty host" },
	{ "space in path", "ws://h/a b", "invalid character in path" },
	{ "control byte in path", "ws://h/a\tb", "invalid character in path" },
	{ "non-ASCII in path", "ws://h/\xc3\xa9", "invalid character in path" },
};

static void
test_good(void)
{
	struct ws_url u;
	const char *err;
	char hh[300];
	size_t i, n;

	for (i = 0; i < NELEM(good); i++) {
		err = NULL;
		if (!is_int(ws_url_parse(&u, good[i].url, &err), 0, "%s parses",
			good[i].url)) {
			printf("#   reason: %s\n", err ? err : "(none)");
			continue;
		}
		ok(u.tls == good[i].tls && u.ipv6 == good[i].ipv6 &&
			u.port_explicit == good[i].port_explicit,
		    "%s: tls %d, ipv6 %d, explicit port %d", good[i].url,
		    good[i].tls, good[i].ipv6, good[i].port_explicit);
		is_mem(u.host, strlen(u.host), good[i].host,
		    strlen(good[i].host), "%s: host", good[i].url);
		is_mem(u.port, strlen(u.port), good[i].port,
		    strlen(good[i].port), "%s: port", good[i].url);
		is_mem(u.path, strlen(u.path), good[i].path,
		    strlen(good[i].path), "%s: path", good[i].url);
		n = ws_url_host_header(&u, hh, sizeof(hh));
		is_mem(hh, n, good[i].host_header, strlen(good[i].host_header),
		    "%s: Host header", good[i].url);
		ok(hh[n] == '\0', "%s: Host header NUL-terminated",
		    good[i].url);
	}
}

static void
test_bad(void)
{
	struct ws_url u;
	const char *err;
	size_t i;

	for (i = 0; i < NELEM(bad); i++) {
		err = NULL;
		is_int(ws_url_parse(&u, bad[i].url, &err), -1, "refuse: %s",
		    bad[i].name);
		ok(err != NULL && strcmp(err, bad[i].err) == 0,
		    "%s: reason \"%s\"", bad[i].name, err ? err : "(none)");
	}
}

/* The path points into the string, so the caller's string must live. */
static void
test_path_points_into_string(void)
{
	static const char s[] = "ws://h:1/p?q";
	struct ws_url u;
	const char *err;

	ws_url_parse(&u, s, &err);
	ok(u.path == s + 8, "path points into the parsed string");
}

static void
test_host_length(void)
{
	char url[300], hh[300];
	struct ws_url u;
	const char *err = NULL;
	size_t n;

	memcpy(url, "ws://", 5);
	memset(url + 5, 'a', 255);
	strcpy(url + 260, "/");
	is_int(ws_url_parse(&u, url, &err), 0, "host of 255 bytes accepted");
	is_int((long long)strlen(u.host), 255, "host of 255 bytes kept whole");

	memset(url + 5, 'a', 256);
	strcpy(url + 261, "/");
	err = NULL;
	is_int(ws_url_parse(&u, url, &err), -1, "host of 256 bytes refused");
	ok(err != NULL && strcmp(err, "host name too long") == 0,
	    "host of 256 bytes: reason \"%s\"", err ? err : "(none)");

	memcpy(url, "ws://[", 6);
	memset(url + 6, '1', 256);
	strcpy(url + 262, "]/");
	err = NULL;
	is_int(ws_url_parse(&u, url, &err), -1, "bracketed host of 256 bytes");
	ok(err != NULL && strcmp(err, "host name too long") == 0,
	    "bracketed host of 256 bytes: reason \"%s\"", err ? err : "(none)");

	ws_url_parse(&u, "ws://[::1]:9000/", &err);
	n = ws_url_host_header(&u, hh, 11);
	is_mem(hh, n, "[::1]:9000", 10, "Host header into exactly enough room");
	is_int((long long)ws_url_host_header(&u, hh, 10), 0,
	    "Host header with no room for the NUL gives 0");
	is_int((long long)ws_url_host_header(&u, hh, 0), 0,
	    "Host header into no room gives 0");
}

int
main(void)
{
	test_good();
	test_bad();
	test_path_points_into_string();
	test_host_length();
	return done_testing();
}
