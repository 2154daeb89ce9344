/* SPDX-License-Identifier: ISC */
/*
 * wsinetd's command line: the option table, its parsing and checks, and
 * the configuration they fill in. Nothing here touches a connection.
 */
#ifndef ARGS_H
#define ARGS_H

#include "bridge.h"
#include "cgi.h"
#include "client.h"
#include "engine.h"
#include "listener.h"
#include "static.h"
#include "tls.h"

/* Extra 101 headers: a handful is all a deployment needs. */
#define MAX_EXTRA_HEADERS 32

struct config {
	enum ws_service service;
	struct conn_opts conn;
	const char *listen_spec; /* --listen, or NULL */
	struct listener_opts listener;
	/* Same-origin unless --origin says otherwise: wsinetd(8), SECURITY. */
	struct ws_policy policy;
	const char *headers[MAX_EXTRA_HEADERS];
	/* Bridge mode: the program after "--", its framing, kill timeout;
	 * bridge.argv is NULL without one. */
	struct bridge_opts bridge;
	/* The program's environment and, with --dir, which program it is:
	 * dir_argv runs what the request resolved to (main.c). */
	struct cgi_opts cgi;
	char *dir_argv[2];
	/* Plain HTTP beside the upgrades: --static DIR, --console. */
	struct static_opts web;
	/* TLS with --tls-cert; tls.cert is NULL without it. */
	struct tls_server_opts tls;
	int no_sandbox; /* --no-sandbox: no self-jail (jail.h) */
	/* Behind a balancer or proxy: --proxy-protocol, --trust-forwarded,
	 * --forwarded-header. */
	struct front_opts front;
	/* Last, being 12 KiB that only --dir writes: the fields above, set
	 * by every process, then share one page. */
	struct cgi_target routed;
};

/* Fills in cfg, which comes zeroed (main's is static: clearing its
 * 16 KiB again would write four pages no connection needs), from the
 * command line, defaults first; on a bad one logs
 * why and exits with EXIT_USAGE; -h and -V print and exit 0. */
void args_parse(int argc, char **argv, struct config *cfg);
/* Complains about the command line where the log goes (never to an
 * inetd client) and exits with EXIT_USAGE. */
void args_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
