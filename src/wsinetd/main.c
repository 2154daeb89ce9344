/* SPDX-License-Identifier: ISC */
/*
 * wsinetd: serves one WebSocket connection handed over by inetd or
 * systemd, then exits; or, given a listening socket, one forked child
 * per connection (listener.c). main reads as what it does: the options
 * (args.c), finding the connection, choosing the service, running it,
 * the summary (summary.c) and the exit status.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "args.h"
#include "client.h"
#include "exits.h"
#include "jail.h"
#include "log.h"
#include "net.h"
#include "sd.h"
#include "summary.h"
#include "tls.h"

static struct config cfg;
/* Who is connected: the socket's peer, or whom a trusted balancer or
 * proxy names (client.c). */
static struct client client;
/* Bridge mode: which program and paths this connection's request
 * resolved to. Not in cfg, which the listener wrote and its children
 * share until they write: this the listener never touches. */
static struct cgi_target routed;

/* fd 0/1 from inetd, or the socket systemd passes with LISTEN_FDS: a
 * connection (Accept=yes), or a listening socket (Accept=no) to accept
 * on, returned in *lfd. */
static int
find_connection(int *rfd, int *wfd, int *lfd)
{
	int n, fd = SD_FIRST_FD;

	if ((n = sd_fds_passed()) < 0) {
		log_msg(LOG_ERR, "LISTEN_FDS: %s", strerror(-n));
		return -1;
	}
	if (n == 0) {
		*rfd = 0;
		*wfd = 1;
		return 0;
	}
	if (n > 1) {
		log_msg(LOG_ERR,
		    "systemd passed %d sockets; expected one "
		    "connection (Accept=yes) or one listening socket",
		    n);
		return -1;
	}
	if (sd_fd_is_stream(fd, 1)) {
		*lfd = fd;
		return 0;
	}
	if (!sd_fd_is_stream(fd, 0)) {
		log_msg(LOG_ERR,
		    "fd %d from systemd is not a connected stream "
		    "socket",
		    fd);
		return -1;
	}
	*rfd = *wfd = fd;
	return 0;
}

static void
reply(struct conn *c, const struct ws_reply *r, const uint8_t *data, size_t len)
{
	if (r->opcode == 0)
		return;
	conn_send(c, r->opcode, r->prefix, r->prefix_len,
	    r->with_payload ? data : NULL, r->with_payload ? len : 0);
}

/* At debug level: what was asked and what we chose. */
static void
log_request(const struct conn *c)
{
	const struct ws_request *r = &c->req;
	char target[200], origin[100], offered[100];

	if (!log_wants(LOG_DEBUG))
		return;
	log_clean(target, sizeof(target), r->target.p, r->target.n);
	log_clean(origin, sizeof(origin), r->origin.p, r->origin.n);
	log_clean(offered, sizeof(offered), r->protocols.p, r->protocols.n);
	log_msg(LOG_DEBUG,
	    "request GET %s, origin \"%s\", subprotocols offered \"%s\", "
	    "chosen \"%.*s\"",
	    target, r->origin.p ? origin : "(none)", offered,
	    (int)c->protocol.n, c->protocol.p);
}

static void
on_open(struct conn *c)
{
	struct ws_reply r;

	log_request(c);
	ws_service_open(cfg.service, &r);
	reply(c, &r, NULL, 0);
}

static void
on_message(struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	struct ws_reply r;

	ws_service_message(cfg.service, opcode, &r);
	reply(c, &r, data, len);
}

/* Before the 101: the client a trusted proxy names, then in bridge
 * mode which program and which paths. */
static int
check_request(const struct ws_request *r, const char **reason)
{
	client_forwarded(&client, r, &cfg.front);
	if (cfg.bridge.argv == NULL)
		return 0;
	return cgi_resolve(&cfg.cgi, r, &routed, reason);
}

/* WS_PROTOCOL is the subprotocol chosen from --protocol, if any. */
static char **
program_environ(struct conn *c, const char **why)
{
	struct cgi_opts o = cfg.cgi;
	char protocol[256];

	snprintf(protocol, sizeof(protocol), "%.*s", (int)c->protocol.n,
	    c->protocol.p ? c->protocol.p : "");
	o.remote_addr = client.replaced ? client.host : NULL;
	o.remote_port = client.port_text;
	return cgi_environ(&c->req, c->rfd, c->tls, &o, &routed, protocol, why);
}

static int
jail_service(const struct conn *c)
{
	/* --static reads files beneath its directory; nothing else. */
	struct jail j = { .mode = JAIL_SERVICE,
		.max_message = c->o.max_message,
		.read_dirfd = cfg.web.dirfd,
		.peek = cfg.front.proxy_on };
	char err[160];

	if (cfg.no_sandbox || jail_enter(&j, err, sizeof(err)) == 0)
		return 0;
	log_msg(LOG_ERR, "%s", err);
	return -1;
}

/* Behind a balancer: the PROXY header (within the handshake timeout,
 * which started with the connection), then the count per source when
 * it is by the address the header gave. 0, or the exit status of a
 * refusal, logged. */
static int
front_check(const struct conn *c, int fd)
{
	long long deadline =
	    c->o.handshake_ms ? c->hs_start_ms + c->o.handshake_ms : 0;
	int status;

	if (cfg.front.proxy_on &&
	    (status = client_proxy(&client, fd, &cfg.front, deadline)) != 0)
		return status;
	if (client.known && listener_source_claim(&client.addr)) {
		log_msg(LOG_WARNING,
		    "%s refused: 503, over %u connections from %s", client.name,
		    cfg.listener.max_per_source,
		    client.addr.family == 6 ? "its /64" : "this address");
		listener_busy(fd);
		return EXIT_HANDSHAKE;
	}
	return 0;
}

/* One connection, start to end, in this process; returns the status. */
static int
serve_fds(int rfd, int wfd)
{
	static const struct conn_handler handler = { .open = on_open,
		.message = on_message };
	const struct conn_handler *h = &handler;
	/* The connection's own copies: under a listener, a write to cfg
	 * would copy its pages into this process. */
	struct static_opts web = cfg.web;
	struct bridge_opts bo = cfg.bridge;
	struct bridge b;
	struct conn c;
	char program[32] = "";
	const char *peer = client.name;
	struct sockaddr_storage ss;
	socklen_t len;
	int status;

	net_nodelay(wfd);
	/* A listener's child has its peer from accept already. */
	if (listener_peer(&ss, &len) == 0)
		client_from_addr(&client, &ss, len);
	else
		client_from_fd(&client, rfd);
	bo.peer = web.peer = peer;
	if (cfg.conn.http_request != NULL)
		static_use(&web);
	if (cfg.bridge.argv && bridge_init(&b, &bo) == -1) {
		log_msg(LOG_ERR, "%s bridge: %s", peer, strerror(errno));
		return EXIT_SYSTEM;
	}
	if (cfg.bridge.argv)
		h = &bridge_handler;
	if (conn_init(&c, rfd, wfd, &cfg.conn, h, &b) == -1) {
		log_msg(LOG_ERR, "%s out of memory", peer);
		return EXIT_SYSTEM;
	}
	/* hello and echo: jailed before a byte of the request is read; the
	 * bridge jails itself once its program runs. */
	if (!cfg.bridge.argv && jail_service(&c) == -1) {
		conn_free(&c);
		return EXIT_SYSTEM;
	}
	if ((status = front_check(&c, rfd)) != 0) {
		conn_free(&c);
		return status;
	}
	status = conn_run(&c);
	if (cfg.bridge.argv) {
		bridge_finish(&b, &c);
		bridge_describe(&b, program, sizeof(program));
		bridge_free(&b);
	}
	/* haproxy checks a send-proxy-v2 server with a LOCAL header and a
	 * reset, every few seconds: no summary at warning for each. */
	if (client.own_header && c.bytes_in == 0)
		log_msg(LOG_DEBUG, "%s: a balancer's check, no request", peer);
	else
		summary_log(&c, status, peer, program);
	conn_free(&c);
	return status;
}

/* A connection the listener accepted, in the child forked for it. */
static int
serve_socket(int fd)
{
	return serve_fds(fd, fd);
}

/* With --tls-cert: certificate, key, CAs and ticket keys read, the
 * context built and the random generator seeded, once, before any
 * connection; a listener's children inherit it and so share its ticket
 * keys even without --tls-ticket-keys. */
static int
tls_prepare(int listening)
{
	char err[512];

	if (cfg.tls.cert == NULL)
		return 0;
	cfg.tls.tickets = listening;
	if ((cfg.conn.tls_ctx = tls_server_ctx(&cfg.tls, err, sizeof(err))) ==
	    NULL) {
		log_msg(LOG_ERR, "TLS: %s", err);
		return -1;
	}
	return 0;
}

/* SIGHUP in a listener: certificate, key, CAs and ticket keys read
 * again into a new context for the connections to come; live ones keep
 * the copy of the old one they were forked with. A failure keeps it. */
static void
reload(void)
{
	struct ssl_ctx_st *ctx;
	char err[512];

	if (cfg.tls.cert == NULL) {
		log_msg(LOG_NOTICE,
		    "SIGHUP: nothing to reload without --tls-cert");
		return;
	}
	if ((ctx = tls_server_ctx(&cfg.tls, err, sizeof(err))) == NULL) {
		log_msg(LOG_ERR,
		    "SIGHUP: TLS: %s; kept the old certificate and keys", err);
		return;
	}
	tls_ticket_keys_keep(ctx, cfg.conn.tls_ctx);
	tls_ctx_free(cfg.conn.tls_ctx);
	cfg.conn.tls_ctx = ctx;
	log_msg(LOG_NOTICE, "SIGHUP: TLS certificate and keys reloaded");
}

/* A bridge's children exec programs, which would inherit its jail, and a
 * TLS listener reads its certificate, key and ticket keys again on
 * SIGHUP: the listener jails itself only for plain hello and echo. Its
 * children jail themselves in every mode but the bridge's. */
static int
listen_on(int lfd)
{
	static struct jail j = { .mode = JAIL_LISTENER };

	j.read_dirfd = cfg.web.dirfd;
	j.peek = cfg.front.proxy_on;

	if (!cfg.no_sandbox && !cfg.bridge.argv && cfg.tls.cert == NULL)
		cfg.listener.jail = &j;
	log_init("wsinetd", 1, lfd, lfd);
	return listener_run(lfd, &cfg.listener, serve_socket, reload);
}

int
main(int argc, char **argv)
{
	char err[160];
	int rfd = -1, wfd = -1, lfd = -1;

	signal(SIGPIPE, SIG_IGN);
	log_init("wsinetd", 1, 0, 1);
	args_parse(argc, argv, &cfg);
	cfg.bridge.environ = program_environ;
	cfg.dir_argv[0] = routed.rt.program;
	if (cfg.bridge.argv)
		bridge_prepare(); /* once, not in each listener child */
	if (cfg.bridge.argv || cfg.front.fwd_on)
		cfg.conn.check_request = check_request;
	if (cfg.listen_spec != NULL) {
		/* Once the port listens, SIGHUP means reload, and it may come
		 * before the listener's signalfd is there: not a reason to
		 * die. listener_run takes it from then on. */
		signal(SIGHUP, SIG_IGN);
		lfd = listener_open(cfg.listen_spec, err, sizeof(err));
		if (lfd == -2)
			args_usage_error("%s", err);
		if (lfd == -1) {
			log_msg(LOG_ERR, "%s", err);
			return EXIT_SYSTEM;
		}
	} else if (find_connection(&rfd, &wfd, &lfd) == -1) {
		return EXIT_SYSTEM;
	}
	if (tls_prepare(lfd >= 0) == -1)
		return EXIT_TLS;
	if (lfd >= 0)
		return listen_on(lfd);
	if (cfg.listener.max_per_source)
		log_msg(LOG_WARNING,
		    "--max-per-source counts for a listening socket only "
		    "(Accept=no, --listen); for Accept=yes, systemd's "
		    "MaxConnectionsPerSource= does it");
	/* Here, not in serve_fds: a listener's child logs where the
	 * listener found to log, and its own log_init would write the page
	 * of .bss that holds the log's state for nothing. Fds 0 and 1 (inetd)
	 * were looked at already, above. */
	if (rfd != 0 || wfd != 1)
		log_init("wsinetd", 1, rfd, wfd);
	return serve_fds(rfd, wfd);
}
