/* SPDX-License-Identifier: ISC */
/*
 * --static DIR and --console: plain HTTP/1.1 GET and HEAD on the
 * WebSocket's own port, for requests that ask for no upgrade.
 */
#ifndef STATIC_H
#define STATIC_H

#include "engine.h"

/* Requests answered on one connection before it is closed. */
#define STATIC_MAX_REQUESTS 32

struct static_opts {
	const char *dir; /* --static, or NULL */
	int dirfd; /* route_open(dir), opened at start-up */
	int console; /* --console */
	const char *peer; /* for the log */
};

/* The engine's http_request hook (engine.h), answering from o, which
 * static_use names and which must outlive the connection. */
void static_use(const struct static_opts *o);
int static_request(struct conn *c, const struct ws_request *r);

#endif
