/* SPDX-License-Identifier: ISC */
/*
 * Who the client is behind a balancer or proxy we trust: the socket's
 * peer, replaced by the PROXY header's source (--proxy-protocol) or by
 * the hop our proxies name in X-Forwarded-For or Forwarded
 * (--trust-forwarded). What the log lines, the journal and a bridged
 * program's REMOTE_ADDR then show.
 */
#ifndef CLIENT_H
#define CLIENT_H

#include <arpa/inet.h>
#include <stdint.h>

#include "ws.h"

struct front_opts {
	int proxy_on; /* --proxy-protocol: from proxy_from, required */
	struct ws_trust proxy_from;
	int fwd_on; /* --trust-forwarded: believed from fwd_from */
	struct ws_trust fwd_from;
	enum ws_fwd_header fwd_header; /* --forwarded-header */
};

struct client {
	int known; /* addr and port hold an IP peer */
	struct ws_addr addr;
	uint16_t port;
	/* "ADDR:PORT" or "[ADDR]:PORT" for log lines, as net_peer_name */
	char name[80];
	/* REMOTE_ADDR and REMOTE_PORT once replaced (replaced set) */
	int replaced;
	char host[INET6_ADDRSTRLEN], port_text[6];
};

/* The socket's peer. */
void client_from_fd(struct client *c, int fd);
/* The peer, as accept gave it. */
void client_from_addr(struct client *c, const struct sockaddr_storage *ss,
    socklen_t len);
/* With --proxy-protocol: the header from a trusted peer, which must
 * send one, within deadline_ms; from any other, a PROXY header is
 * refused and anything else served as usual. 0 to go on; else the
 * exit status (refused 4, timed out 6, lost 8), logged. */
int client_proxy(struct client *c, int fd, const struct front_opts *o,
    long long deadline_ms);
/* With --trust-forwarded: the upgrade request's forwarded header when
 * the peer (as PROXY left it) is trusted. Never refuses: a header it
 * cannot believe is logged and the peer stands. */
void client_forwarded(struct client *c, const struct ws_request *r,
    const struct front_opts *o);

#endif
