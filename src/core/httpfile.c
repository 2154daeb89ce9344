/* SPDX-License-Identifier: ISC */
/*
 * Plain HTTP/1.1 answers for files (RFC 9110, 9112): the Content-Type
 * table, dates, entity tags, conditional requests and the answer's head.
 * Finding and sending the file is the program's business, not the core's.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "out.h"
#include "ws.h"

#define CRLF "\r\n"

static const char *const DAYS[] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue",
	"Wed" }; /* 1970-01-01 was a Thursday */
static const char *const MONTHS[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static int
ext_is(const char *ext, const char *want)
{
	size_t i;

	for (i = 0; ext[i] != '\0' && want[i] != '\0'; i++)
		if (lower(ext[i]) != want[i])
			return 0;
	return ext[i] == want[i];
}

const char *
ws_mime_type(const char *name)
{
	static const struct {
		const char *ext, *type;
	} types[] = {
		{ "html", "text/html; charset=utf-8" },
		{ "htm", "text/html; charset=utf-8" },
		{ "css", "text/css; charset=utf-8" },
		{ "js", "text/javascript; charset=utf-8" },
		{ "mjs", "text/javascript; charset=utf-8" },
		{ "json", "application/json" },
		{ "svg", "image/svg+xml" },
		{ "png", "image/png" },
		{ "jpg", "image/jpeg" },
		{ "jpeg", "image/jpeg" },
		{ "ico", "image/x-icon" },
		{ "txt", "text/plain; charset=utf-8" },
		{ "wasm", "application/wasm" },
	};
	const char *dot = strrchr(name, '.'), *slash = strrchr(name, '/');
	size_t i;

	if (dot != NULL && (slash == NULL || dot > slash))
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (ext_is(dot + 1, types[i].ext))
				return types[i].type;
	return "application/octet-stream";
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back
 * (H. Hinnant's algorithms; years 1970 to 9999 here). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = z / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void
two(char *p, unsigned v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
}

size_t
ws_http_date(char out[WS_HTTP_DATE_LEN + 1], int64_t t)
{
	int64_t days, y;
	unsigned m, d, s;

	if (t < 0 || t >= 253402300800) /* 10000-01-01 */
		return 0;
	days = t / 86400;
	s = (unsigned)(t % 86400);
	civil_from_days(days, &y, &m, &d);
	memcpy(out, "Thu, 01 Jan 1970 00:00:00 GMT", WS_HTTP_DATE_LEN + 1);
	memcpy(out, DAYS[days % 7], 3);
	two(out + 5, d);
	memcpy(out + 8, MONTHS[m - 1], 3);
	two(out + 12, (unsigned)(y / 100));
	two(out + 14, (unsigned)(y % 100));
	two(out + 17, s / 3600);
	two(out + 20, s / 60 % 60);
	two(out + 23, s % 60);
	return WS_HTTP_DATE_LEN;
}

/* n digits at p as a number; -1 if one is not a digit. */
static long
digits(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int
ws_http_date_parse(struct ws_str s, int64_t *t)
{
	const char *p = s.p;
	long d, y, hh, mm, ss;
	unsigned m;

	/* "Sun, 06 Nov 1994 08:49:37 GMT" */
	if (s.n != WS_HTTP_DATE_LEN || memcmp(p + 3, ", ", 2) != 0 ||
	    p[7] != ' ' || p[11] != ' ' || p[16] != ' ' || p[19] != ':' ||
	    p[22] != ':' || memcmp(p + 25, " GMT", 4) != 0)
		return -1;
	for (m = 0; m < 12 && memcmp(p + 8, MONTHS[m], 3) != 0; m++)
		continue;
	d = digits(p + 5, 2);
	y = digits(p + 12, 4);
	hh = digits(p + 17, 2);
	mm = digits(p + 20, 2);
	ss = digits(p + 23, 2);
	if (m == 12 || d < 1 || d > 31 || y < 1970 || hh < 0 || hh > 23 ||
	    mm < 0 || mm > 59 || ss < 0 || ss > 60)
		return -1;
	*t = days_from_civil(y, m + 1, (unsigned)d) * 86400 + hh * 3600 +
	    mm * 60 + ss;
	return 0;
}

static size_t
put_hex(char *out, uint64_t v)
{
	char d[16];
	size_t i = sizeof(d), n;

	do
		d[--i] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	n = sizeof(d) - i;
	memcpy(out, d + i, n);
	return n;
}

void
ws_etag(char out[WS_ETAG_MAX], uint64_t size, int64_t mtime)
{
	size_t n = 0;

	out[n++] = '"';
	n += put_hex(out + n, (uint64_t)mtime);
	out[n++] = '-';
	n += put_hex(out + n, size);
	out[n++] = '"';
	out[n] = '\0';
}

/* Weak comparison (RFC 9110 8.8.3.2): W/ prefixes do not matter. */
static int
etag_listed(struct ws_str list, const char *etag)
{
	struct ws_str item;
	size_t n = strlen(etag);

	while (ws_list_next(&list, &item)) {
		if (item.n == 1 && item.p[0] == '*')
			return 1;
		if (item.n > 2 && item.p[0] == 'W' && item.p[1] == '/') {
			item.p += 2;
			item.n -= 2;
		}
		if (item.n == n && memcmp(item.p, etag, n) == 0)
			return 1;
	}
	return 0;
}

int
ws_http_not_modified(const struct ws_request *r, const char *etag,
    int64_t mtime)
{
	struct ws_str v;
	size_t i;
	int64_t since;

	if (ws_request_header(r, "If-None-Match", &v) > 0) {
		for (i = 0; i < r->nheaders; i++)
			if (ws_str_ieq_c(r->headers[i].name, "If-None-Match") &&
			    etag_listed(r->headers[i].value, etag))
				return 1;
		return 0;
	}
	if (mtime < 0 || ws_request_header(r, "If-Modified-Since", &v) != 1 ||
	    ws_http_date_parse(v, &since) == -1)
		return 0;
	return mtime <= since;
}

int
ws_http_keep_alive(const struct ws_request *r)
{
	struct ws_str v, item;
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		if (!ws_str_ieq_c(r->headers[i].name, "Connection"))
			continue;
		v = r->headers[i].value;
		while (ws_list_next(&v, &item))
			if (ws_str_ieq_c(item, "close"))
				return 0;
	}
	if (ws_request_header(r, "Transfer-Encoding", &v) > 0)
		return 0;
	i = ws_request_header(r, "Content-Length", &v);
	return i == 0 || (i == 1 && v.n == 1 && v.p[0] == '0');
}

static void
put_header(struct out *o, const char *name, const char *value)
{
	put_str(o, name);
	put_str(o, ": ");
	put_str(o, value);
	put_str(o, CRLF);
}

size_t
ws_http_head(char *out, size_t cap, const struct ws_http_head *h)
{
	struct out o = { out, cap, 0, 0 };
	char date[WS_HTTP_DATE_LEN + 1];

	if (h->status < 100 || h->status > 999)
		return 0;
	put_str(&o, "HTTP/1.1 ");
	put_uint(&o, (unsigned long)h->status);
	put_str(&o, " ");
	put_str(&o, ws_status_text(h->status));
	put_str(&o, CRLF);
	if (h->date >= 0 && ws_http_date(date, h->date) > 0)
		put_header(&o, "Date", date);
	if (h->type != NULL)
		put_header(&o, "Content-Type", h->type);
	if (h->status != 304) {
		put_str(&o, "Content-Length: ");
		put_uint(&o, (unsigned long)h->length);
		put_str(&o, CRLF);
	}
	if (h->mtime >= 0 && ws_http_date(date, h->mtime) > 0)
		put_header(&o, "Last-Modified", date);
	if (h->etag != NULL)
		put_header(&o, "ETag", h->etag);
	if (h->location != NULL)
		put_header(&o, "Location", h->location);
	if (h->status == 405)
		put_header(&o, "Allow", "GET, HEAD");
	put_header(&o, "X-Content-Type-Options", "nosniff");
	put_header(&o, "Connection", h->keep_alive ? "keep-alive" : "close");
	put_str(&o, CRLF);
	return put_done(&o);
}
