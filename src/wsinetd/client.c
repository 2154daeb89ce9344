/* SPDX-License-Identifier: ISC */
/*
 * The client's address behind a balancer or proxy: what the PROXY
 * header or a trusted proxy's forwarded header says replaces the peer's
 * address in the name every later log line uses and in REMOTE_ADDR.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "exits.h"
#include "log.h"
#include "net.h"
#include "proxyin.h"

void
client_from_fd(struct client *c, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	/* One getpeername for the name and the address: a plain session
	 * makes no more calls than before. */
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == -1) {
		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "-");
		return;
	}
	client_from_addr(c, &ss, len);
}

void
client_from_addr(struct client *c, const struct sockaddr_storage *ss,
    socklen_t len)
{
	memset(c, 0, sizeof(*c));
	net_addr_name(ss, len, c->name, sizeof(c->name));
	c->known = net_ws_addr(ss, &c->addr, &c->port);
}

/* The new address in every form the rest of the process shows. */
static void
replace(struct client *c, const struct ws_addr *a, uint16_t port)
{
	c->addr = *a;
	ws_addr_unmap(&c->addr);
	c->port = port;
	c->known = c->replaced = 1;
	inet_ntop(c->addr.family == 4 ? AF_INET : AF_INET6, c->addr.a, c->host,
	    sizeof(c->host));
	snprintf(c->port_text, sizeof(c->port_text), "%u", port);
	snprintf(c->name, sizeof(c->name),
	    c->addr.family == 6 ? "[%s]:%u" : "%s:%u", c->host, port);
}

/* A failed header's exit status: as a refused, timed out or lost
 * handshake would end. */
static int
proxy_status(enum proxyin_result r)
{
	switch (r) {
	case PROXYIN_REFUSED:
		return EXIT_HANDSHAKE;
	case PROXYIN_TIMEOUT:
		return EXIT_TIMEOUT;
	default:
		return EXIT_LOST;
	}
}

static const char *
proxy_failure(enum proxyin_result r, const struct ws_proxy *p)
{
	switch (r) {
	case PROXYIN_REFUSED:
		return p->reason;
	case PROXYIN_TIMEOUT:
		return "handshake timeout before the PROXY header was whole";
	case PROXYIN_CLOSED:
		return "closed before the PROXY header was whole";
	default:
		return "read error before the PROXY header";
	}
}

int
client_proxy(struct client *c, int fd, const struct front_opts *o,
    long long deadline_ms)
{
	char via[sizeof(c->name)];
	enum proxyin_result r;
	struct ws_proxy p;

	if (!c->known || !ws_trust_match(&o->proxy_from, &c->addr)) {
		if (!proxyin_sniff(fd, deadline_ms))
			return 0;
		log_msg(LOG_WARNING,
		    "%s refused: a PROXY header from a source not in "
		    "--proxy-protocol",
		    c->name);
		return EXIT_HANDSHAKE;
	}
	if ((r = proxyin_read(fd, deadline_ms, &p)) != PROXYIN_OK) {
		log_msg(LOG_WARNING, "%s refused: %s", c->name,
		    proxy_failure(r, &p));
		return proxy_status(r);
	}
	if (p.kind != WS_PROXY_CLIENT) {
		c->own_header = 1;
		log_msg(LOG_DEBUG, "%s: PROXY header for itself (v%d)", c->name,
		    p.version);
		return 0;
	}
	memcpy(via, c->name, sizeof(via));
	replace(c, &p.src, p.sport);
	log_msg(LOG_DEBUG, "%s: client by the PROXY v%d header of %s", c->name,
	    p.version, via);
	return 0;
}

void
client_forwarded(struct client *c, const struct ws_request *r,
    const struct front_opts *o)
{
	const char *header =
	    o->fwd_header == WS_FWD_FORWARDED ? "Forwarded" : "X-Forwarded-For";
	const char *reason = "";
	char via[sizeof(c->name)];
	struct ws_addr a;
	uint16_t port;
	int got;

	if (!o->fwd_on || !c->known || !ws_trust_match(&o->fwd_from, &c->addr))
		return;
	got = ws_forwarded_client(r, o->fwd_header, &o->fwd_from, &a, &port,
	    &reason);
	if (got == -1)
		log_msg(LOG_WARNING, "%s: %s ignored: %s", c->name, header,
		    reason);
	if (got != 1)
		return;
	memcpy(via, c->name, sizeof(via));
	replace(c, &a, port);
	log_msg(LOG_DEBUG, "%s: client by the %s of %s", c->name, header, via);
}
