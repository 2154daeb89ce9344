/* SPDX-License-Identifier: ISC */
/*
 * wsinetd's options: the usage and help texts, the getopt table, and one
 * parser per group of options, each checking its values where it reads
 * them. What a combination of options may not mean is checked last.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "exits.h"
#include "log.h"
#include "opt.h"

static const char USAGE[] =
    "usage: wsinetd [-e] [--max-message BYTES] [--max-header BYTES]\n"
    "               [--max-frames N] [--handshake-timeout SECS]\n"
    "               [--idle-timeout SECS] [--close-timeout SECS]\n"
    "               [--ping-interval SECS] [--listen ADDR:PORT]\n"
    "               [--max-connections N] [--drain-timeout SECS]\n"
    "               [--max-per-source N] [--proxy-protocol FROM]...\n"
    "               [--trust-forwarded FROM]...\n"
    "               [--forwarded-header x-forwarded-for|forwarded]\n"
    "               [--origin LIST] [--same-origin] [--protocol LIST]\n"
    "               [--require-protocol] [-H 'Name: value']...\n"
    "               [--compression on|off] [--compression-level N]\n"
    "               [--compression-window BITS] [--compression-min BYTES]\n"
    "               [--static DIR | --console]\n"
    "               [--log-level LEVEL] [--tls-cert FILE --tls-key FILE\n"
    "               [--tls-client-ca FILE [--tls-client-optional]]\n"
    "               [--tls-min 1.2|1.3] [--tls-ticket-keys FILE]]\n"
    "               [--no-sandbox]\n"
    "       wsinetd [options] [--binary | --framing line|nul|len32]\n"
    "               [--kill-timeout SECS] [--max-line BYTES]\n"
    "               [--passenv NAME,...]\n"
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
    "      --max-per-source N     with a listening socket: connections at\n"
    "                             once from one address (IPv6: one /64);\n"
    "                             more get 503 (default 0: no bound)\n"
    "      --proxy-protocol FROM  a PROXY header (v1 or v2) is required from\n"
    "                             these sources (comma-separated addresses\n"
    "                             or prefixes; repeatable) and names the\n"
    "                             client; from others it is refused\n"
    "      --trust-forwarded FROM believe these proxies' X-Forwarded-For\n"
    "                             (walked from the right past them;\n"
    "                             repeatable)\n"
    "      --forwarded-header H   the header they write: x-forwarded-for\n"
    "                             (default) or forwarded (RFC 7239)\n"
    "      --origin LIST          accept these origins (comma-separated\n"
    "                             scheme://host[:port], null, or *)\n"
    "      --same-origin          accept an Origin naming the Host too\n"
    "                             (the default when --origin is not given)\n"
    "      --protocol LIST        subprotocols we speak, preferred first\n"
    "      --require-protocol     refuse (400) a client offering none of them\n"
    "  -H, --header 'N: V'        add a header to the 101 answer; repeatable\n"
    "      --compression on|off   accept permessage-deflate offers (default\n"
    "                             on)\n"
    "      --compression-level N  zlib level, 1 (fast) to 9 (default 6)\n"
    "      --compression-window B our largest LZ77 window, 8 to 15 bits,\n"
    "                             and the client's when it lets us cap it\n"
    "                             (default 12)\n"
    "      --compression-min B    send smaller messages uncompressed\n"
    "                             (default 48)\n"
    "      --static DIR           answer plain HTTP GET and HEAD (requests\n"
    "                             without Upgrade) with the files under DIR\n"
    "      --console              answer them with the built-in browser\n"
    "                             console page, which connects back here\n"
    "      --log-level LEVEL      err, warning, notice, info (default), debug\n"
    "      --tls-cert FILE        speak TLS (wss://) with this PEM certificate\n"
    "                             (its chain may follow it in the file)\n"
    "      --tls-key FILE         the certificate's PEM private key\n"
    "      --tls-client-ca FILE   ask for client certificates and verify them\n"
    "                             against these CAs; refuse clients without\n"
    "      --tls-client-optional  with --tls-client-ca: accept clients that\n"
    "                             send no certificate\n"
    "      --tls-min VERSION      oldest TLS version accepted: 1.2 (default)\n"
    "                             or 1.3\n"
    "      --tls-ticket-keys FILE resume sessions with tickets under these\n"
    "                             80-byte keys (nginx's layout, newest\n"
    "                             first; openssl rand 80 makes one)\n"
    "      --no-sandbox           do not jail the process (for debugging;\n"
    "                             SANDBOX in wsinetd(8))\n"
    "  -h, --help                 show this help\n"
    "  -V, --version              show the version\n"
    "\n"
    "Bridge mode, -- PROGRAM [ARG...] or --dir DIR (BRIDGE MODE in wsinetd(8)):\n"
    "      --binary               stdout chunks as binary messages, and\n"
    "                             messages to stdin as they are\n"
    "      --framing F            line (default: a text message per line),\n"
    "                             nul (text messages ended by NUL bytes),\n"
    "                             len32 (4-byte length, type byte, payload)\n"
    "      --max-line BYTES       largest message the program may write\n"
    "                             (a line, NUL-ended text or len32 payload;\n"
    "                             default: --max-message; k, m, g)\n"
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
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_TLS_CLIENT_CA,
	OPT_TLS_CLIENT_OPTIONAL,
	OPT_TLS_MIN,
	OPT_TLS_TICKET_KEYS,
	OPT_COMPRESSION,
	OPT_COMPRESSION_LEVEL,
	OPT_COMPRESSION_WINDOW,
	OPT_COMPRESSION_MIN,
	OPT_NO_SANDBOX,
	OPT_STATIC,
	OPT_CONSOLE,
	OPT_MAX_PER_SOURCE,
	OPT_PROXY_PROTOCOL,
	OPT_TRUST_FORWARDED,
	OPT_FORWARDED_HEADER,
	OPT_MAX_LINE,
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
	{ "max-line", required_argument, NULL, OPT_MAX_LINE },
	{ "dir", required_argument, NULL, OPT_DIR },
	{ "passenv", required_argument, NULL, OPT_PASSENV },
	{ "reverse-lookup", no_argument, NULL, OPT_REVERSE_LOOKUP },
	{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
	{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
	{ "tls-client-ca", required_argument, NULL, OPT_TLS_CLIENT_CA },
	{ "tls-client-optional", no_argument, NULL, OPT_TLS_CLIENT_OPTIONAL },
	{ "tls-min", required_argument, NULL, OPT_TLS_MIN },
	{ "tls-ticket-keys", required_argument, NULL, OPT_TLS_TICKET_KEYS },
	{ "compression", required_argument, NULL, OPT_COMPRESSION },
	{ "compression-level", required_argument, NULL, OPT_COMPRESSION_LEVEL },
	{ "compression-window", required_argument, NULL,
	    OPT_COMPRESSION_WINDOW },
	{ "compression-min", required_argument, NULL, OPT_COMPRESSION_MIN },
	{ "no-sandbox", no_argument, NULL, OPT_NO_SANDBOX },
	{ "static", required_argument, NULL, OPT_STATIC },
	{ "console", no_argument, NULL, OPT_CONSOLE },
	{ "max-per-source", required_argument, NULL, OPT_MAX_PER_SOURCE },
	{ "proxy-protocol", required_argument, NULL, OPT_PROXY_PROTOCOL },
	{ "trust-forwarded", required_argument, NULL, OPT_TRUST_FORWARDED },
	{ "forwarded-header", required_argument, NULL, OPT_FORWARDED_HEADER },
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

/* Frames per message: no use beyond one per byte of the largest one. */
#define MAX_FRAMES_LIMIT (1L << 30)

/* Which bridge options were given, to refuse them without a program. */
static int bridge_flags; /* --binary, --framing, --kill-timeout, --max-line */
static int cgi_flags; /* --passenv or --reverse-lookup */
static int binary_set, framing_set;

/* Under inetd a misconfigured command line must not answer the client
 * with text either: the complaint goes where the log goes. */
void
args_usage_error(const char *fmt, ...)
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
policy_option(int ch, struct config *cfg)
{
	struct ws_policy *p = &cfg->policy;
	struct conn_opts *o = &cfg->conn;
	struct ws_str bad;

	switch (ch) {
	case OPT_ORIGIN:
		if (p->origins != NULL)
			args_usage_error(
			    "--origin given twice; separate origins "
			    "with commas");
		if (!ws_origin_list_ok(optarg, &bad))
			args_usage_error("invalid --origin: %.*s", (int)bad.n,
			    bad.p);
		p->origins = optarg;
		return 1;
	case OPT_SAME_ORIGIN:
		p->same_origin = 1;
		return 1;
	case OPT_PROTOCOL:
		if (!ws_protocol_list_ok(optarg))
			args_usage_error("invalid --protocol: %s", optarg);
		p->protocols = optarg;
		return 1;
	case OPT_REQUIRE_PROTOCOL:
		p->require_protocol = 1;
		return 1;
	case 'H':
		if (!ws_header_line_ok(optarg))
			args_usage_error("invalid --header: %s", optarg);
		if (o->nheaders == MAX_EXTRA_HEADERS)
			args_usage_error("more than %d --header options",
			    MAX_EXTRA_HEADERS);
		cfg->headers[o->nheaders++] = optarg;
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
			args_usage_error("invalid --max-message: %s", optarg);
		return 1;
	case OPT_MAX_HEADER:
		if (opt_bytes(optarg, MAX_HEADER_LIMIT, &v) || v < 256)
			args_usage_error("invalid --max-header: %s", optarg);
		o->max_header = (size_t)v;
		return 1;
	case OPT_MAX_FRAMES:
		if (opt_count(optarg, MAX_FRAMES_LIMIT, &n) || n < 1)
			args_usage_error("invalid --max-frames: %s", optarg);
		o->max_frames = (uint64_t)n;
		return 1;
	case OPT_HANDSHAKE_TIMEOUT:
		if (opt_seconds(optarg, &o->handshake_ms))
			args_usage_error("invalid --handshake-timeout: %s",
			    optarg);
		return 1;
	case OPT_IDLE_TIMEOUT:
		if (opt_seconds(optarg, &o->idle_ms))
			args_usage_error("invalid --idle-timeout: %s", optarg);
		return 1;
	case OPT_CLOSE_TIMEOUT:
		if (opt_seconds(optarg, &o->close_ms))
			args_usage_error("invalid --close-timeout: %s", optarg);
		return 1;
	case OPT_PING_INTERVAL:
		if (opt_seconds(optarg, &o->ping_ms))
			args_usage_error("invalid --ping-interval: %s", optarg);
		return 1;
	}
	return 0;
}

/* Options of permessage-deflate; 0 when ch is not one. */
static int
compression_option(int ch, struct conn_deflate_opts *d)
{
	uint64_t v;
	long n;

	switch (ch) {
	case OPT_COMPRESSION:
		if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
			args_usage_error(
			    "invalid --compression: %s (on or off)", optarg);
		d->on = strcmp(optarg, "on") == 0;
		return 1;
	case OPT_COMPRESSION_LEVEL:
		if (opt_count(optarg, 9, &n) || n < 1)
			args_usage_error("invalid --compression-level: %s "
					 "(1 to 9)",
			    optarg);
		d->level = (int)n;
		return 1;
	case OPT_COMPRESSION_WINDOW:
		if (opt_count(optarg, WS_PMD_BITS_MAX, &n) ||
		    n < WS_PMD_BITS_MIN)
			args_usage_error("invalid --compression-window: %s "
					 "(8 to 15)",
			    optarg);
		d->window = (unsigned)n;
		return 1;
	case OPT_COMPRESSION_MIN:
		if (strcmp(optarg, "0") == 0)
			v = 0;
		else if (opt_bytes(optarg, MAX_MESSAGE_LIMIT, &v))
			args_usage_error("invalid --compression-min: %s",
			    optarg);
		d->min = (size_t)v;
		return 1;
	}
	return 0;
}

/* Options of the Accept=no listener; 0 when ch is not one. */
static int
listener_option(int ch, struct config *cfg)
{
	long n;

	switch (ch) {
	case OPT_LISTEN:
		cfg->listen_spec = optarg;
		return 1;
	case OPT_MAX_CONNECTIONS:
		if (opt_count(optarg, MAX_CONNECTIONS_LIMIT, &n) || n < 1)
			args_usage_error("invalid --max-connections: %s",
			    optarg);
		cfg->listener.max_conns = (unsigned)n;
		return 1;
	case OPT_DRAIN_TIMEOUT:
		if (opt_seconds(optarg, &cfg->listener.drain_ms))
			args_usage_error("invalid --drain-timeout: %s", optarg);
		return 1;
	case OPT_MAX_PER_SOURCE:
		if (opt_count(optarg, MAX_CONNECTIONS_LIMIT, &n) || n < 1)
			args_usage_error("invalid --max-per-source: %s",
			    optarg);
		cfg->listener.max_per_source = (unsigned)n;
		return 1;
	}
	return 0;
}

static void
parse_trust(const char *opt, const char *list, struct ws_trust *t)
{
	struct ws_str bad;

	if (ws_trust_add(t, list, &bad) == -1)
		args_usage_error("invalid %s: %.*s (numeric addresses or "
				 "ADDR/BITS, at most %d in all)",
		    opt, (int)bad.n, bad.p, WS_TRUST_MAX);
}

/* Options of what stands in front of us; 0 when ch is not one. The
 * lists may repeat, and add up. */
static int
front_option(int ch, struct front_opts *f)
{
	switch (ch) {
	case OPT_PROXY_PROTOCOL:
		parse_trust("--proxy-protocol", optarg, &f->proxy_from);
		f->proxy_on = 1;
		return 1;
	case OPT_TRUST_FORWARDED:
		parse_trust("--trust-forwarded", optarg, &f->fwd_from);
		f->fwd_on = 1;
		return 1;
	case OPT_FORWARDED_HEADER:
		if (strcmp(optarg, "x-forwarded-for") == 0)
			f->fwd_header = WS_FWD_XFF;
		else if (strcmp(optarg, "forwarded") == 0)
			f->fwd_header = WS_FWD_FORWARDED;
		else
			args_usage_error("invalid --forwarded-header: %s "
					 "(x-forwarded-for or forwarded)",
			    optarg);
		return 1;
	}
	return 0;
}

static void
parse_framing(const char *s, struct bridge_opts *b)
{
	if (strcmp(s, "line") == 0)
		b->framing = WS_PIPE_LINE;
	else if (strcmp(s, "nul") == 0)
		b->framing = WS_PIPE_NUL;
	else if (strcmp(s, "len32") == 0)
		b->framing = WS_PIPE_LEN32;
	else
		args_usage_error("invalid --framing: %s (line, nul or len32)",
		    s);
	framing_set = 1;
}

/* Opened once here, so that a wrong DIR fails at start-up, loudly. */
static void
parse_dir(const char *dir, struct cgi_opts *c)
{
	if (c->dir != NULL)
		args_usage_error("--dir given twice");
	if ((c->dirfd = route_open(dir)) == -1)
		args_usage_error("--dir %s: %s", dir, strerror(errno));
	c->dir = dir;
}

static void
parse_passenv(const char *list, struct cgi_opts *c)
{
	const char *bad = cgi_passenv_bad(list);

	if (bad != NULL)
		args_usage_error(
		    "--passenv: cannot pass '%s' (a variable name; "
		    "LISTEN_* are systemd's and never passed)",
		    bad);
	c->passenv = list;
}

/* Options of bridge mode; 0 when ch is not one. */
static int
bridge_option(int ch, struct config *cfg)
{
	switch (ch) {
	case OPT_BINARY:
		cfg->bridge.framing = WS_PIPE_RAW;
		bridge_flags = binary_set = 1;
		return 1;
	case OPT_FRAMING:
		parse_framing(optarg, &cfg->bridge);
		bridge_flags = 1;
		return 1;
	case OPT_KILL_TIMEOUT:
		if (opt_seconds(optarg, &cfg->bridge.kill_ms))
			args_usage_error("invalid --kill-timeout: %s", optarg);
		bridge_flags = 1;
		return 1;
	case OPT_MAX_LINE:
		if (opt_bytes(optarg, MAX_MESSAGE_LIMIT,
			&cfg->bridge.max_line) ||
		    cfg->bridge.max_line == 0)
			args_usage_error("invalid --max-line: %s", optarg);
		bridge_flags = 1;
		return 1;
	case OPT_DIR:
		parse_dir(optarg, &cfg->cgi);
		return 1;
	case OPT_PASSENV:
		parse_passenv(optarg, &cfg->cgi);
		cgi_flags = 1;
		return 1;
	case OPT_REVERSE_LOOKUP:
		cfg->cgi.reverse_lookup = 1;
		cgi_flags = 1;
		return 1;
	default:
		return 0;
	}
}

/* --static and --console; 0 when ch is not one. DIR is opened here, as
 * --dir is, so that a wrong one fails at start-up and nothing later
 * needs its path. */
static int
web_option(int ch, struct static_opts *w)
{
	switch (ch) {
	case OPT_STATIC:
		if (w->dir != NULL)
			args_usage_error("--static given twice");
		if ((w->dirfd = route_open(optarg)) == -1)
			args_usage_error("--static %s: %s", optarg,
			    strerror(errno));
		w->dir = optarg;
		return 1;
	case OPT_CONSOLE:
		w->console = 1;
		return 1;
	}
	return 0;
}

/* Options of TLS; 0 when ch is not one. Files are read once the mode
 * is known, before the first connection (main.c). */
static int
tls_option(int ch, struct tls_server_opts *t)
{
	switch (ch) {
	case OPT_TLS_CERT:
		t->cert = optarg;
		return 1;
	case OPT_TLS_KEY:
		t->key = optarg;
		return 1;
	case OPT_TLS_CLIENT_CA:
		t->client_ca = optarg;
		return 1;
	case OPT_TLS_CLIENT_OPTIONAL:
		t->client_optional = 1;
		return 1;
	case OPT_TLS_MIN:
		if ((t->min_version = tls_version_parse(optarg)) == 0)
			args_usage_error("invalid --tls-min: %s (1.2 or 1.3)",
			    optarg);
		return 1;
	case OPT_TLS_TICKET_KEYS:
		t->ticket_keys = optarg;
		return 1;
	}
	return 0;
}

/* TLS options that mean nothing alone. */
static void
check_tls(const struct tls_server_opts *t)
{
	if ((t->cert == NULL) != (t->key == NULL))
		args_usage_error("--tls-cert and --tls-key go together");
	if (t->cert == NULL && (t->client_ca || t->min_version))
		args_usage_error(
		    "--tls-client-ca and --tls-min need --tls-cert");
	if (t->cert == NULL && t->ticket_keys)
		args_usage_error("--tls-ticket-keys needs --tls-cert");
	if (t->client_optional && t->client_ca == NULL)
		args_usage_error("--tls-client-optional needs --tls-client-ca");
}

/* What follows the options: nothing, or "--" and a program (required,
 * so that a typo is never run as a program). */
static void
parse_program(int argc, char **argv, struct config *cfg)
{
	if (optind < argc && strcmp(argv[optind - 1], "--") != 0)
		args_usage_error("unexpected argument: %s", argv[optind]);
	if (optind == argc && cfg->cgi.dir == NULL) {
		if (bridge_flags)
			args_usage_error(
			    "--binary, --framing, --kill-timeout and "
			    "--max-line need -- PROGRAM or --dir");
		if (cgi_flags)
			args_usage_error(
			    "--passenv and --reverse-lookup need -- "
			    "PROGRAM or --dir");
		return;
	}
	if (optind < argc && cfg->cgi.dir != NULL)
		args_usage_error("--dir and -- PROGRAM exclude each other");
	if (cfg->service == WS_SERVICE_ECHO)
		args_usage_error("--echo and a program exclude each other");
	if (binary_set && framing_set)
		args_usage_error("--binary and --framing exclude each other");
	cfg->bridge.argv = cfg->cgi.dir != NULL ? cfg->dir_argv : argv + optind;
}

/* Everything an option does not say. */
static void
set_defaults(struct config *cfg)
{
	cfg->service = WS_SERVICE_HELLO;
	cfg->conn.role = WS_ROLE_SERVER;
	cfg->conn.handshake_ms = 10000;
	cfg->conn.close_ms = 5000;
	cfg->listener.max_conns = 256;
	cfg->listener.drain_ms = 10000;
	cfg->bridge.framing = WS_PIPE_LINE;
	cfg->bridge.kill_ms = 5000;
	cfg->cgi.dirfd = -1;
	cfg->conn.deflate = (struct conn_deflate_opts){ 1, CONN_DEFLATE_LEVEL,
		CONN_DEFLATE_WINDOW, CONN_DEFLATE_MEM_LEVEL, CONN_DEFLATE_MIN };
	cfg->web.dirfd = -1;
}

/* The options that no group claims: logging, the sandbox, -h and -V. */
static void
other_option(int ch, char **argv, struct config *cfg)
{
	int lvl;

	switch (ch) {
	case OPT_NO_SANDBOX:
		cfg->no_sandbox = 1;
		break;
	case OPT_LOG_LEVEL:
		if ((lvl = log_level_parse(optarg)) == -1)
			args_usage_error("invalid --log-level: %s", optarg);
		log_set_level(lvl);
		break;
	case 'h':
		printf("%s\n%s", USAGE, HELP);
		exit(EXIT_OK);
	case 'V':
		printf("wsinetd %s\n", WSINETD_VERSION);
		exit(EXIT_OK);
	default:
		args_usage_error("unknown option or missing value: %s",
		    argv[optind - 1]);
	}
}

/* Each group's parser claims its own options; 0 when none does. */
static int
group_option(int ch, struct config *cfg)
{
	return limit_option(ch, &cfg->conn) || policy_option(ch, cfg) ||
	    listener_option(ch, cfg) || bridge_option(ch, cfg) ||
	    tls_option(ch, &cfg->tls) ||
	    compression_option(ch, &cfg->conn.deflate) ||
	    web_option(ch, &cfg->web) || front_option(ch, &cfg->front);
}

void
args_parse(int argc, char **argv, struct config *cfg)
{
	int ch;

	set_defaults(cfg);
	/* getopt's own messages would name argv[0] and skip the log. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+eH:hV", LONGOPTS, NULL)) != -1) {
		if (ch == 'e')
			cfg->service = WS_SERVICE_ECHO;
		else if (!group_option(ch, cfg))
			other_option(ch, argv, cfg);
	}
	parse_program(argc, argv, cfg);
	check_tls(&cfg->tls);
	if (cfg->web.dir != NULL && cfg->web.console)
		args_usage_error("--static and --console exclude each other");
	if (cfg->web.dir != NULL || cfg->web.console)
		cfg->conn.http_request = static_request;
	if (cfg->policy.require_protocol && cfg->policy.protocols == NULL)
		args_usage_error("--require-protocol needs --protocol");
	/* Safe by default: a browser page from another site may not talk
	 * to us in its visitor's name unless --origin lets it. */
	if (cfg->policy.origins == NULL)
		cfg->policy.same_origin = 1;
	cfg->bridge.sandbox = !cfg->no_sandbox;
	/* Behind balancers, the count is by the client their header names,
	 * which only the child reads. */
	cfg->listener.per_source_in_child = cfg->front.proxy_on;
	cfg->conn.policy = &cfg->policy;
	cfg->conn.headers = cfg->headers;
}
