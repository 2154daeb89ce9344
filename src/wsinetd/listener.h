/* SPDX-License-Identifier: ISC */
/*
 * The Accept=no fast path: wsinetd holds the listening socket, accepts
 * in a loop and forks one child per connection (no exec), so each client
 * still has a process of its own.
 */
#ifndef LISTENER_H
#define LISTENER_H

#include <stddef.h>

#include "jail.h"

struct listener_opts {
	unsigned max_conns; /* live children at most; more get a 503 */
	int drain_ms; /* after SIGTERM, before the children get SIGTERM */
	/* The listener's own jail once it is set up (JAIL_LISTENER), or
	 * NULL; each child jails itself further. */
	const struct jail *jail;
};

/* A listening TCP socket on "ADDR:PORT" or "[ADDR]:PORT" (numeric
 * addresses only). Returns the fd, or with a reason in err -2 when spec
 * is malformed and -1 when the socket cannot be set up. */
int listener_open(const char *spec, char *err, size_t errcap);
/* Accepts on lfd until SIGTERM or SIGINT, running serve(fd) in a child
 * for each connection; the child exits with what serve returns. On
 * SIGHUP it calls reload(), whose work the next children inherit. Then
 * waits drain_ms for live connections, terminates what is left and
 * returns the exit status: EXIT_OK when every connection finished by
 * itself, EXIT_TIMEOUT when some had to be terminated, EXIT_SYSTEM on
 * failure. */
int listener_run(int lfd, const struct listener_opts *o, int (*serve)(int fd),
    void (*reload)(void));

#endif
