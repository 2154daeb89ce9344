/* SPDX-License-Identifier: ISC */
/*
 * The Accept=no fast path: wsinetd holds the listening socket, accepts
 * in a loop and forks one child per connection (no exec), so each client
 * still has a process of its own.
 */
#ifndef LISTENER_H
#define LISTENER_H

#include <stddef.h>
#include <sys/socket.h>

#include "jail.h"
#include "ws.h"

struct listener_opts {
	unsigned max_conns; /* live children at most; more get a 503 */
	int drain_ms; /* after SIGTERM, before the children get SIGTERM */
	/* --max-per-source: live connections per client address (IPv6: per
	 * /64), 0 for no bound; counted at accept by the socket's peer, or
	 * with per_source_in_child by each child (listener_source_claim)
	 * once its PROXY header says who the client is. */
	unsigned max_per_source;
	int per_source_in_child;
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

/* In a child: the peer's address as accept gave it, which holds even
 * when the peer has gone (a balancer's check that connects and resets
 * leaves getpeername nothing). 0, or -1 outside a listener's child. */
int listener_peer(struct sockaddr_storage *ss, socklen_t *len);
/* In a child, with per_source_in_child: counts the connection under
 * the client's address; 1 when that exceeds max_per_source (the caller
 * answers with listener_busy and ends). 0 elsewhere. */
int listener_source_claim(const struct ws_addr *a);
/* The 503 with Retry-After a refused connection gets, best effort and
 * without blocking, its input read to EOF; the fd stays open. */
void listener_busy(int fd);

#endif
