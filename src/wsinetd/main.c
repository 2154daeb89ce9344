/* SPDX-License-Identifier: ISC */
/*
 * wsinetd: serves one WebSocket connection handed over by inetd or
 * systemd, then exits; or, given a listening socket, one forked child
 * per connection (listener.c). main only: options, finding the
 * connection, choosing the service, the summary log line and the exit
 * status.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge.h"
#include "cgi.h"
#include "engine.h"
#include "exits.h"
#include "listener.h"
#include "log.h"
#include "net.h"
#include "opt.h"
#include "sd.h"
#include "summary.h"

static const char USAGE[] =
    "usage: wsinetd [-e] [--max-message BYTES] [--max-header BYTES]\n"
    "               [--max-frames N] [--handshake-timeout SECS]\n"
    "               [--idle-timeout SECS] [--close-timeout SECS]\n"
    "               [--ping-interval SECS] [--listen ADDR:PORT]\n"
    "               [--max-connections N] [--drain-timeout SECS]\n"
    "               [--origin LIST] [--same-origin] [--protocol LIST]\n"
    "               [--require-protocol] [-H 'Name: value']...\n"
    "               [--log-level LEVEL]\n"
    "       wsinetd [options] [--binary | --framing line|nul|len32]\n"
    "               [--kill-timeout SECS] [--passenv NAME,...]\n"
    "               [--reverse-lookup] -- PROGRAM [ARG...] | --dir DIR\n"
    "       wsinetd -h | -V\n";

static const char HELP[] =
    "Serve one WebSocket (RFC 6455) connection on stdin/stdout, as inetd\n"
    "or systemd socket activation (Accept=yes) starts it; or accept on a\n"
    "listening socket, one process per connection.\n"
    "\n"
    "  -e, --echo                 echo every message back (no welcome)\n"
    "      --max-message BYTES    largest message (default 1M; k, m, g)\n"
    "      --max-header BYTES     largest request header (default 8k)\n"
    "      --max-frames N         frames per message (default: one per\n"
    "                             64 bytes of --max-message)\n"
    "      --handshake-timeout S  time allowed for the request (default 10)\n"
    "      --idle-timeout S       close after S idle seconds (default 0: off)\n"
    "      --close-timeout S      wait for the peer's close (default 5)\n"
    "      --ping-interval S      ping every S seconds; no pong by the next\n"
    "                             ping closes with 1011 (default 0: off)\n"
    "      --listen ADDR:PORT     listen and fork one process per connection\n"
    "                             (IPv6 as [ADDR]:PORT); systemd's Accept=no\n"
    "                             socket in LISTEN_FDS does the same\n"
    "      --max-connections N    with a listening socket: connections at\n"
    "                             once; more get 503 (default 256)\n"
    "      --drain-timeout S      on SIGTERM, time live connections get to\n"
    "                             finish before they are ended (default 10)\n"
    "      --origin LIST          accept these origins (comma-separated\n"
    "                             scheme://host[:port], null, or *)\n"
    "      --same-origin          accept an Origin naming the Host too\n"
    "                             (the default when --origin is not given)\n"
    "      --protocol LIST        subprotocols we speak, preferred first\n"
    "      --require-protocol     refuse (400) a client offering none of them\n"
    "  -H, --header 'N: V'        add a header to the 101 answer; repeatable\n"
    "      --log-level LEVEL      err, warning, notice, info (default), debug\n"
    "  -h, --help                 show this help\n"
    "  -V, --version              show the version\n"
    "\n"
    "Bridge mode, -- PROGRAM [ARG...] or --dir DIR (BRIDGE MODE in wsinetd(8)):\n"
    "      --binary               stdout chunks as binary messages, and\n"
    "                             messages to stdin as they are\n"
    "      --framing F            line (default: a text message per line),\n"
    "                             nul (text messages ended by NUL bytes),\n"
    "                             len32 (4-byte length, type byte, payload)\n"
    "      --kill-timeout S       after the connection, wait S for the\n"
    "                             program, then SIGTERM, S more, SIGKILL\n"
    "                             (default 5)\n"
    "      --dir DIR              the request path picks the program: an\n"
    "                             executable file under DIR (else 404)\n"
    "      --passenv NAME,...     pass these variables of ours on to the\n"
    "                             program (PATH always; LISTEN_* never)\n"
    "      --reverse-lookup       REMOTE_HOST from DNS (bounded: 2 s)\n"
    "\n"
    "Without -e it runs the hello service: it sends \"Welcome to the\n"
    "WebSocket server!\" and answers each text message M with \"You said: M\".\n"
    "Requests without Origin (not from a browser) pass the origin policy.\n"
    "See wsinetd(8).\n";

enum {
	OPT_MAX_MESSAGE = 256,
	OPT_MAX_HEADER,
	OPT_HANDSHAKE_TIMEOUT,
	OPT_IDLE_TIMEOUT,
	OPT_CLOSE_TIMEOUT,
	OPT_PING_INTERVAL,
	OPT_LISTEN,
	OPT_MAX_CONNECTIONS,
	OPT_DRAIN_TIMEOUT,
	OPT_MAX_FRAMES,
	OPT_ORIGIN,
	OPT_SAME_ORIGIN,
	OPT_PROTOCOL,
	OPT_REQUIRE_PROTOCOL,
	OPT_LOG_LEVEL,
	OPT_BINARY,
	OPT_FRAMING,
	OPT_KILL_TIMEOUT,
	OPT_DIR,
	OPT_PASSENV,
	OPT_REVERSE_LOOKUP,
};

static const struct option LONGOPTS[] = {
	{ "echo", no_argument, NULL, 'e' },
	{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
	{ "max-header", required_argument, NULL, OPT_MAX_HEADER },
	{ "handshake-timeout", required_argument, NULL, OPT_HANDSHAKE_TIMEOUT },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "close-timeout", required_argument, NULL, OPT_CLOSE_TIMEOUT },
	{ "ping-interval", required_argument, NULL, OPT_PING_INTERVAL },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONNECTIONS },
	{ "drain-timeout", required_argument, NULL, OPT_DRAIN_TIMEOUT },
	{ "max-frames", required_argument, NULL, OPT_MAX_FRAMES },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "same-origin", no_argument, NULL, OPT_SAME_ORIGIN },
	{ "protocol", required_argument, NULL, OPT_PROTOCOL },
	{ "require-protocol", no_argument, NULL, OPT_REQUIRE_PROTOCOL },
	{ "header", required_argument, NULL, 'H' },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "binary", no_argument, NULL, OPT_BINARY },
	{ "framing", required_argument, NULL, OPT_FRAMING },
	{ "kill-timeout", required_argument, NULL, OPT_KILL_TIMEOUT },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "passenv", required_argument, NULL, OPT_PASSENV },
	{ "reverse-lookup", no_argument, NULL, OPT_REVERSE_LOOKUP },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* A message may not exceed what a 64-bit frame length and our buffers
 * can hold; 1 GiB is far beyond any sane service. */
#define MAX_MESSAGE_LIMIT (1ULL << 30)
#define MAX_HEADER_LIMIT (1ULL << 20)
/* One process each: beyond this the machine, not the option, is the
 * limit. */
#define MAX_CONNECTIONS_LIMIT 65536

static enum ws_service service = WS_SERVICE_HELLO;
static struct conn_opts opts = { .role = WS_ROLE_SERVER,
	.handshake_ms = 10000,
	.close_ms = 5000 };
static const char *listen_spec;
static struct listener_opts lopts = { .max_conns = 256, .drain_ms = 10000 };
/* Frames per message: no use beyond one per byte of the largest one. */
#define MAX_FRAMES_LIMIT (1L << 30)
/* Extra 101 headers: a handful is all a deployment needs. */
#define MAX_EXTRA_HEADERS 32

/* Same-origin unless --origin says otherwise: see wsinetd(8), SECURITY. */
static struct ws_policy policy;
static const char *headers[MAX_EXTRA_HEADERS];
/* Bridge mode: the program after "--", its framing, its kill timeout. */
static struct bridge_opts bridge_o = { .framing = WS_PIPE_LINE,
	.kill_ms = 5000 };
static int bridge_flags; /* a bridge option was given */
/* The program's environment and, with --dir, which program it is. */
static struct cgi_opts cgi_o = { .dirfd = -1 };
static struct cgi_target routed;
static char *dir_argv[2] = { routed.rt.program, NULL };
static int cgi_flags; /* --passenv or --reverse-lookup was given */
static int binary_set, framing_set;

/* Under inetd a misconfigured command line must not answer the client
 * with text either: the complaint goes where the log goes. */
static void __attribute__((format(printf, 1, 2), noreturn))
usage_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_target() == LOG_TO_SYSLOG)
		log_msg(LOG_ERR, "%s", msg);
	else
		fprintf(stderr, "wsinetd: %s\n%s", msg, USAGE);
	exit(EXIT_USAGE);
}

/* Options of the upgrade policy and answer; 0 when ch is not one. */
static int
policy_option(int ch, struct conn_opts *o)
{
	struct ws_str bad;

	switch (ch) {
	case OPT_ORIGIN:
		if (policy.origins != NULL)
			usage_error("--origin given twice; separate origins "
				    "with commas");
		if (!ws_origin_list_ok(optarg, &bad))
			usage_error("invalid --origin: %.*s", (int)bad.n,
			    bad.p);
		policy.origins = optarg;
		return 1;
	case OPT_SAME_ORIGIN:
		policy.same_origin = 1;
		return 1;
	case OPT_PROTOCOL:
		if (!ws_protocol_list_ok(optarg))
			usage_error("invalid --protocol: %s", optarg);
		policy.protocols = optarg;
		return 1;
	case OPT_REQUIRE_PROTOCOL:
		policy.require_protocol = 1;
		return 1;
	case 'H':
		if (!ws_header_line_ok(optarg))
			usage_error("invalid --header: %s", optarg);
		if (o->nheaders == MAX_EXTRA_HEADERS)
			usage_error("more than %d --header options",
			    MAX_EXTRA_HEADERS);
		headers[o->nheaders++] = optarg;
		return 1;
	}
	return 0;
}

/* Options of limits and timeouts; 0 when ch is not one. */
static int
limit_option(int ch, struct conn_opts *o)
{
	uint64_t v;
	long n;

	switch (ch) {
	case OPT_MAX_MESSAGE:
		if (opt_bytes(optarg, MAX_MESSAGE_LIMIT, &o->max_message))
			usage_error("invalid --max-message: %s", optarg);
		return 1;
	case OPT_MAX_HEADER:
		if (opt_bytes(optarg, MAX_HEADER_LIMIT, &v) || v < 256)
			usage_error("invalid --max-header: %s", optarg);
		o->max_header = (size_t)v;
		return 1;
	case OPT_MAX_FRAMES:
		if (opt_count(optarg, MAX_FRAMES_LIMIT, &n) || n < 1)
			usage_error("invalid --max-frames: %s", optarg);
		o->max_frames = (uint64_t)n;
		return 1;
	case OPT_HANDSHAKE_TIMEOUT:
		if (opt_seconds(optarg, &o->handshake_ms))
			usage_error("invalid --handshake-timeout: %s", optarg);
		return 1;
	case OPT_IDLE_TIMEOUT:
		if (opt_seconds(optarg, &o->idle_ms))
			usage_error("invalid --idle-timeout: %s", optarg);
		return 1;
	case OPT_CLOSE_TIMEOUT:
		if (opt_seconds(optarg, &o->close_ms))
			usage_error("invalid --close-timeout: %s", optarg);
		return 1;
	case OPT_PING_INTERVAL:
		if (opt_seconds(optarg, &o->ping_ms))
			usage_error("invalid --ping-interval: %s", optarg);
		return 1;
	}
	return 0;
}

static void
parse_framing(const char *s)
{
	if (strcmp(s, "line") == 0)
		bridge_o.framing = WS_PIPE_LINE;
	else if (strcmp(s, "nul") == 0)
		bridge_o.framing = WS_PIPE_NUL;
	else if (strcmp(s, "len32") == 0)
		bridge_o.framing = WS_PIPE_LEN32;
	else
		usage_error("invalid --framing: %s (line, nul or len32)", s);
	framing_set = 1;
}

/* Opened once here, so that a wrong DIR fails at start-up, loudly. */
static void
parse_dir(const char *dir)
{
	if (cgi_o.dir != NULL)
		usage_error("--dir given twice");
	if ((cgi_o.dirfd = route_open(dir)) == -1)
		usage_error("--dir %s: %s", dir, strerror(errno));
	cgi_o.dir = dir;
}

static void
parse_passenv(const char *list)
{
	const char *bad = cgi_passenv_bad(list);

	if (bad != NULL)
		usage_error("--passenv: cannot pass '%s' (a variable name; "
			    "LISTEN_* are systemd's and never passed)",
		    bad);
	cgi_o.passenv = list;
}

/* Options of bridge mode; 0 when ch is not one. */
static int
bridge_option(int ch)
{
	switch (ch) {
	case OPT_BINARY:
		bridge_o.framing = WS_PIPE_RAW;
		bridge_flags = binary_set = 1;
		return 1;
	case OPT_FRAMING:
		parse_framing(optarg);
		bridge_flags = 1;
		return 1;
	case OPT_KILL_TIMEOUT:
		if (opt_seconds(optarg, &bridge_o.kill_ms))
			usage_error("invalid --kill-timeout: %s", optarg);
		bridge_flags = 1;
		return 1;
	case OPT_DIR:
		parse_dir(optarg);
		return 1;
	case OPT_PASSENV:
		parse_passenv(optarg);
		cgi_flags = 1;
		return 1;
	case OPT_REVERSE_LOOKUP:
		cgi_o.reverse_lookup = 1;
		cgi_flags = 1;
		return 1;
	default:
		return 0;
	}
}

/* What follows the options: nothing, or "--" and a program (required,
 * so that a typo is never run as a program). */
static void
parse_program(int argc, char **argv)
{
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		usage_error("unexpected argument: %s", argv[optind]);
	if (optind == argc && cgi_o.dir == NULL) {
		if (bridge_flags)
			usage_error("--binary, --framing and --kill-timeout "
				    "need -- PROGRAM or --dir");
		if (cgi_flags)
			usage_error("--passenv and --reverse-lookup need -- "
				    "PROGRAM or --dir");
		return;
	}
	if (optind < argc && cgi_o.dir != NULL)
		usage_error("--dir and -- PROGRAM exclude each other");
	if (service == WS_SERVICE_ECHO)
		usage_error("--echo and a program exclude each other");
	if (binary_set && framing_set)
		usage_error("--binary and --framing exclude each other");
	bridge_o.argv = cgi_o.dir != NULL ? dir_argv : argv + optind;
}

static void
parse_args(int argc, char **argv, struct conn_opts *o)
{
	long n;
	int ch, lvl;

	/* getopt's own messages would name argv[0] and skip the log. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+eH:hV", LONGOPTS, NULL)) != -1) {
		if (limit_option(ch, o) || policy_option(ch, o) ||
		    bridge_option(ch))
			continue;
		switch (ch) {
		case 'e':
			service = WS_SERVICE_ECHO;
			break;
		case OPT_LOG_LEVEL:
			if ((lvl = log_level_parse(optarg)) == -1)
				usage_error("invalid --log-level: %s", optarg);
			log_set_level(lvl);
			break;
		case OPT_LISTEN:
			listen_spec = optarg;
			break;
		case OPT_MAX_CONNECTIONS:
			if (opt_count(optarg, MAX_CONNECTIONS_LIMIT, &n) ||
			    n < 1)
				usage_error("invalid --max-connections: %s",
				    optarg);
			lopts.max_conns = (unsigned)n;
			break;
		case OPT_DRAIN_TIMEOUT:
			if (opt_seconds(optarg, &lopts.drain_ms))
				usage_error("invalid --drain-timeout: %s",
				    optarg);
			break;
		case 'h':
			printf("%s\n%s", USAGE, HELP);
			exit(EXIT_OK);
		case 'V':
			printf("wsinetd %s\n", WSINETD_VERSION);
			exit(EXIT_OK);
		default:
			usage_error("unknown option or missing value: %s",
			    argv[optind - 1]);
		}
	}
	parse_program(argc, argv);
	if (policy.require_protocol && policy.protocols == NULL)
		usage_error("--require-protocol needs --protocol");
	/* Safe by default: a browser page from another site may not talk
	 * to us in its visitor's name unless --origin lets it. */
	if (policy.origins == NULL)
		policy.same_origin = 1;
	o->policy = &policy;
	o->headers = headers;
}

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
	ws_service_open(service, &r);
	reply(c, &r, NULL, 0);
}

static void
on_message(struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	struct ws_reply r;

	ws_service_message(service, opcode, &r);
	reply(c, &r, data, len);
}

/* Bridge mode: which program and which paths, before the 101. */
static int
check_request(const struct ws_request *r, const char **reason)
{
	return cgi_resolve(&cgi_o, r, &routed, reason);
}

/* WS_PROTOCOL is the subprotocol chosen from --protocol, if any. */
static char **
program_environ(struct conn *c, const char **why)
{
	char protocol[256];

	snprintf(protocol, sizeof(protocol), "%.*s", (int)c->protocol.n,
	    c->protocol.p ? c->protocol.p : "");
	return cgi_environ(&c->req, c->rfd, &cgi_o, &routed, protocol, why);
}

/* One connection, start to end, in this process; returns the status. */
static int
serve_fds(int rfd, int wfd)
{
	static const struct conn_handler handler = { .open = on_open,
		.message = on_message };
	const struct conn_handler *h = &handler;
	struct bridge b;
	struct conn c;
	char peer[80], program[32] = "";
	int status;

	log_init("wsinetd", 1, rfd, wfd);
	net_nodelay(wfd);
	net_peer_name(rfd, peer, sizeof(peer));
	bridge_o.peer = peer;
	bridge_o.environ = program_environ;
	if (bridge_o.argv)
		opts.check_request = check_request;
	if (bridge_o.argv && bridge_init(&b, &bridge_o) == -1) {
		log_msg(LOG_ERR, "%s bridge: %s", peer, strerror(errno));
		return EXIT_SYSTEM;
	}
	if (bridge_o.argv)
		h = &bridge_handler;
	if (conn_init(&c, rfd, wfd, &opts, h, &b) == -1) {
		log_msg(LOG_ERR, "%s out of memory", peer);
		return EXIT_SYSTEM;
	}
	status = conn_run(&c);
	if (bridge_o.argv) {
		bridge_finish(&b, &c);
		bridge_describe(&b, program, sizeof(program));
		bridge_free(&b);
	}
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

static int
listen_on(int lfd)
{
	log_init("wsinetd", 1, lfd, lfd);
	return listener_run(lfd, &lopts, serve_socket);
}

int
main(int argc, char **argv)
{
	char err[160];
	int rfd, wfd, lfd = -1;

	signal(SIGPIPE, SIG_IGN);
	log_init("wsinetd", 1, 0, 1);
	parse_args(argc, argv, &opts);
	if (listen_spec != NULL) {
		lfd = listener_open(listen_spec, err, sizeof(err));
		if (lfd == -2)
			usage_error("%s", err);
		if (lfd == -1) {
			log_msg(LOG_ERR, "%s", err);
			return EXIT_SYSTEM;
		}
		return listen_on(lfd);
	}
	if (find_connection(&rfd, &wfd, &lfd) == -1)
		return EXIT_SYSTEM;
	if (lfd >= 0)
		return listen_on(lfd);
	return serve_fds(rfd, wfd);
}
