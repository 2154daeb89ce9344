/* SPDX-License-Identifier: ISC */
/*
 * The opening handshake over HTTP/1.1 (RFC 6455 section 4, RFC 9112):
 * check a client's upgrade request and answer it; build a client's
 * request and check the server's answer. Bytes in, bytes out, no I/O.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "out.h"
#include "ws.h"

#define CRLF "\r\n"

/* ---- character classes and ranges ---- */

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 9110 section 5.6.2 tchar. */
static int
is_tchar(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Field-value bytes: HT, SP, VCHAR, obs-text; no other controls. */
static int
is_vchar_or_ws(char c)
{
	unsigned char u = (unsigned char)c;

	return u == '\t' || (u >= ' ' && u != 0x7f);
}

/* Request-target bytes: visible ASCII. */
static int
is_target_char(char c)
{
	return c > ' ' && c < 0x7f;
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The lengths first: header names share long prefixes (Sec-WebSocket-),
 * and every lookup walks every header, so most comparisons end there. */
int
ws_str_ieq_c(struct ws_str s, const char *t)
{
	size_t i;

	if (strlen(t) != s.n)
		return 0;
	for (i = 0; i < s.n; i++)
		if (lower(s.p[i]) != lower(t[i]))
			return 0;
	return 1;
}

int
ws_str_ieq(struct ws_str a, struct ws_str b)
{
	size_t i;

	if (a.n != b.n)
		return 0;
	for (i = 0; i < a.n; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return 0;
	return 1;
}

static int
str_eq(struct ws_str s, const char *t)
{
	return strlen(t) == s.n && memcmp(s.p, t, s.n) == 0;
}

static int
str_all(struct ws_str s, int (*ok)(char))
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (!ok(s.p[i]))
			return 0;
	return 1;
}

static struct ws_str
trim(struct ws_str s)
{
	while (s.n > 0 && (s.p[0] == ' ' || s.p[0] == '\t')) {
		s.p++;
		s.n--;
	}
	while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
		s.n--;
	return s;
}

/* Neither CR nor LF, so it cannot end a header line early. */
static int
line_safe(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* The next element of a comma-separated list (RFC 9110 section 5.6.1);
 * empty elements are skipped, as the RFC asks. */
int
ws_list_next(struct ws_str *list, struct ws_str *item)
{
	const char *comma;
	size_t n;

	while (list->n > 0) {
		comma = memchr(list->p, ',', list->n);
		n = comma != NULL ? (size_t)(comma - list->p) : list->n;
		*item = trim((struct ws_str){ list->p, n });
		if (comma != NULL)
			n++;
		list->p += n;
		list->n -= n;
		if (item->n > 0)
			return 1;
	}
	return 0;
}

int
ws_token_ok(struct ws_str s)
{
	return s.n > 0 && str_all(s, is_tchar);
}

/* ---- header blocks, shared by both sides ---- */

static long
refuse(const char **reason, int status, const char *why)
{
	*reason = why;
	return -status;
}

/*
 * Looks for the blank line ending a header block, from where the last
 * call stopped (*scanned), so a block arriving byte by byte costs linear
 * time. Only the first max bytes are searched. Returns the block length,
 * 0 when more is needed, or minus the HTTP status of a refusal.
 */
static long
scan_block(size_t *scanned, const char *buf, size_t len, size_t max,
    const char **reason)
{
	size_t i, lim = len < max ? len : max;

	for (i = *scanned; i < lim; i++) {
		if (buf[i] != '\n')
			continue;
		/* A lone LF is how request smuggling starts; never guess. */
		if (i == 0 || buf[i - 1] != '\r')
			return refuse(reason, 400, "bare LF in header");
		if (i >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
			*scanned = i; /* so a repeated call finds it again */
			return (long)i + 1;
		}
	}
	*scanned = lim;
	if (len > max)
		return refuse(reason, 431, "header block too large");
	return 0;
}

/* Takes the next CRLF-ended line off *rest, without its CRLF. */
static int
line_next(struct ws_str *rest, struct ws_str *line)
{
	const char *lf;

	if (rest->n == 0)
		return 0;
	/* scan_block saw every LF preceded by CR, and the last byte is LF */
	lf = memchr(rest->p, '\n', rest->n);
	line->p = rest->p;
	line->n = (size_t)(lf - rest->p) - 1;
	rest->n -= line->n + 2;
	rest->p = lf + 1;
	return 1;
}

/* Splits a complete block into its first line and the header lines. */
static void
block_split(const char *buf, long end, struct ws_str *first,
    struct ws_str *rest)
{
	*rest = (struct ws_str){ buf, (size_t)end - 2 }; /* the blank line */
	*first = (struct ws_str){ buf, 0 };
	line_next(rest, first);
}

/* "name: value", the name a token, the value trimmed (RFC 9112 5). */
static long
field_parse(struct ws_str line, struct ws_header *h, const char **reason)
{
	size_t i;

	if (line.n > 0 && (line.p[0] == ' ' || line.p[0] == '\t'))
		return refuse(reason, 400, "folded header line");
	for (i = 0; i < line.n && is_tchar(line.p[i]); i++)
		continue;
	if (i == 0 || i == line.n || line.p[i] != ':')
		return refuse(reason, 400, "malformed header field");
	h->name = (struct ws_str){ line.p, i };
	h->value = trim((struct ws_str){ line.p + i + 1, line.n - i - 1 });
	if (!str_all(h->value, is_vchar_or_ws))
		return refuse(reason, 400, "malformed header field");
	return 0;
}

/* Parses the header lines left in *rest into h[0..*nh). */
static long
fields_parse(struct ws_str *rest, struct ws_header *h, size_t *nh,
    const char **reason)
{
	struct ws_str line;
	long rc;

	*nh = 0;
	while (line_next(rest, &line)) {
		if (*nh == WS_MAX_HEADERS)
			return refuse(reason, 431, "too many header fields");
		if ((rc = field_parse(line, &h[*nh], reason)) < 0)
			return rc;
		(*nh)++;
	}
	return 0;
}

/* How many headers are named name; the first one's value in *first. */
static size_t
header_find(const struct ws_header *h, size_t n, const char *name,
    struct ws_str *first)
{
	size_t i, count = 0;

	*first = (struct ws_str){ NULL, 0 };
	for (i = 0; i < n; i++)
		if (ws_str_ieq_c(h[i].name, name) && count++ == 0)
			*first = h[i].value;
	return count;
}

/* 1 when a header named name lists token; repeated lines form one list. */
static int
header_has_token(const struct ws_header *h, size_t n, const char *name,
    const char *token)
{
	struct ws_str list, item;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!ws_str_ieq_c(h[i].name, name))
			continue;
		list = h[i].value;
		while (ws_list_next(&list, &item))
			if (ws_str_ieq_c(item, token))
				return 1;
	}
	return 0;
}

/* 1 for HTTP/1.1 or later, 0 for earlier, -1 when not "HTTP/d.d". */
static int
http_version(struct ws_str v)
{
	const char *p = v.p;

	if (v.n != 8 || memcmp(p, "HTTP/", 5) != 0 || !is_digit(p[5]) ||
	    p[6] != '.' || !is_digit(p[7]))
		return -1;
	return p[5] > '1' || (p[5] == '1' && p[7] >= '1');
}

/* ---- server side ---- */

void
ws_request_init(struct ws_request *r, size_t max_header)
{
	memset(r, 0, sizeof(*r));
	r->max_header = max_header != 0 ? max_header : WS_MAX_HEADER_DEFAULT;
}

/* "GET SP request-target SP HTTP-version", single spaces (RFC 9112 3). */
static long
request_line(struct ws_request *r, struct ws_str line)
{
	const char *sp1, *sp2, *end = line.p + line.n;
	struct ws_str version;

	if ((sp1 = memchr(line.p, ' ', line.n)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL)
		return refuse(&r->reason, 400, "malformed request line");
	r->method = (struct ws_str){ line.p, (size_t)(sp1 - line.p) };
	r->target = (struct ws_str){ sp1 + 1, (size_t)(sp2 - sp1 - 1) };
	version = (struct ws_str){ sp2 + 1, (size_t)(end - sp2 - 1) };
	if (r->method.n == 0 || !str_all(r->method, is_tchar) ||
	    r->target.n == 0 || !str_all(r->target, is_target_char))
		return refuse(&r->reason, 400, "malformed request line");
	switch (http_version(version)) {
	case -1:
		return refuse(&r->reason, 400, "malformed request line");
	case 0:
		return refuse(&r->reason, 400, "HTTP/1.1 or later required");
	}
	return 0;
}

static long
request_key(struct ws_request *r)
{
	uint8_t raw[18];
	size_t count;

	count =
	    header_find(r->headers, r->nheaders, "Sec-WebSocket-Key", &r->key);
	if (count == 0)
		return refuse(&r->reason, 400, "missing Sec-WebSocket-Key");
	if (count > 1)
		return refuse(&r->reason, 400, "duplicate Sec-WebSocket-Key");
	if (r->key.n != WS_KEY_LEN ||
	    ws_base64_decode(r->key.p, r->key.n, raw, sizeof(raw)) != 16)
		return refuse(&r->reason, 400, "invalid Sec-WebSocket-Key");
	return 0;
}

/* Every Sec-WebSocket-Protocol line is a list of tokens (RFC 6455 4.1):
 * a server that picked from a malformed list would answer nonsense. */
static int
protocols_ok(const struct ws_header *h, size_t n)
{
	struct ws_str list, item;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!ws_str_ieq_c(h[i].name, "Sec-WebSocket-Protocol"))
			continue;
		list = h[i].value;
		while (ws_list_next(&list, &item))
			if (!ws_token_ok(item))
				return 0;
	}
	return 1;
}

/* Only GET upgrades; checked after the header lines are read, so that a
 * HEAD or POST without Upgrade is still told apart as plain HTTP. */
static long
request_method(struct ws_request *r)
{
	if (str_eq(r->method, "GET"))
		return 0;
	r->plain =
	    !header_has_token(r->headers, r->nheaders, "Upgrade", "websocket");
	return refuse(&r->reason, 400, "method must be GET");
}

/* The header checks of RFC 6455 section 4.2.1, in the order listed. */
static long
request_headers(struct ws_request *r)
{
	const struct ws_header *h = r->headers;
	size_t n = r->nheaders, count;
	struct ws_str version;

	count = header_find(h, n, "Host", &r->host);
	if (count == 0)
		return refuse(&r->reason, 400, "missing Host header");
	if (count > 1)
		return refuse(&r->reason, 400, "duplicate Host header");
	if (r->host.n == 0) /* RFC 9112 3.2: an empty Host names no server */
		return refuse(&r->reason, 400, "empty Host header");
	if (!header_has_token(h, n, "Upgrade", "websocket")) {
		r->plain = 1;
		return refuse(&r->reason, 400,
		    "Upgrade header is not websocket");
	}
	if (!header_has_token(h, n, "Connection", "upgrade"))
		return refuse(&r->reason, 400,
		    "Connection header lacks upgrade");
	count = header_find(h, n, "Sec-WebSocket-Version", &version);
	if (count > 1)
		return refuse(&r->reason, 400,
		    "duplicate Sec-WebSocket-Version");
	/* 426 carries our version, so the client may retry with it. */
	if (count == 0 || !str_eq(version, "13"))
		return refuse(&r->reason, 426, "unsupported WebSocket version");
	header_find(h, n, "Origin", &r->origin);
	if (!protocols_ok(h, n))
		return refuse(&r->reason, 400,
		    "invalid Sec-WebSocket-Protocol");
	header_find(h, n, "Sec-WebSocket-Protocol", &r->protocols);
	header_find(h, n, "Sec-WebSocket-Extensions", &r->extensions);
	return request_key(r);
}

long
ws_request_parse(struct ws_request *r, const char *buf, size_t len)
{
	struct ws_str rest, line;
	long end, rc;

	if (r->reason != NULL)
		return -1;
	end = scan_block(&r->scanned, buf, len, r->max_header, &r->reason);
	if (end <= 0) {
		r->status = (int)-end;
		return end < 0 ? -1 : 0;
	}
	block_split(buf, end, &line, &rest);
	r->len = (size_t)end;
	if ((rc = request_line(r, line)) < 0 ||
	    (rc = fields_parse(&rest, r->headers, &r->nheaders, &r->reason)) <
		0 ||
	    (rc = request_method(r)) < 0 || (rc = request_headers(r)) < 0) {
		r->status = (int)-rc;
		return -1;
	}
	return end;
}

size_t
ws_request_header(const struct ws_request *r, const char *name,
    struct ws_str *value)
{
	return header_find(r->headers, r->nheaders, name, value);
}

const char *
ws_status_text(int status)
{
	switch (status) {
	case 101:
		return "Switching Protocols";
	case 200:
		return "OK";
	case 301:
		return "Moved Permanently";
	case 304:
		return "Not Modified";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 426:
		return "Upgrade Required";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	}
	return "Error";
}

/* Headers the handshake itself writes or that would change how the
 * bytes after the 101 are read; --header may not add them. */
static int
owned_name(struct ws_str name)
{
	static const char *const owned[] = { "Upgrade", "Connection",
		"Content-Length", "Transfer-Encoding" };
	size_t i;

	if (name.n >= 14 &&
	    ws_str_ieq_c((struct ws_str){ name.p, 14 }, "Sec-WebSocket-"))
		return 1;
	for (i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (ws_str_ieq_c(name, owned[i]))
			return 1;
	return 0;
}

int
ws_header_line_ok(const char *line)
{
	struct ws_str name, value;
	size_t n = 0;

	while (is_tchar(line[n]))
		n++;
	if (n == 0 || line[n] != ':')
		return 0;
	name = (struct ws_str){ line, n };
	value = (struct ws_str){ line + n + 1, strlen(line + n + 1) };
	return !owned_name(name) && str_all(value, is_vchar_or_ws);
}

size_t
ws_response_101_answer(char *out, size_t cap, const char *key, size_t keylen,
    const struct ws_answer *a)
{
	struct out o = { out, cap, 0, 0 };
	char accept[WS_ACCEPT_LEN + 1];
	size_t i;

	if (a->protocol.n > 0 && !ws_token_ok(a->protocol))
		return 0;
	if (a->extensions.n > 0 && !str_all(a->extensions, is_vchar_or_ws))
		return 0;
	for (i = 0; i < a->nheaders; i++)
		if (!ws_header_line_ok(a->headers[i]))
			return 0;
	ws_accept_key(key, keylen, accept);
	put_str(&o,
	    "HTTP/1.1 101 Switching Protocols" CRLF "Upgrade: websocket" CRLF
	    "Connection: Upgrade" CRLF "Sec-WebSocket-Accept: ");
	put_str(&o, accept);
	put_str(&o, CRLF);
	/* An empty choice is no choice: the header may not be empty. */
	if (a->protocol.n > 0) {
		put_str(&o, "Sec-WebSocket-Protocol: ");
		put(&o, a->protocol.p, a->protocol.n);
		put_str(&o, CRLF);
	}
	if (a->extensions.n > 0) {
		put_str(&o, "Sec-WebSocket-Extensions: ");
		put(&o, a->extensions.p, a->extensions.n);
		put_str(&o, CRLF);
	}
	for (i = 0; i < a->nheaders; i++) {
		put_str(&o, a->headers[i]);
		put_str(&o, CRLF);
	}
	put_str(&o, CRLF);
	return put_done(&o);
}

size_t
ws_response_101(char *out, size_t cap, const char *key, size_t keylen,
    const char *protocol)
{
	struct ws_answer a = { { "", 0 }, NULL, 0, { "", 0 } };

	if (protocol != NULL) {
		if (!line_safe(protocol))
			return 0;
		a.protocol = (struct ws_str){ protocol, strlen(protocol) };
	}
	return ws_response_101_answer(out, cap, key, keylen, &a);
}

size_t
ws_response_error(char *out, size_t cap, int status, const char *reason)
{
	struct out o = { out, cap, 0, 0 };

	if (status < 100 || status > 999)
		return 0;
	if (reason == NULL)
		reason = ws_status_text(status);
	put_str(&o, "HTTP/1.1 ");
	put_uint(&o, (unsigned long)status);
	put_str(&o, " ");
	put_str(&o, ws_status_text(status));
	put_str(&o, CRLF "Content-Type: text/plain" CRLF "Content-Length: ");
	put_uint(&o, strlen(reason) + 1);
	put_str(&o, CRLF "Connection: close" CRLF);
	if (status == 426)
		put_str(&o, "Sec-WebSocket-Version: 13" CRLF);
	put_str(&o, CRLF);
	put_str(&o, reason);
	put_str(&o, "\n");
	return put_done(&o);
}

/* ---- client side ---- */

static const char *const default_names[] = {
	"Host",
	"Upgrade",
	"Connection",
	"Sec-WebSocket-Key",
	"Sec-WebSocket-Version",
};
#define NDEFAULT (sizeof(default_names) / sizeof(default_names[0]))

/* The name of an extra header line, before its ':'; 0 when malformed:
 * no token and colon, or a CR or LF that would smuggle in another line. */
static int
extra_name(const char *line, struct ws_str *name)
{
	size_t n = 0;

	while (is_tchar(line[n]))
		n++;
	*name = (struct ws_str){ line, n };
	return n > 0 && line[n] == ':' && line_safe(line);
}

/* Writes the extras named name; returns how many there were. */
static size_t
put_extras_named(struct out *o, const char *name, const char *const *extra,
    size_t nextra)
{
	struct ws_str n;
	size_t i, count = 0;

	for (i = 0; i < nextra; i++) {
		extra_name(extra[i], &n);
		if (ws_str_ieq_c(n, name)) {
			put_str(o, extra[i]);
			put_str(o, CRLF);
			count++;
		}
	}
	return count;
}

static int
is_default_name(struct ws_str name)
{
	size_t i;

	for (i = 0; i < NDEFAULT; i++)
		if (ws_str_ieq_c(name, default_names[i]))
			return 1;
	return 0;
}

static int
client_args_ok(const char *host, const char *path, const char *const *extra,
    size_t nextra)
{
	struct ws_str name;
	size_t i;

	if (host == NULL || !line_safe(host) ||
	    !str_all((struct ws_str){ path, strlen(path) }, is_target_char))
		return 0;
	for (i = 0; i < nextra; i++)
		if (!extra_name(extra[i], &name))
			return 0;
	return 1;
}

size_t
ws_client_request(char *out, size_t cap, const char *host, const char *path,
    const char key[WS_KEY_LEN], const char *const *extra, size_t nextra)
{
	const char *values[NDEFAULT] = { host, "websocket", "Upgrade", NULL,
		"13" };
	struct out o = { out, cap, 0, 0 };
	struct ws_str name;
	size_t i;

	if (path == NULL)
		path = "/";
	if (!client_args_ok(host, path, extra, nextra))
		return 0;
	put_str(&o, path[0] == '/' ? "GET " : "GET /");
	put_str(&o, path);
	put_str(&o, " HTTP/1.1" CRLF);
	for (i = 0; i < NDEFAULT; i++) {
		/* Extras take a default's place, so order stays familiar. */
		if (put_extras_named(&o, default_names[i], extra, nextra) > 0)
			continue;
		put_str(&o, default_names[i]);
		put_str(&o, ": ");
		if (values[i] != NULL)
			put_str(&o, values[i]);
		else
			put(&o, key, WS_KEY_LEN);
		put_str(&o, CRLF);
	}
	for (i = 0; i < nextra; i++) {
		extra_name(extra[i], &name);
		if (!is_default_name(name)) {
			put_str(&o, extra[i]);
			put_str(&o, CRLF);
		}
	}
	put_str(&o, CRLF);
	return put_done(&o);
}

void
ws_response_init(struct ws_response *r, size_t max_header)
{
	memset(r, 0, sizeof(*r));
	r->max_header = max_header != 0 ? max_header : WS_MAX_HEADER_DEFAULT;
}

/* "HTTP/d.d SP 3DIGIT SP reason-phrase" (RFC 9112 section 4). */
static int
status_line(struct ws_response *r, struct ws_str line)
{
	const char *p = line.p;

	r->status_line = line;
	if (line.n < 12 || http_version((struct ws_str){ p, 8 }) == -1 ||
	    p[8] != ' ' || !is_digit(p[9]) || !is_digit(p[10]) ||
	    !is_digit(p[11]) || (line.n > 12 && p[12] != ' ') ||
	    !str_all(line, is_vchar_or_ws)) {
		r->reason = "malformed status line";
		return -1;
	}
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	return 0;
}

/* 1 when proto is one of the offered list; names are case-sensitive. */
static int
protocol_offered(struct ws_str proto, const char *offered)
{
	struct ws_str list, item;

	if (offered == NULL)
		return 0;
	list = (struct ws_str){ offered, strlen(offered) };
	while (ws_list_next(&list, &item))
		if (item.n == proto.n && memcmp(item.p, proto.p, proto.n) == 0)
			return 1;
	return 0;
}

/* The client's checks of a 101 (RFC 6455 section 4.1, the list at end). */
static int
response_headers(struct ws_response *r, const struct ws_header *h, size_t n,
    const char *accept, const char *offered)
{
	struct ws_str value;
	size_t count;

	if (!header_has_token(h, n, "Upgrade", "websocket"))
		r->reason = "Upgrade header is not websocket";
	else if (!header_has_token(h, n, "Connection", "upgrade"))
		r->reason = "Connection header lacks upgrade";
	else if ((count = header_find(h, n, "Sec-WebSocket-Accept", &value)) ==
	    0)
		r->reason = "missing Sec-WebSocket-Accept";
	else if (count > 1 || !str_eq(value, accept))
		r->reason = "wrong Sec-WebSocket-Accept";
	else if ((count = header_find(h, n, "Sec-WebSocket-Extensions",
		      &r->extensions)) > 0 &&
	    !r->extensions_offered)
		r->reason = "server chose an extension we did not offer";
	else if (count > 1)
		r->reason = "more than one Sec-WebSocket-Extensions line";
	else if ((count = header_find(h, n, "Sec-WebSocket-Protocol",
		      &r->protocol)) > 1 ||
	    (count == 1 && !protocol_offered(r->protocol, offered)))
		r->reason = "server chose a subprotocol we did not offer";
	return r->reason != NULL ? -1 : 0;
}

long
ws_response_parse(struct ws_response *r, const char *buf, size_t len,
    const char *accept, const char *offered_protocols)
{
	struct ws_header h[WS_MAX_HEADERS];
	struct ws_str rest, line;
	size_t n;
	long end;

	if (r->reason != NULL)
		return -1;
	end = scan_block(&r->scanned, buf, len, r->max_header, &r->reason);
	if (end <= 0)
		return end < 0 ? -1 : 0;
	block_split(buf, end, &line, &rest);
	if (status_line(r, line) == -1)
		return -1;
	if (r->status != 101) {
		r->reason = "handshake refused";
		return -1;
	}
	if (fields_parse(&rest, h, &n, &r->reason) < 0 ||
	    response_headers(r, h, n, accept, offered_protocols) == -1)
		return -1;
	return end;
}
