/* SPDX-License-Identifier: ISC */
/*
 * The facts a bridged program's environment is made of, gathered from
 * the connection and wsinetd's own environment: addresses, an optional
 * reverse lookup, a random UNIQUE_ID, PATH and --passenv. cgienv.c turns
 * them into the environment.
 */
#ifndef CGI_H
#define CGI_H

#include "route.h"
#include "ws.h"

/* A reverse lookup that takes longer is abandoned for the address. */
#define CGI_LOOKUP_MS 2000
/* PATH when wsinetd has none: what a login shell would have. */
#define CGI_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

struct cgi_opts {
	int reverse_lookup; /* --reverse-lookup */
	const char *passenv; /* --passenv NAME,... or NULL */
	const char *dir; /* --dir, or NULL for one program */
	int dirfd; /* route_open(dir) */
	/* The client's address and port when a balancer or proxy named it
	 * (client.h); NULL: the socket's peer. */
	const char *remote_addr, *remote_port;
};

/* What a request resolved to: the program (--dir) and the paths. */
struct cgi_target {
	struct route rt;
	char why[160]; /* a refusal's reason, with the path */
};

/* Checks a --passenv list. Returns NULL when every name may be passed,
 * else the first name that may not (in a static buffer). */
const char *cgi_passenv_bad(const char *list);
/* Resolves request r: with --dir, the program under it (404 when there
 * is none or the path is refused); otherwise PATH_INFO is the decoded
 * path (400 when it does not decode). Returns 0 or that status, with
 * *reason set. */
int cgi_resolve(const struct cgi_opts *o, const struct ws_request *r,
    struct cgi_target *t, const char **reason);
struct ssl_st;

/* The child's environment for request r on connection fd, resolved into
 * t, as one allocation (free() the result). protocol is the chosen
 * subprotocol or NULL; tls the connection's TLS, or NULL. Returns NULL
 * with *reason set on failure. */
char **cgi_environ(const struct ws_request *r, int fd, struct ssl_st *tls,
    const struct cgi_opts *o, const struct cgi_target *t, const char *protocol,
    const char **reason);

#endif
