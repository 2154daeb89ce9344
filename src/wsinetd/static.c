/* SPDX-License-Identifier: ISC */
/*
 * --static and --console: answers the requests that are plain HTTP. Files
 * under DIR are found by route_file (openat from DIR's descriptor, no
 * links, no dot-files) and sent by the engine (sendfile, or through TLS);
 * the console's files live in the binary. Heads come from the core
 * (httpfile.c). Upgrade requests never come here.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "log.h"
#include "route.h"
#include "static.h"

#define INDEX "index.html"
/* Longest Location a redirect sends; a longer target gets 404. */
#define LOCATION_MAX 2048

static const struct static_opts *so;

/* Methods are case-sensitive (RFC 9110 9.1). */
static int
is(struct ws_str s, const char *t)
{
	return s.n == strlen(t) && memcmp(s.p, t, s.n) == 0;
}

void
static_use(const struct static_opts *o)
{
	so = o;
}

/* One line per request: what was asked and how it was answered. */
static void
log_answer(const struct ws_request *r, int status, const char *detail)
{
	char target[200];

	log_clean(target, sizeof(target), r->target.p, r->target.n);
	log_msg(status < 400 ? LOG_INFO : LOG_NOTICE, "%s %.*s %s: %d %s%s%s",
	    so->peer, (int)(r->method.n > 16 ? 16 : r->method.n), r->method.p,
	    target, status, ws_status_text(status), detail[0] ? ", " : "",
	    detail);
}

/* The head, then the bytes of body unless the request is HEAD. */
static int
queue(struct conn *c, const struct ws_request *r, const struct ws_http_head *h,
    const char *body)
{
	char head[1024 + LOCATION_MAX];
	size_t n = ws_http_head(head, sizeof(head), h);

	if (n == 0 || conn_http_queue(c, head, n) == -1)
		return -1;
	if (body == NULL || h->status == 304 || is(r->method, "HEAD"))
		return 0;
	return conn_http_queue(c, body, (size_t)h->length);
}

/* An answer whose body is its status in a line of text, no detail. */
static int
text_answer(struct conn *c, const struct ws_request *r, int status, int keep,
    const char *location, const char *why)
{
	char body[64];
	struct ws_http_head h = { status, "text/plain; charset=utf-8", 0, NULL,
		-1, time(NULL), keep, location };

	h.length = (uint64_t)snprintf(body, sizeof(body), "%s\n",
	    ws_status_text(status));
	log_answer(r, status, why);
	queue(c, r, &h, body);
	return keep;
}

/* 400, 404, 405. */
static int
refuse(struct conn *c, const struct ws_request *r, int status, int keep,
    const char *why)
{
	return text_answer(c, r, status, keep, NULL, why);
}

/* A directory named without its '/' (path, the target less its query):
 * 301 to the name with one and the query kept, as nginx answers, so that
 * the relative links of its index resolve inside it. route_file walked
 * the path as checked segments, so the Location starts with one '/' and
 * a name, never "//" or a scheme: it cannot point at another host. */
static int
redirect(struct conn *c, const struct ws_request *r, struct ws_str path,
    int keep)
{
	char location[LOCATION_MAX];
	struct ws_str query = { path.p + path.n, r->target.n - path.n };

	if (r->target.n + 2 > sizeof(location))
		return refuse(c, r, 404, keep, "too long to redirect");
	snprintf(location, sizeof(location), "%.*s/%.*s", (int)path.n, path.p,
	    (int)query.n, query.p);
	return text_answer(c, r, 301, keep, location, "");
}

static int
from_console(struct conn *c, const struct ws_request *r, struct ws_str path,
    int keep)
{
	const struct console_file *f = NULL;
	struct ws_http_head h = { 200, NULL, 0, NULL, -1, time(NULL), keep,
		NULL };
	unsigned i;

	if (path.n == 1)
		path = (struct ws_str){ "/" INDEX, strlen("/" INDEX) };
	for (i = 0; i < console_nfiles && f == NULL; i++)
		if (strlen(console_files[i].path) == path.n &&
		    memcmp(console_files[i].path, path.p, path.n) == 0)
			f = &console_files[i];
	if (f == NULL)
		return refuse(c, r, 404, keep, "not part of the console");
	h.etag = f->etag;
	h.type = ws_mime_type(f->path);
	h.length = f->len;
	if (ws_http_not_modified(r, f->etag, -1))
		h.status = 304;
	log_answer(r, h.status, "");
	queue(c, r, &h, f->data);
	return keep;
}

static int
from_dir(struct conn *c, const struct ws_request *r, struct ws_str path,
    int keep)
{
	char etag[WS_ETAG_MAX], name[3 * ROUTE_SEGMENT_MAX + 1];
	struct ws_http_head h = { 200, NULL, 0, etag, 0, time(NULL), keep,
		NULL };
	const char *reason, *last;
	struct stat st;
	int fd, indexed;

	fd = route_file(so->dirfd, path, INDEX, &st, &indexed, &reason);
	if (fd == ROUTE_SLASHLESS)
		return redirect(c, r, path, keep);
	if (fd == -1)
		return refuse(c, r, 404, keep, reason);
	/* The type goes by the last segment as sent: route_file found it
	 * to be at most a file name long once decoded. */
	last = memrchr(path.p, '/', path.n);
	snprintf(name, sizeof(name), "%.*s",
	    (int)(path.n - (size_t)(last - path.p)), last);
	h.type = ws_mime_type(indexed ? INDEX : name);
	h.length = (uint64_t)st.st_size;
	h.mtime = (int64_t)st.st_mtim.tv_sec;
	ws_etag(etag, h.length, h.mtime);
	if (ws_http_not_modified(r, etag, h.mtime))
		h.status = 304;
	log_answer(r, h.status, "");
	if (queue(c, r, &h, NULL) == -1 || h.status == 304 ||
	    is(r->method, "HEAD"))
		close(fd);
	else
		conn_http_file(c, fd, h.length);
	return keep;
}

int
static_request(struct conn *c, const struct ws_request *r)
{
	int keep =
	    ws_http_keep_alive(r) && c->http_served < STATIC_MAX_REQUESTS;
	struct ws_str path = r->target;
	const char *q;

	if (!is(r->method, "GET") && !is(r->method, "HEAD"))
		return refuse(c, r, 405, keep, "only GET and HEAD");
	if ((q = memchr(path.p, '?', path.n)) != NULL)
		path.n = (size_t)(q - path.p);
	if (path.n == 0 || path.p[0] != '/')
		return refuse(c, r, 400, 0, "the target is not a path");
	if (so->console)
		return from_console(c, r, path, keep);
	return from_dir(c, r, path, keep);
}
