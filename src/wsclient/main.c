/* SPDX-License-Identifier: ISC */
/*
 * wsclient: the companion client. By default it performs the hello
 * exchange; it can also send given messages or stdin lines and prints
 * every message it receives on its own line, or echo every message back
 * (for client conformance suites). main only, plus its handler.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "engine.h"
#include "exits.h"
#include "log.h"
#include "net.h"
#include "opt.h"
#include "tls.h"

static const char USAGE[] =
    "usage: wsclient [-n count] [-m text]... [--stdin | --echo]\n"
    "                [-H 'name: value']...\n"
    "                [--origin origin] [--protocol list] [--timeout secs]\n"
    "                [--connect-timeout secs] [--close-timeout secs]\n"
    "                [--max-message bytes] [--ping-interval secs]\n"
    "                [--cacert file] [--cert file --key file] [-k]\n"
    "                [--tls-min 1.2|1.3] [--tls-session file]\n"
    "                [--no-compression] [--compression-min bytes] url\n"
    "       wsclient -h | -V\n";

static const char HELP[] =
    "Connect to a WebSocket server and do the hello exchange, or send\n"
    "messages; print each message received on its own line.\n"
    "\n"
    "  -n, --count N            close after N messages received\n"
    "                           (default 2 for the hello exchange;\n"
    "                           0: run until the server closes, or\n"
    "                           stdin ends)\n"
    "  -m, --message TEXT       send TEXT instead of the hello (repeatable)\n"
    "      --stdin              send each line of stdin; at its end close,\n"
    "                           printing answers until the server's close\n"
    "  -e, --echo               send each message back with its opcode and\n"
    "                           print nothing, until the server closes\n"
    "  -H, --header 'N: V'      add or replace a request header\n"
    "      --origin ORIGIN      send an Origin header\n"
    "      --protocol LIST      offer these subprotocols (comma-separated)\n"
    "      --timeout S          bound the whole run (default 0: none)\n"
    "      --connect-timeout S  bound connect and handshake (default 10)\n"
    "      --close-timeout S    wait for the server's close (default 5)\n"
    "      --max-message BYTES  largest message accepted (default 1M)\n"
    "      --ping-interval S    ping every S seconds; no pong by the next\n"
    "                           ping closes with 1011, exit 6 (default 0)\n"
    "      --cacert FILE        wss://: verify the server against these CAs\n"
    "                           (default: the system's store)\n"
    "      --cert FILE          wss://: present this client certificate...\n"
    "      --key FILE           ...with this private key (PEM both)\n"
    "  -k, --insecure           wss://: do not verify the server at all\n"
    "      --tls-min VERSION    oldest TLS version: 1.2 (default) or 1.3\n"
    "      --tls-session FILE   wss://: resume the session saved in FILE,\n"
    "                           save the new one there; stderr says\n"
    "                           \"TLS session resumed\" or \"... new\"\n"
    "      --no-compression     do not offer permessage-deflate\n"
    "      --compression-min B  send smaller messages uncompressed\n"
    "                           (default 64)\n"
    "  -h, --help               show this help\n"
    "  -V, --version            show the version\n"
    "\n"
    "Exit status: 0 clean close, 2 usage, 3 cannot connect, 4 handshake\n"
    "refused, 5 protocol error, 6 timeout, 7 closed with a code other than\n"
    "1000, 8 connection lost, 9 TLS failure, 1 other failures. See\n"
    "wsclient(1).\n";

static const char HELLO[] = "Hello, WebSocket server!";

/* Limits of the command line itself, not of the protocol. */
#define MAX_HEADERS 32
#define MAX_MESSAGES 256
#define MAX_MESSAGE_LIMIT (1ULL << 30)

enum {
	OPT_STDIN = 256,
	OPT_ORIGIN,
	OPT_PROTOCOL,
	OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT,
	OPT_CLOSE_TIMEOUT,
	OPT_MAX_MESSAGE,
	OPT_PING_INTERVAL,
	OPT_CACERT,
	OPT_CERT,
	OPT_KEY,
	OPT_TLS_MIN,
	OPT_TLS_SESSION,
	OPT_NO_COMPRESSION,
	OPT_COMPRESSION_MIN,
};

static const struct option LONGOPTS[] = {
	{ "count", required_argument, NULL, 'n' },
	{ "message", required_argument, NULL, 'm' },
	{ "stdin", no_argument, NULL, OPT_STDIN },
	{ "echo", no_argument, NULL, 'e' },
	{ "header", required_argument, NULL, 'H' },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "protocol", required_argument, NULL, OPT_PROTOCOL },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "close-timeout", required_argument, NULL, OPT_CLOSE_TIMEOUT },
	{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
	{ "ping-interval", required_argument, NULL, OPT_PING_INTERVAL },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "insecure", no_argument, NULL, 'k' },
	{ "tls-min", required_argument, NULL, OPT_TLS_MIN },
	{ "tls-session", required_argument, NULL, OPT_TLS_SESSION },
	{ "no-compression", no_argument, NULL, OPT_NO_COMPRESSION },
	{ "compression-min", required_argument, NULL, OPT_COMPRESSION_MIN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

struct client {
	const char *url;
	long count; /* -1: not given; 0: never close first */
	const char *messages[MAX_MESSAGES];
	size_t nmessages;
	int from_stdin;
	int echo;
	const char *headers[MAX_HEADERS + 3];
	size_t nheaders;
	char *origin_header, *protocol_header;
	const char *protocols;
	int connect_ms;
	struct conn_opts o;
	struct tls_client_opts tls;
	const char *tls_session; /* --tls-session FILE, or NULL */

	/* while running */
	long received;
	char *line; /* stdin line being gathered */
	size_t line_len;
};

static void __attribute__((format(printf, 1, 2), noreturn))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "wsclient: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n%s", USAGE);
	exit(EXIT_USAGE);
}

static char *
header_line(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 3;
	char *s = malloc(n);

	if (s == NULL) {
		fprintf(stderr, "wsclient: out of memory\n");
		exit(EXIT_SYSTEM);
	}
	snprintf(s, n, "%s: %s", name, value);
	return s;
}

static void
add_header(struct client *cl, const char *h)
{
	if (cl->nheaders == MAX_HEADERS + 3)
		usage_error("too many headers (at most %d)", MAX_HEADERS);
	if (strchr(h, ':') == NULL || strpbrk(h, "\r\n") != NULL)
		usage_error("invalid header (want 'Name: value'): %s", h);
	cl->headers[cl->nheaders++] = h;
}

/* Options of wss://; 0 when ch is not one. */
static int
tls_option(struct client *cl, int ch)
{
	switch (ch) {
	case OPT_CACERT:
		cl->tls.cafile = optarg;
		return 1;
	case OPT_CERT:
		cl->tls.cert = optarg;
		return 1;
	case OPT_KEY:
		cl->tls.key = optarg;
		return 1;
	case 'k':
		cl->tls.insecure = 1;
		return 1;
	case OPT_TLS_MIN:
		if ((cl->tls.min_version = tls_version_parse(optarg)) == 0)
			usage_error("invalid --tls-min: %s (1.2 or 1.3)",
			    optarg);
		return 1;
	case OPT_TLS_SESSION:
		cl->tls_session = optarg;
		return 1;
	}
	return 0;
}

/* Options of permessage-deflate; 0 when ch is not one. */
static int
deflate_option(struct client *cl, int ch)
{
	uint64_t v;

	switch (ch) {
	case OPT_NO_COMPRESSION:
		cl->o.deflate.on = 0;
		return 1;
	case OPT_COMPRESSION_MIN:
		/* 0 is a size here: compress whatever shrinks. */
		if (strcmp(optarg, "0") == 0)
			v = 0;
		else if (opt_bytes(optarg, MAX_MESSAGE_LIMIT, &v))
			usage_error("invalid --compression-min: %s", optarg);
		cl->o.deflate.min = (size_t)v;
		return 1;
	}
	return 0;
}

static void
parse_option(struct client *cl, int ch)
{
	switch (ch) {
	case 'n':
		if (opt_count(optarg, 1000000000L, &cl->count))
			usage_error("invalid --count: %s", optarg);
		break;
	case 'm':
		if (cl->nmessages == MAX_MESSAGES)
			usage_error("too many messages (at most %d)",
			    MAX_MESSAGES);
		cl->messages[cl->nmessages++] = optarg;
		break;
	case OPT_STDIN:
		cl->from_stdin = 1;
		break;
	case 'e':
		cl->echo = 1;
		break;
	case 'H':
		add_header(cl, optarg);
		break;
	case OPT_ORIGIN:
		cl->origin_header = header_line("Origin", optarg);
		add_header(cl, cl->origin_header);
		break;
	case OPT_PROTOCOL:
		cl->protocols = optarg;
		cl->protocol_header =
		    header_line("Sec-WebSocket-Protocol", optarg);
		add_header(cl, cl->protocol_header);
		break;
	case OPT_TIMEOUT:
		if (opt_seconds(optarg, &cl->o.total_ms))
			usage_error("invalid --timeout: %s", optarg);
		break;
	case OPT_CONNECT_TIMEOUT:
		if (opt_seconds(optarg, &cl->connect_ms))
			usage_error("invalid --connect-timeout: %s", optarg);
		break;
	case OPT_CLOSE_TIMEOUT:
		if (opt_seconds(optarg, &cl->o.close_ms))
			usage_error("invalid --close-timeout: %s", optarg);
		break;
	case OPT_MAX_MESSAGE:
		if (opt_bytes(optarg, MAX_MESSAGE_LIMIT, &cl->o.max_message))
			usage_error("invalid --max-message: %s", optarg);
		break;
	case OPT_PING_INTERVAL:
		if (opt_seconds(optarg, &cl->o.ping_ms))
			usage_error("invalid --ping-interval: %s", optarg);
		break;
	case 'h':
		printf("%s\n%s", USAGE, HELP);
		exit(EXIT_OK);
	case 'V':
		printf("wsclient %s\n", WSINETD_VERSION);
		exit(EXIT_OK);
	default:
		if (!tls_option(cl, ch) && !deflate_option(cl, ch)) {
			fprintf(stderr, "%s", USAGE);
			exit(EXIT_USAGE);
		}
	}
}

static void
parse_args(int argc, char **argv, struct client *cl)
{
	int ch;

	/* Our own messages name the program, not argv[0]. */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "n:m:H:ekhV", LONGOPTS, NULL)) !=
	    -1) {
		if (ch == '?')
			usage_error("unknown option or missing value: %s",
			    argv[optind - 1]);
		parse_option(cl, ch);
	}
	if (optind != argc - 1)
		usage_error("%s",
		    optind < argc ? "too many arguments" : "missing URL");
	if (cl->from_stdin && cl->nmessages)
		usage_error("%s", "--stdin and --message exclude each other");
	if (cl->echo && (cl->from_stdin || cl->nmessages))
		usage_error("%s", "--echo excludes --stdin and --message");
	if ((cl->tls.cert == NULL) != (cl->tls.key == NULL))
		usage_error("%s", "--cert and --key go together");
	if (cl->tls.insecure && cl->tls.cafile)
		usage_error("%s", "--insecure and --cacert exclude each other");
	cl->url = argv[optind];
	if (cl->o.deflate.on)
		add_header(cl, "Sec-WebSocket-Extensions: " WS_PMD_OFFER);
}

/* Text when it is valid UTF-8, binary otherwise: a text frame must be. */
static void
send_line(struct conn *c, const char *p, size_t n)
{
	int op =
	    ws_utf8_valid((const uint8_t *)p, n) ? WS_OP_TEXT : WS_OP_BINARY;

	conn_send(c, op, NULL, 0, p, n);
}

static void
close_if_done(struct conn *c)
{
	struct client *cl = c->ctx;

	if (cl->count > 0 && cl->received >= cl->count)
		conn_close(c, WS_CLOSE_NORMAL, "");
	else if (cl->count < 0 && c->aux_fd < 0) /* all of -m or stdin sent */
		conn_close(c, WS_CLOSE_NORMAL, "");
	else if (cl->count == 0 && cl->from_stdin && c->aux_fd < 0)
		conn_close(c, WS_CLOSE_NORMAL, ""); /* -n 0: stdin ended */
}

/* --tls-session: whether the saved session was taken, for scripts. */
static void
report_session(const struct client *cl, struct conn *c)
{
	const char *proto, *cipher;
	int resumed;

	if (cl->tls_session == NULL || c->tls == NULL ||
	    tls_describe(c->tls, &proto, &cipher, &resumed) == -1)
		return;
	fprintf(stderr, "wsclient: TLS session %s\n",
	    resumed ? "resumed" : "new");
}

static void
on_open(struct conn *c)
{
	struct client *cl = c->ctx;
	size_t i;

	report_session(cl, c);
	if (cl->from_stdin) {
		c->aux_fd = 0;
	} else if (cl->nmessages == 0 && !cl->echo) {
		conn_send(c, WS_OP_TEXT, NULL, 0, HELLO, sizeof(HELLO) - 1);
	}
	for (i = 0; i < cl->nmessages; i++)
		send_line(c, cl->messages[i], strlen(cl->messages[i]));
	close_if_done(c);
}

static void
on_message(struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	struct client *cl = c->ctx;

	if (cl->count > 0 && cl->received >= cl->count)
		return; /* sent after our close: -n N prints N messages */
	if (cl->echo) {
		conn_send(c, opcode, NULL, 0, data, len);
	} else if (fwrite(data, 1, len, stdout) != len ||
	    putchar('\n') == EOF || fflush(stdout) == EOF) {
		conn_end(c, EXIT_SYSTEM, "cannot write to stdout: %s",
		    strerror(errno));
		conn_close(c, WS_CLOSE_GOING_AWAY, "");
		return;
	}
	cl->received++;
	close_if_done(c);
}

/* Sends every complete line gathered so far; keeps the rest. */
static void
send_lines(struct conn *c, struct client *cl)
{
	char *nl, *p = cl->line;
	size_t left = cl->line_len;

	while ((nl = memchr(p, '\n', left)) != NULL) {
		send_line(c, p, (size_t)(nl - p));
		left -= (size_t)(nl - p) + 1;
		p = nl + 1;
	}
	memmove(cl->line, p, left);
	cl->line_len = left;
}

static void
on_stdin(struct conn *c)
{
	struct client *cl = c->ctx;
	size_t cap = (size_t)c->o.max_message;
	ssize_t n;

	if (cl->line_len == cap) {
		conn_end(c, EXIT_SYSTEM,
		    "a line of stdin is longer than "
		    "--max-message (%zu bytes)",
		    cap);
		conn_close(c, WS_CLOSE_GOING_AWAY, "");
		return;
	}
	n = read(c->aux_fd, cl->line + cl->line_len, cap - cl->line_len);
	if (n == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0) {
		cl->line_len += (size_t)n;
		send_lines(c, cl);
		return;
	}
	if (n == -1)
		conn_end(c, EXIT_SYSTEM, "cannot read stdin: %s",
		    strerror(errno));
	if (cl->line_len) /* a last line without a newline still counts */
		send_line(c, cl->line, cl->line_len);
	cl->line_len = 0;
	c->aux_fd = -1;
	close_if_done(c);
}

/* wss://: the context, before connecting, so that a bad file fails
 * fast; the name or address in the URL is what the certificate must
 * show. */
static int
prepare_tls(struct client *cl, const struct ws_url *u)
{
	static char host[sizeof(u->host)];
	char err[512];

	if (cl->tls.insecure)
		fprintf(stderr,
		    "wsclient: warning: --insecure: the server's "
		    "certificate is not verified\n");
	if ((cl->o.tls_ctx = tls_client_ctx(&cl->tls, err, sizeof(err))) ==
	    NULL) {
		fprintf(stderr, "wsclient: TLS: %s\n", err);
		return EXIT_TLS;
	}
	if (cl->tls_session &&
	    tls_client_session(cl->o.tls_ctx, cl->tls_session, err,
		sizeof(err)) == -1)
		fprintf(stderr, "wsclient: warning: %s; starting a new one\n",
		    err);
	snprintf(host, sizeof(host), "%s", u->host);
	cl->o.tls_host = host;
	return EXIT_OK;
}

/* Resolve, connect, and queue the request; returns an exit status. */
static int
start(struct client *cl, struct conn *c, char accept[WS_ACCEPT_LEN + 1])
{
	static const struct conn_handler handler = { .open = on_open,
		.message = on_message,
		.aux = on_stdin };
	struct ws_url u;
	const char *err;
	char host[300], key[WS_KEY_LEN + 1], why[512];
	char request[16384];
	uint8_t nonce[16];
	size_t n;
	int fd;

	if (ws_url_parse(&u, cl->url, &err) == -1)
		usage_error("invalid URL: %s", err);
	if (u.tls && prepare_tls(cl, &u) != EXIT_OK)
		return EXIT_TLS;
	if (RAND_bytes(nonce, sizeof(nonce)) != 1) {
		fprintf(stderr, "wsclient: no random bytes for the key\n");
		return EXIT_SYSTEM;
	}
	ws_base64_encode(nonce, sizeof(nonce), key);
	key[WS_KEY_LEN] = '\0';
	ws_accept_key(key, WS_KEY_LEN, accept);
	ws_url_host_header(&u, host, sizeof(host));
	/* It also supplies the "/" that "ws://host?query" lacks. */
	n = ws_client_request(request, sizeof(request), host, u.path, key,
	    cl->headers, cl->nheaders);
	if (n == 0)
		usage_error("%s", "request headers too large or malformed");
	fd = net_connect(u.host, u.port, cl->connect_ms ? cl->connect_ms : -1,
	    why, sizeof(why));
	if (fd == -1) {
		fprintf(stderr, "wsclient: %s\n", why);
		return EXIT_CONNECT;
	}
	net_nodelay(fd);
	cl->o.handshake_ms = cl->connect_ms;
	if (conn_init(c, fd, fd, &cl->o, &handler, cl) == -1 ||
	    conn_client_start(c, request, n, accept, cl->protocols) == -1) {
		fprintf(stderr, "wsclient: out of memory\n");
		return EXIT_SYSTEM;
	}
	return EXIT_OK;
}

static void
log_peer_close(const struct conn *c)
{
	char reason[WS_MAX_CONTROL * 4 + 4];

	log_clean(reason, sizeof(reason), c->peer_reason,
	    strlen(c->peer_reason));
	log_msg(LOG_ERR, "closed by the server: %u \"%s\"", c->peer_code,
	    reason);
}

int
main(int argc, char **argv)
{
	struct client cl = { .count = -1,
		.connect_ms = 10000,
		.o = { .role = WS_ROLE_CLIENT,
		    .close_ms = 5000,
		    .deflate = { 1, CONN_DEFLATE_LEVEL, CONN_DEFLATE_WINDOW,
			CONN_DEFLATE_MEM_LEVEL, CONN_DEFLATE_MIN } } };
	char accept[WS_ACCEPT_LEN + 1];
	struct conn c;
	int status;

	signal(SIGPIPE, SIG_IGN);
	log_init("wsclient", 0, -1, -1);
	parse_args(argc, argv, &cl);
	if (cl.count < 0 && cl.echo)
		cl.count = 0; /* echo until the server closes */
	else if (cl.count < 0 && cl.nmessages == 0 && !cl.from_stdin)
		cl.count = 2; /* the hello exchange: welcome and reply */
	if (cl.o.max_message == 0)
		cl.o.max_message = WS_MAX_MESSAGE_DEFAULT;
	if (cl.from_stdin && (cl.line = malloc(cl.o.max_message)) == NULL) {
		fprintf(stderr, "wsclient: out of memory\n");
		return EXIT_SYSTEM;
	}
	if ((status = start(&cl, &c, accept)) != EXIT_OK)
		return status;
	status = conn_run(&c);
	if (status == EXIT_PEER_CLOSE)
		log_peer_close(&c);
	else if (status != EXIT_OK)
		log_msg(LOG_ERR, "%s", c.why);
	conn_free(&c);
	tls_ctx_free(cl.o.tls_ctx);
	free(cl.line);
	free(cl.origin_header);
	free(cl.protocol_header);
	return status;
}
