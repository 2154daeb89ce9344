/* SPDX-License-Identifier: ISC */
/*
 * Builds a bridged program's environment into caller-owned memory: the
 * CGI/1.1 meta-variables of RFC 3875 section 4.1, HTTP_* for the request
 * headers, PATH and --passenv. Also splits and decodes request paths for
 * it and for --dir routing. No I/O, no allocation, no getenv.
 */
#include <string.h>

#include "cgienv.h"

void
cgienv_init(struct cgienv *e, char *buf, size_t cap, char **envp, size_t max)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->cap = cap;
	e->envp = envp;
	e->max = max;
	if (max > 0)
		envp[0] = NULL;
}

static int
fail(struct cgienv *e)
{
	e->reason = "environment does not fit";
	return -1;
}

/* Appends bytes to the entry being written; it ends with cgienv_end. */
static int
put(struct cgienv *e, const char *p, size_t n)
{
	if (e->reason != NULL || n > e->cap - e->used)
		return fail(e);
	memcpy(e->buf + e->used, p, n);
	e->used += n;
	return 0;
}

static int
put_str(struct cgienv *e, const char *s)
{
	return put(e, s != NULL ? s : "", s != NULL ? strlen(s) : 0);
}

/* Starts an entry: remembers where it begins. */
static int
entry_begin(struct cgienv *e, size_t *start)
{
	if (e->reason != NULL || e->n + 1 >= e->max)
		return fail(e);
	*start = e->used;
	return 0;
}

/* NUL-terminates the entry and links it into envp. */
static int
entry_end(struct cgienv *e, size_t start)
{
	if (put(e, "", 1) == -1)
		return -1;
	e->envp[e->n++] = e->buf + start;
	e->envp[e->n] = NULL;
	return 0;
}

/* Length of the name part of "NAME=VALUE" (or of all of it). */
static size_t
name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

const char *
cgienv_get(const struct cgienv *e, const char *name)
{
	size_t i, n = name_len(name);

	/* Every entry is looked at for every name added: the first byte
	 * settles most, where measuring each entry's name read all of it. */
	for (i = 0; i < e->n; i++)
		if (e->envp[i][0] == name[0] &&
		    strncmp(e->envp[i], name, n) == 0 && e->envp[i][n] == '=')
			return e->envp[i] + n + 1;
	return NULL;
}

int
cgienv_add(struct cgienv *e, const char *name, const char *value, size_t vlen)
{
	size_t start;

	if (cgienv_get(e, name) != NULL)
		return 0;
	if (entry_begin(e, &start) == -1 || put_str(e, name) == -1 ||
	    put(e, "=", 1) == -1 || put(e, value, vlen) == -1)
		return -1;
	return entry_end(e, start);
}

static int
add_str(struct cgienv *e, const char *name, const char *value)
{
	if (value == NULL)
		value = "";
	return cgienv_add(e, name, value, strlen(value));
}

static int
add_ws(struct cgienv *e, const char *name, struct ws_str v)
{
	return cgienv_add(e, name, v.p != NULL ? v.p : "", v.n);
}

static char
upper(char c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* Letters, digits and '-' only. '_' is refused as Apache httpd and nginx
 * do: "X_User" would otherwise pose as "X-User" in HTTP_X_USER. */
static int
header_name_ok(struct ws_str name)
{
	size_t i;
	char c;

	for (i = 0; i < name.n; i++) {
		c = upper(name.p[i]);
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '-'))
			return 0;
	}
	return name.n > 0;
}

/* NAME=v1, v2, ... for every header from first on named like it. */
static int
add_joined(struct cgienv *e, const char *prefix, const char *fixed_name,
    const struct ws_request *r, size_t first)
{
	struct ws_str name = r->headers[first].name;
	size_t i, start, sep = 0;
	char c;

	if (entry_begin(e, &start) == -1 || put_str(e, prefix) == -1)
		return -1;
	if (fixed_name != NULL && put_str(e, fixed_name) == -1)
		return -1;
	for (i = 0; fixed_name == NULL && i < name.n; i++) {
		c = name.p[i] == '-' ? '_' : upper(name.p[i]);
		if (put(e, &c, 1) == -1)
			return -1;
	}
	if (put(e, "=", 1) == -1)
		return -1;
	for (i = first; i < r->nheaders; i++) {
		if (!ws_str_ieq(r->headers[i].name, name))
			continue;
		if ((sep++ && put(e, ", ", 2) == -1) ||
		    put(e, r->headers[i].value.p, r->headers[i].value.n) == -1)
			return -1;
	}
	return entry_end(e, start);
}

/* Index of the first header named name, or nheaders. */
static size_t
header_first(const struct ws_request *r, struct ws_str name)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++)
		if (ws_str_ieq(r->headers[i].name, name))
			break;
	return i;
}

static int
add_headers(struct cgienv *e, const struct ws_request *r)
{
	size_t i;

	for (i = 0; i < r->nheaders; i++) {
		if (!header_name_ok(r->headers[i].name) ||
		    header_first(r, r->headers[i].name) != i)
			continue;
		if (add_joined(e, "HTTP_", NULL, r, i) == -1)
			return -1;
	}
	return 0;
}

/* WS_PROTOCOLS: every Sec-WebSocket-Protocol line, as HTTP_* has it. */
static int
add_protocols(struct cgienv *e, const struct ws_request *r)
{
	static const struct ws_str name = { "Sec-WebSocket-Protocol", 22 };
	size_t i = header_first(r, name);

	if (i == r->nheaders)
		return add_str(e, "WS_PROTOCOLS", "");
	return add_joined(e, "WS_PROTOCOLS", "", r, i);
}

/* Host is "name[:port]" or "[v6]:port": SERVER_NAME keeps IPv6
 * brackets, as RFC 3875 4.1.14 writes it. */
static void
host_split(struct ws_str host, struct ws_str *name, struct ws_str *port)
{
	const char *colon = NULL;
	size_t i = 0;

	if (host.n > 0 && host.p[0] == '[') {
		while (i < host.n && host.p[i] != ']')
			i++;
		i = i < host.n ? i + 1 : host.n;
	}
	for (; i < host.n && colon == NULL; i++)
		if (host.p[i] == ':')
			colon = host.p + i;
	*name = host;
	*port = (struct ws_str){ "", 0 };
	if (colon != NULL) {
		name->n = (size_t)(colon - host.p);
		*port = (struct ws_str){ colon + 1, host.n - name->n - 1 };
	}
}

static int
add_server(struct cgienv *e, const struct ws_request *r,
    const struct cgienv_facts *f)
{
	struct ws_str name, port;
	size_t start;

	host_split(r->host, &name, &port);
	if (name.n > 0) {
		if (add_ws(e, "SERVER_NAME", name) == -1)
			return -1;
	} else if (f->local_addr != NULL && strchr(f->local_addr, ':')) {
		if (entry_begin(e, &start) == -1 ||
		    put_str(e, "SERVER_NAME=[") == -1 ||
		    put_str(e, f->local_addr) == -1 || put(e, "]", 1) == -1 ||
		    entry_end(e, start) == -1)
			return -1;
	} else if (add_str(e, "SERVER_NAME", f->local_addr) == -1) {
		return -1;
	}
	if (f->local_port != NULL && f->local_port[0] != '\0')
		return add_str(e, "SERVER_PORT", f->local_port);
	return add_ws(e, "SERVER_PORT", port);
}

static int
add_request(struct cgienv *e, const struct ws_request *r,
    const struct cgienv_facts *f)
{
	struct ws_str path, query;

	cgienv_target_split(r->target, &path, &query);
	if (add_ws(e, "REQUEST_METHOD", r->method) == -1 ||
	    add_ws(e, "REQUEST_URI", r->target) == -1 ||
	    add_str(e, "SCRIPT_NAME", f->script_name) == -1 ||
	    add_str(e, "PATH_INFO", f->path_info) == -1 ||
	    add_ws(e, "QUERY_STRING", query) == -1)
		return -1;
	return 0;
}

static int
add_remote(struct cgienv *e, const struct cgienv_facts *f)
{
	const char *host = f->remote_host;

	if (host == NULL || host[0] == '\0')
		host = f->remote_addr;
	if (add_str(e, "REMOTE_ADDR", f->remote_addr) == -1 ||
	    add_str(e, "REMOTE_PORT", f->remote_port) == -1 ||
	    add_str(e, "REMOTE_HOST", host) == -1)
		return -1;
	return 0;
}

/* HTTPS, REQUEST_SCHEME and mod_ssl's SSL_* over TLS; the client
 * certificate's only when it sent one. */
static int
add_tls(struct cgienv *e, const struct cgienv_tls *t)
{
	if (t == NULL)
		return 0;
	if (add_str(e, "HTTPS", "on") == -1 ||
	    add_str(e, "REQUEST_SCHEME", "https") == -1 ||
	    add_str(e, "SSL_PROTOCOL", t->protocol) == -1 ||
	    add_str(e, "SSL_CIPHER", t->cipher) == -1 ||
	    add_str(e, "SSL_SESSION_RESUMED", t->resumed) == -1 ||
	    add_str(e, "SSL_CLIENT_VERIFY", t->verify) == -1)
		return -1;
	if (t->s_dn == NULL || t->s_dn[0] == '\0')
		return 0;
	if (add_str(e, "SSL_CLIENT_S_DN", t->s_dn) == -1 ||
	    add_str(e, "SSL_CLIENT_I_DN", t->i_dn) == -1 ||
	    add_str(e, "SSL_CLIENT_M_SERIAL", t->serial) == -1 ||
	    add_str(e, "SSL_CLIENT_SERIAL", t->serial) == -1 ||
	    add_str(e, "SSL_CLIENT_CERT_SHA256", t->cert_sha256) == -1)
		return -1;
	return 0;
}

static int
add_passed(struct cgienv *e, const struct cgienv_facts *f)
{
	const char *eq;
	size_t i, start;

	if (add_str(e, "PATH", f->path) == -1)
		return -1;
	for (i = 0; i < f->npass; i++) {
		eq = strchr(f->pass[i], '=');
		if (eq == NULL || !cgienv_passable(f->pass[i]) ||
		    cgienv_get(e, f->pass[i]) != NULL)
			continue;
		if (entry_begin(e, &start) == -1 ||
		    put_str(e, f->pass[i]) == -1 || entry_end(e, start) == -1)
			return -1;
	}
	return 0;
}

int
cgienv_build(struct cgienv *e, const struct ws_request *r,
    const struct cgienv_facts *f)
{
	if (add_str(e, "GATEWAY_INTERFACE", "CGI/1.1") == -1 ||
	    add_str(e, "SERVER_SOFTWARE", f->software) == -1 ||
	    add_str(e, "SERVER_PROTOCOL", "HTTP/1.1") == -1 ||
	    add_server(e, r, f) == -1 || add_request(e, r, f) == -1 ||
	    add_remote(e, f) == -1 || add_tls(e, f->tls) == -1 ||
	    add_str(e, "UNIQUE_ID", f->unique_id) == -1 ||
	    add_protocols(e, r) == -1 ||
	    add_str(e, "WS_PROTOCOL", f->protocol) == -1 ||
	    add_headers(e, r) == -1 || add_passed(e, f) == -1)
		return -1;
	return 0;
}

int
cgienv_passable(const char *name)
{
	size_t i, n = name_len(name);
	char c;

	if (n == 0 || (name[0] >= '0' && name[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++) {
		c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			(c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	/* systemd's hand-over is for wsinetd alone: a child seeing them
	 * would think the connection was passed to it. */
	return !(n > 7 && memcmp(name, "LISTEN_", 7) == 0);
}

static size_t
slen(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

size_t
cgienv_bytes(const struct ws_request *r, const struct cgienv_facts *f)
{
	size_t i, n = CGIENV_SLACK;

	n += r->method.n + 2 * r->target.n + 2 * r->host.n;
	/* Each header twice: HTTP_* and perhaps WS_PROTOCOLS. */
	for (i = 0; i < r->nheaders; i++)
		n += 2 * (r->headers[i].name.n + r->headers[i].value.n + 9);
	n += slen(f->software) + slen(f->path) + slen(f->remote_addr) +
	    slen(f->remote_port) + slen(f->remote_host) + slen(f->local_addr) +
	    slen(f->local_port) + slen(f->script_name) + slen(f->path_info) +
	    slen(f->unique_id) + slen(f->protocol);
	if (f->tls != NULL)
		n += slen(f->tls->protocol) + slen(f->tls->cipher) +
		    slen(f->tls->resumed) + slen(f->tls->verify) +
		    slen(f->tls->s_dn) + slen(f->tls->i_dn) +
		    2 * slen(f->tls->serial) + slen(f->tls->cert_sha256);
	for (i = 0; i < f->npass; i++)
		n += slen(f->pass[i]) + 1;
	return n;
}

size_t
cgienv_entries(const struct ws_request *r, const struct cgienv_facts *f)
{
	return CGIENV_FIXED + r->nheaders + f->npass;
}

/* ---- request paths ---- */

void
cgienv_target_split(struct ws_str target, struct ws_str *path,
    struct ws_str *query)
{
	const char *q =
	    target.p != NULL ? memchr(target.p, '?', target.n) : NULL;

	*path = target;
	*query = (struct ws_str){ "", 0 };
	if (q != NULL) {
		path->n = (size_t)(q - target.p);
		*query = (struct ws_str){ q + 1, target.n - path->n - 1 };
	}
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = upper(c);
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long
cgienv_path_decode(const char *p, size_t n, char *out, size_t cap)
{
	size_t i, len = 0;
	int hi, lo;
	char c;

	for (i = 0; i < n; i++) {
		c = p[i];
		if (c == '%') {
			if (n - i < 3 || (hi = hex_value(p[i + 1])) < 0 ||
			    (lo = hex_value(p[i + 2])) < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || len + 1 >= cap)
			return -1;
		out[len++] = c;
	}
	if (cap == 0)
		return -1;
	out[len] = '\0';
	return (long)len;
}

static int
refuse(const char **reason, const char *why)
{
	*reason = why;
	return -1;
}

int
cgienv_segment_next(struct ws_str *rest, char *seg, size_t cap,
    const char **reason)
{
	const char *slash;
	size_t n;
	long len;

	if (rest->n == 0)
		return 0;
	if (rest->p[0] != '/')
		return refuse(reason, "path does not start with '/'");
	slash = memchr(rest->p + 1, '/', rest->n - 1);
	n = slash != NULL ? (size_t)(slash - rest->p) - 1 : rest->n - 1;
	if (n == 0)
		return refuse(reason, "empty path segment");
	if (memchr(rest->p + 1, '\\', n) != NULL)
		return refuse(reason, "backslash in path");
	if ((len = cgienv_path_decode(rest->p + 1, n, seg, cap)) < 0)
		return refuse(reason, "malformed or overlong path segment");
	if (memchr(seg, '/', (size_t)len) != NULL ||
	    memchr(seg, '\\', (size_t)len) != NULL)
		return refuse(reason, "encoded slash in path");
	if (seg[0] == '.')
		return refuse(reason, "path segment starts with '.'");
	rest->p += n + 1;
	rest->n -= n + 1;
	return 1;
}

void
cgienv_hex(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}
