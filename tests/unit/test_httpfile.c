/* SPDX-License-Identifier: ISC */
/*
 * Plain HTTP answers for files: the Content-Type table, IMF-fixdates
 * both ways, entity tags, conditional requests, keep-alive and the exact
 * bytes of an answer's head.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define BYTES(s) s, sizeof(s) - 1

static void
test_mime(void)
{
	static const struct {
		const char *name, *type;
	} t[] = {
		{ "index.html", "text/html; charset=utf-8" },
		{ "/a/b/STYLE.CSS", "text/css; charset=utf-8" },
		{ "console.js", "text/javascript; charset=utf-8" },
		{ "x.json", "application/json" },
		{ "x.svg", "image/svg+xml" },
		{ "x.png", "image/png" },
		{ "x.jpg", "image/jpeg" },
		{ "x.jpeg", "image/jpeg" },
		{ "favicon.ico", "image/x-icon" },
		{ "notes.txt", "text/plain; charset=utf-8" },
		{ "app.wasm", "application/wasm" },
		{ "archive.tar.gz", "application/octet-stream" },
		{ "Makefile", "application/octet-stream" },
		{ "dir.html/file", "application/octet-stream" },
		{ "x.htmlx", "application/octet-stream" },
		{ "x.", "application/octet-stream" },
	};
	size_t i;

	for (i = 0; i < NELEM(t); i++)
		ok(strcmp(ws_mime_type(t[i].name), t[i].type) == 0,
		    "type of %s is %s", t[i].name, t[i].type);
}

static void
test_dates(void)
{
	static const struct {
		int64_t t;
		const char *s;
	} t[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
		{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" }, /* RFC 9110 */
		{ 951782400, "Tue, 29 Feb 2000 00:00:00 GMT" },
		{ 1709251199, "Thu, 29 Feb 2024 23:59:59 GMT" },
		{ 4102444800, "Fri, 01 Jan 2100 00:00:00 GMT" },
		{ 253402300799, "Fri, 31 Dec 9999 23:59:59 GMT" },
	};
	static const char *const bad[] = {
		"Sunday, 06-Nov-94 08:49:37 GMT", /* RFC 850, obsolete */
		"Sun Nov  6 08:49:37 1994", /* asctime, obsolete */
		"Sun, 06 Nov 1994 08:49:37 UTC",
		"Sun, 06 Xyz 1994 08:49:37 GMT",
		"Sun, 32 Nov 1994 08:49:37 GMT",
		"Sun, 06 Nov 1994 24:00:00 GMT",
		"Sun, 06 Nov 1969 08:49:37 GMT",
		"Sun, 06 Nov 1994 08:4a:37 GMT",
		"",
	};
	char out[WS_HTTP_DATE_LEN + 1];
	int64_t back;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		is_int((long long)ws_http_date(out, t[i].t), WS_HTTP_DATE_LEN,
		    "date %lld: length", (long long)t[i].t);
		ok(strcmp(out, t[i].s) == 0, "date %lld is %s (got %s)",
		    (long long)t[i].t, t[i].s, out);
		back = -1;
		is_int(ws_http_date_parse((struct ws_str){ t[i].s,
					      strlen(t[i].s) },
			   &back),
		    0, "%s parses", t[i].s);
		is_int((long long)back, (long long)t[i].t, "%s back to %lld",
		    t[i].s, (long long)t[i].t);
	}
	is_int((long long)ws_http_date(out, -1), 0, "no date before 1970");
	is_int((long long)ws_http_date(out, 253402300800), 0,
	    "no date after 9999");
	for (i = 0; i < NELEM(bad); i++)
		is_int(ws_http_date_parse((struct ws_str){ bad[i],
					      strlen(bad[i]) },
			   &back),
		    -1, "refused date \"%s\"", bad[i]);
}

/* A GET with the given header lines, parsed (a plain request). */
static void
request(struct ws_request *r, const char *buf, size_t n)
{
	ws_request_init(r, 0);
	ws_request_parse(r, buf, n);
}

#define GET "GET /f HTTP/1.1\r\nHost: h\r\n"
#define ETAG "\"5f5e100-1000\""
#define MTIME 100000000 /* Sat, 03 Mar 1973 09:46:40 GMT */

static void
test_conditional(void)
{
	static const struct {
		const char *name, *p;
		size_t n;
		int fresh;
	} t[] = {
		{ "no condition", BYTES(GET "\r\n"), 0 },
		{ "If-None-Match, same tag",
		    BYTES(GET "If-None-Match: " ETAG "\r\n\r\n"), 1 },
		{ "If-None-Match, weak same tag",
		    BYTES(GET "If-None-Match: W/" ETAG "\r\n\r\n"), 1 },
		{ "If-None-Match, in a list",
		    BYTES(GET "If-None-Match: \"a\", " ETAG "\r\n\r\n"), 1 },
		{ "If-None-Match over two lines",
		    BYTES(GET "If-None-Match: \"a\"\r\n"
			      "If-None-Match: " ETAG "\r\n\r\n"),
		    1 },
		{ "If-None-Match: *", BYTES(GET "If-None-Match: *\r\n\r\n"),
		    1 },
		{ "If-None-Match, other tag",
		    BYTES(GET "If-None-Match: \"5f5e100-1001\"\r\n\r\n"), 0 },
		{ "If-None-Match wins over a fresh date",
		    BYTES(GET "If-None-Match: \"x\"\r\n"
			      "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 "
			      "GMT\r\n\r\n"),
		    0 },
		{ "If-Modified-Since, same second",
		    BYTES(GET "If-Modified-Since: Sat, 03 Mar 1973 09:46:40 "
			      "GMT\r\n\r\n"),
		    1 },
		{ "If-Modified-Since, later",
		    BYTES(GET "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 "
			      "GMT\r\n\r\n"),
		    1 },
		{ "If-Modified-Since, a second before",
		    BYTES(GET "If-Modified-Since: Sat, 03 Mar 1973 09:46:39 "
			      "GMT\r\n\r\n"),
		    0 },
		{ "If-Modified-Since, malformed",
		    BYTES(GET "If-Modified-Since: yesterday\r\n\r\n"), 0 },
	};
	struct ws_request r;
	char etag[WS_ETAG_MAX];
	size_t i;

	ws_etag(etag, 0x1000, 100000000);
	ok(strcmp(etag, ETAG) == 0, "etag of 4096 bytes at 100000000: %s",
	    etag);
	for (i = 0; i < NELEM(t); i++) {
		request(&r, t[i].p, t[i].n);
		is_int(ws_http_not_modified(&r, etag, MTIME), t[i].fresh,
		    "%s: %s", t[i].name, t[i].fresh ? "304" : "200");
	}
	request(&r,
	    BYTES(GET "If-Modified-Since: Fri, 01 Jan 2100 00:00:00 GMT\r\n"
		      "\r\n"));
	is_int(ws_http_not_modified(&r, etag, -1), 0,
	    "no mtime: never fresh by date");
}

static void
test_keep_alive(void)
{
	static const struct {
		const char *name, *p;
		size_t n;
		int keep;
	} t[] = {
		{ "HTTP/1.1 default", BYTES(GET "\r\n"), 1 },
		{ "Connection: keep-alive",
		    BYTES(GET "Connection: keep-alive\r\n\r\n"), 1 },
		{ "Connection: close", BYTES(GET "Connection: Close\r\n\r\n"),
		    0 },
		{ "close in a list",
		    BYTES(GET "Connection: foo, close\r\n\r\n"), 0 },
		{ "Content-Length: 0", BYTES(GET "Content-Length: 0\r\n\r\n"),
		    1 },
		{ "a body", BYTES(GET "Content-Length: 5\r\n\r\n"), 0 },
		{ "chunked", BYTES(GET "Transfer-Encoding: chunked\r\n\r\n"),
		    0 },
	};
	struct ws_request r;
	size_t i;

	for (i = 0; i < NELEM(t); i++) {
		request(&r, t[i].p, t[i].n);
		is_int(ws_http_keep_alive(&r), t[i].keep, "keep-alive: %s",
		    t[i].name);
	}
}

static void
test_head(void)
{
	static const char ok200[] =
	    "HTTP/1.1 200 OK\r\n"
	    "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
	    "Content-Type: text/css; charset=utf-8\r\n"
	    "Content-Length: 4096\r\n"
	    "Last-Modified: Sat, 03 Mar 1973 09:46:40 GMT\r\n"
	    "ETag: " ETAG "\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Connection: keep-alive\r\n\r\n";
	static const char not304[] = "HTTP/1.1 304 Not Modified\r\n"
				     "ETag: " ETAG "\r\n"
				     "X-Content-Type-Options: nosniff\r\n"
				     "Connection: keep-alive\r\n\r\n";
	static const char no405[] = "HTTP/1.1 405 Method Not Allowed\r\n"
				    "Content-Type: text/plain\r\n"
				    "Content-Length: 19\r\n"
				    "Allow: GET, HEAD\r\n"
				    "X-Content-Type-Options: nosniff\r\n"
				    "Connection: close\r\n\r\n";
	static const char moved[] = "HTTP/1.1 301 Moved Permanently\r\n"
				    "Content-Type: text/plain\r\n"
				    "Content-Length: 18\r\n"
				    "Location: /sub/?q=1\r\n"
				    "X-Content-Type-Options: nosniff\r\n"
				    "Connection: keep-alive\r\n\r\n";
	struct ws_http_head h = { 200, "text/css; charset=utf-8", 4096, ETAG,
		MTIME, 784111777, 1, NULL };
	char out[512];
	size_t n;

	n = ws_http_head(out, sizeof(out), &h);
	is_mem(out, n, ok200, sizeof(ok200) - 1, "200 head, exact bytes");
	is_int((long long)ws_http_head(out, n - 1, &h), 0,
	    "200 head: one byte short of room gives 0");
	h = (struct ws_http_head){ 304, NULL, 4096, ETAG, -1, -1, 1, NULL };
	n = ws_http_head(out, sizeof(out), &h);
	is_mem(out, n, not304, sizeof(not304) - 1,
	    "304 head: no Content-Length, exact bytes");
	h = (struct ws_http_head){ 301, "text/plain", 18, NULL, -1, -1, 1,
		"/sub/?q=1" };
	n = ws_http_head(out, sizeof(out), &h);
	is_mem(out, n, moved, sizeof(moved) - 1, "301 head: Location");
	h = (struct ws_http_head){ 405, "text/plain", 19, NULL, -1, -1, 0,
		NULL };
	n = ws_http_head(out, sizeof(out), &h);
	is_mem(out, n, no405, sizeof(no405) - 1,
	    "405 head: Allow, close, no Location");
	h.status = 1000;
	is_int((long long)ws_http_head(out, sizeof(out), &h), 0,
	    "a status of four digits is refused");
}

int
main(void)
{
	test_mime();
	test_dates();
	test_conditional();
	test_keep_alive();
	test_head();
	return done_testing();
}
