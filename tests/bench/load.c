/* SPDX-License-Identifier: ISC */
/*
 * load: a WebSocket load generator for the benchmarks. One epoll loop
 * drives many loopback connections through the hello exchange (session),
 * pipelined echo (echo), or holds them open (idle) so the server's memory
 * can be read; or sends them plain HTTP/1.1 GETs (get), one or several
 * per connection. It ends by itself (count, duration or timeouts) and says
 * how it went on stdout as key=value pairs; failures go to stderr. With
 * --deflate it offers permessage-deflate as Chrome does, insists on it,
 * sends its message compressed once (each message on its own, as a
 * client may) and inflates the server's with the engine's own code.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "deflate.h"
#include "exits.h"
#include "hist.h"
#include "loadtls.h"
#include "ws.h"

static const char USAGE[] =
    "usage: load session [-c CONC] [-n COUNT] [-d SECS] [OPTIONS] HOST PORT\n"
    "       load echo [-c CONC] [-s SIZE] [-w WINDOW] [-n COUNT] [-d SECS]\n"
    "                 [OPTIONS] HOST PORT\n"
    "       load idle [-k CONNS] [-m MSGS] [-d SECS] [OPTIONS] HOST PORT\n"
    "       load get [-c CONC] [-n COUNT] [-d SECS] [-q REQS] [-s SIZE]\n"
    "                [OPTIONS] HOST PORT\n"
    "options: --raw (plain TCP, lines instead of frames), -t SECS (each\n"
    "connection's timeout, default 10), --path PATH, --tls (wss://: TLS\n"
    "without certificate verification), --tls-resume (TLS, and every\n"
    "connection offers the first session a server issued; the first\n"
    "connection goes alone), --deflate (offer permessage-deflate and fail\n"
    "where it is not agreed), --payload FILE (echo, idle -m: the message\n"
    "is FILE, not SIZE bytes of 'a'), --fragment BYTES (echo: each\n"
    "message as frames of BYTES of payload, one write(2) a frame, as\n"
    "Autobahn's case 9.3 sends them). HOST is 127.0.0.1 or ::1.\n"
    "idle prints \"ready\" once its connections are open (with -m, once\n"
    "each has had MSGS messages echoed) and closes them at a line or EOF\n"
    "on stdin, SIGTERM, SIGINT or after -d SECS. With TLS the report adds\n"
    "how many handshakes were full and how many resumed.\n"
    "get asks for PATH COUNT times in all, up to REQS times on each\n"
    "connection (default 1; more uses keep-alive), each answer 200 with a\n"
    "body of Content-Length bytes (of SIZE bytes, if -s is given).\n";

static const char WELCOME[] = "Welcome to the WebSocket server!";
static const char HELLO[] = "Hello, WebSocket server!";
static const char REPLY[] = "You said: Hello, WebSocket server!";
/* The key does not need to be random: the servers cannot tell, and the
 * answer it calls for is then computed once. */
static const char KEY[] = "dGhlIHNhbXBsZSBub25jZQ==";
/* --deflate: what Chrome offers */
static const char *const OFFER = "Sec-WebSocket-Extensions: " WS_PMD_OFFER;

#define IN_CAP (64 * 1024)
#define OUT_CAP 512
#define IOV_MAX_BATCH 64
#define MAX_CONNS 20000
#define SCAN_MS 100
/* How long a finished connection waits for the server to close TCP
 * first, as RFC 6455 7.1.1 asks, so TIME_WAIT lands on the server side
 * and the client's ports last. */
#define LINGER_US 1000000

enum mode { MODE_SESSION, MODE_ECHO, MODE_IDLE, MODE_GET };

enum tls_use { TLS_OFF, TLS_FULL, TLS_RESUME };

enum cstate {
	C_FREE,
	C_CONNECTING,
	C_TLS, /* the TLS handshake, before the WebSocket one */
	C_HANDSHAKE,
	C_OPEN,
	C_CLOSING, /* our close (or shutdown) is queued; awaiting theirs */
	C_LINGER, /* done; the server should now end the TCP connection */
};

struct opts {
	enum mode mode;
	int raw, size_set, deflate;
	enum tls_use tls;
	const char *payload; /* a file: the echo message */
	size_t fragment; /* echo: payload bytes per frame; 0: one frame */
	unsigned long long hold_msgs; /* idle: echoed before holding */
	long conc, window, per_conn;
	unsigned long long count;
	size_t size;
	double secs, timeout;
	const char *path;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	char host_header[64];
};

struct lconn {
	int fd;
	SSL *ssl; /* NULL without TLS */
	enum cstate st;
	int step; /* session: messages received so far */
	long long t0, deadline; /* microseconds */
	/* get: the current request, and how the answer is going */
	long long t_req;
	unsigned long long answered;
	uint64_t body_left;
	int in_body, last, closes;
	struct ws_parser p;
	struct ws_response resp;
	unsigned long long frames; /* echo: copies of the shared frame queued */
	size_t frame_off;
	unsigned long long quota, sent, received;
	uint64_t msg_len, raw_bytes;
	size_t match;
	int mismatch, want_out, shut, held;
	struct conn_deflate pmd; /* --deflate: the server's messages */
	struct conn_buf zmsg; /* the message being inflated */
	char in[IN_CAP];
	size_t in_len;
	uint8_t out[OUT_CAP];
	size_t out_off, out_len;
};

struct run {
	struct opts o;
	int ep, sigfd;
	struct lconn *c;
	char request[512]; /* get: the keep-alive request */
	size_t request_len;
	char request_close[512]; /* get: the last on its connection */
	size_t request_close_len;
	char accept[WS_ACCEPT_LEN + 1];
	uint8_t
	    *frame; /* echo: one whole message, masked, sent again and again */
	size_t frame_len;
	/* --fragment: the frames of the message are this long (the last
	 * one maybe less), each written on its own */
	size_t frame_stride;
	uint8_t *payload; /* --payload: what frame carries, to compare */
	unsigned long long started, ok, failed, msgs, left_open, requested;
	/* --deflate: the server's compressed payloads, before and after
	 * inflating */
	unsigned long long wire_bytes, inflated_bytes;
	long active, opened, held;
	long next_fixed; /* echo, idle: the next connection to start */
	int first_fail, released;
	long long t_start, t_end, t_last;
	struct hist h;
	struct loadtls tls;
};

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void __attribute__((noreturn)) usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "load: %s\n", why);
	fputs(USAGE, stderr);
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn)) die(const char *what)
{
	fprintf(stderr, "load: %s: %s\n", what, strerror(errno));
	exit(EXIT_SYSTEM);
}

/* ---- options ---- */

static double
parse_num(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0)
		usage(what);
	if (*end == 'k' || *end == 'K')
		v *= 1024, end++;
	else if (*end == 'm' || *end == 'M')
		v *= 1024 * 1024, end++;
	if (*end != '\0')
		usage(what);
	return v;
}

/* Loopback only: this tool must never load anybody else's server. */
static void
parse_addr(struct opts *o, const char *host, const char *port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&o->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&o->addr;
	double p = parse_num(port, "PORT must be 1-65535");

	if (p < 1 || p > 65535 || p != (int)p)
		usage("PORT must be 1-65535");
	memset(&o->addr, 0, sizeof(o->addr));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		if ((ntohl(a4->sin_addr.s_addr) >> 24) != 127)
			usage("HOST must be a loopback address");
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		o->addrlen = sizeof(*a4);
		snprintf(o->host_header, sizeof(o->host_header), "%s:%d", host,
		    (int)p);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		if (!IN6_IS_ADDR_LOOPBACK(&a6->sin6_addr))
			usage("HOST must be a loopback address");
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		o->addrlen = sizeof(*a6);
		snprintf(o->host_header, sizeof(o->host_header), "[%s]:%d",
		    host, (int)p);
	} else {
		usage("HOST must be 127.0.0.1 or ::1");
	}
}

static const struct option LONGOPTS[] = {
	{ "raw", no_argument, NULL, 'r' },
	{ "path", required_argument, NULL, 'p' },
	{ "tls", no_argument, NULL, 'T' },
	{ "tls-resume", no_argument, NULL, 'R' },
	{ "deflate", no_argument, NULL, 'z' },
	{ "payload", required_argument, NULL, 'f' },
	{ "fragment", required_argument, NULL, 'F' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static void
parse_mode(struct opts *o, const char *m)
{
	if (strcmp(m, "session") == 0)
		o->mode = MODE_SESSION;
	else if (strcmp(m, "echo") == 0)
		o->mode = MODE_ECHO;
	else if (strcmp(m, "idle") == 0)
		o->mode = MODE_IDLE;
	else if (strcmp(m, "get") == 0)
		o->mode = MODE_GET;
	else
		usage("MODE must be session, echo, idle or get");
}

/* Defaults that keep every mode bounded when nothing is given. */
static void
set_defaults(struct opts *o)
{
	if (o->conc == 0)
		o->conc = o->mode == MODE_IDLE ? 100 : 1;
	if ((o->mode == MODE_SESSION || o->mode == MODE_GET) && o->count == 0 &&
	    o->secs == 0)
		o->count = 100;
	if (o->mode == MODE_ECHO && o->count == 0 && o->secs == 0)
		o->secs = 2;
	if (o->mode == MODE_IDLE && o->secs == 0)
		o->secs = 60;
	if ((o->mode == MODE_SESSION || o->mode == MODE_GET) && o->count == 0)
		o->count = ~0ULL;
	if (o->per_conn == 0)
		o->per_conn = 1;
	if (o->mode == MODE_ECHO && o->count == 0)
		o->count = ~0ULL;
}

static void
parse_opts(struct opts *o, int argc, char **argv)
{
	int ch;
	double v;

	memset(o, 0, sizeof(*o));
	o->size = 16, o->window = 16, o->timeout = 10, o->path = "/";
	if (argc < 2)
		usage(NULL);
	parse_mode(o, argv[1]);
	optind = 2;
	while ((ch = getopt_long(argc, argv, "c:k:m:n:d:s:w:q:t:h", LONGOPTS,
		    NULL)) != -1) {
		switch (ch) {
		case 'c':
		case 'k':
			v = parse_num(optarg, "-c/-k: a number of connections");
			if (v < 1 || v > MAX_CONNS)
				usage("-c/-k must be 1-20000");
			o->conc = (long)v;
			break;
		case 'n':
			v = parse_num(optarg, "-n: a count");
			if (v < 1)
				usage("-n must be at least 1");
			o->count = (unsigned long long)v;
			break;
		case 'd':
			o->secs = parse_num(optarg, "-d: seconds");
			break;
		case 's':
			v = parse_num(optarg, "-s: bytes");
			if (v < 1 || v > (1 << 30))
				usage("-s must be 1 byte to 1 GiB");
			o->size = (size_t)v;
			o->size_set = 1;
			break;
		case 'q':
			v = parse_num(optarg, "-q: requests");
			if (v < 1 || v > 1000000)
				usage("-q must be 1-1000000");
			o->per_conn = (long)v;
			break;
		case 'w':
			v = parse_num(optarg, "-w: messages");
			if (v < 1 || v > 1024)
				usage("-w must be 1-1024");
			o->window = (long)v;
			break;
		case 't':
			o->timeout = parse_num(optarg, "-t: seconds");
			break;
		case 'm':
			v = parse_num(optarg, "-m: a count of messages");
			o->hold_msgs = (unsigned long long)v;
			break;
		case 'r':
			o->raw = 1;
			break;
		case 'z':
			o->deflate = 1;
			break;
		case 'f':
			o->payload = optarg;
			break;
		case 'F':
			v = parse_num(optarg, "--fragment: bytes");
			if (v < 1 || v > (1 << 30))
				usage("--fragment must be 1 byte to 1 GiB");
			o->fragment = (size_t)v;
			break;
		case 'p':
			o->path = optarg;
			break;
		case 'T':
			if (o->tls == TLS_OFF)
				o->tls = TLS_FULL;
			break;
		case 'R':
			o->tls = TLS_RESUME;
			break;
		case 'h':
			fputs(USAGE, stdout);
			exit(EXIT_OK);
		default:
			usage(NULL);
		}
	}
	if (argc - optind != 2)
		usage("HOST and PORT are required");
	if (o->raw && o->mode == MODE_GET)
		usage("--raw does not go with get");
	if (o->deflate && o->raw)
		usage("--deflate is for WebSocket, not --raw");
	if (o->fragment && (o->mode != MODE_ECHO || o->raw || o->deflate))
		usage("--fragment is for echo, without --raw or --deflate");
	parse_addr(o, argv[optind], argv[optind + 1]);
	set_defaults(o);
}

/* ---- sending ---- */

static void
watch(struct run *r, struct lconn *c, int want_out)
{
	struct epoll_event ev = { 0 };

	if (c->want_out == want_out)
		return;
	c->want_out = want_out;
	ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0);
	ev.data.ptr = c;
	if (epoll_ctl(r->ep, EPOLL_CTL_MOD, c->fd, &ev) == -1)
		die("epoll_ctl");
}

static void
queue(struct lconn *c, const void *p, size_t n)
{
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	if (n > OUT_CAP - c->out_len)
		abort(); /* small control messages only: a bug here */
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
}

static uint32_t
next_mask(void)
{
	static uint32_t x = 2463534242u;

	x ^= x << 13, x ^= x >> 17, x ^= x << 5;
	return x;
}

/* A masked client frame (or a line, in raw mode) into the small buffer. */
static void
queue_message(struct run *r, struct lconn *c, int opcode, const char *text,
    size_t n)
{
	uint8_t hdr[WS_FRAME_HEADER_MAX], body[WS_MAX_CONTROL + 1], mask[4];
	uint32_t m = next_mask();
	size_t hl;

	if (r->o.raw) {
		queue(c, text, n);
		queue(c, "\n", 1);
		return;
	}
	memcpy(mask, &m, 4);
	memcpy(body, text, n);
	ws_mask(body, n, mask, 0);
	hl = ws_frame_header(hdr, 1, opcode, n, mask);
	queue(c, hdr, hl);
	queue(c, body, n);
}

static void
queue_close(struct run *r, struct lconn *c)
{
	uint8_t payload[WS_MAX_CONTROL];
	size_t n;

	c->st = C_CLOSING;
	c->deadline = now_us() + (long long)(r->o.timeout * 1e6);
	if (r->o.raw)
		return; /* echo, idle: shut down once the output is flushed;
			 * session: the server ends it after its reply */
	n = ws_close_payload(payload, WS_CLOSE_NORMAL, "");
	queue_message(r, c, WS_OP_CLOSE, (const char *)payload, n);
}

/* --fragment: the rest of the frame at frame_off, alone, so that each
 * frame is a write(2) of its own: with TCP_NODELAY, a segment. */
static int
one_fragment(const struct run *r, const struct lconn *c, struct iovec *iov)
{
	size_t end = (c->frame_off / r->frame_stride + 1) * r->frame_stride;

	if (end > r->frame_len)
		end = r->frame_len;
	iov[0].iov_base = r->frame + c->frame_off;
	iov[0].iov_len = end - c->frame_off;
	return 1;
}

/* The iovecs for what is queued: small messages first, then copies of
 * the echo frame. Returns how many. */
static int
pending(const struct run *r, struct lconn *c, struct iovec *iov)
{
	int n = 0, i;

	if (c->out_off < c->out_len) {
		iov[n].iov_base = c->out + c->out_off;
		iov[n++].iov_len = c->out_len - c->out_off;
	}
	if (r->frame_stride && n == 0 && c->frames > 0)
		return one_fragment(r, c, iov);
	if (r->frame_stride)
		return n;
	for (i = 0; (unsigned long long)i < c->frames && i < IOV_MAX_BATCH;
	     i++) {
		iov[n].iov_base = r->frame + (i == 0 ? c->frame_off : 0);
		iov[n++].iov_len = r->frame_len - (i == 0 ? c->frame_off : 0);
	}
	return n;
}

/* Drops w written bytes from the front of the queue. */
static void
consumed(const struct run *r, struct lconn *c, size_t w)
{
	size_t k = c->out_len - c->out_off;

	if (w < k) {
		c->out_off += w;
		return;
	}
	c->out_off = c->out_len = 0;
	w -= k;
	while (w > 0) {
		k = r->frame_len - c->frame_off;
		if (w < k) {
			c->frame_off += w;
			return;
		}
		w -= k;
		c->frame_off = 0;
		c->frames--;
	}
}

/* TLS writes one buffer at a time; it copies into records anyway. */
static ssize_t
conn_writev(struct lconn *c, const struct iovec *iov, int n)
{
	if (c->ssl != NULL)
		return loadtls_write(c->ssl, iov[0].iov_base, iov[0].iov_len);
	return writev(c->fd, iov, n);
}

/* Writes what is queued until done or the socket is full. Returns -1
 * when the connection broke. */
static int
flush(struct run *r, struct lconn *c)
{
	struct iovec iov[IOV_MAX_BATCH + 1];
	int n;
	ssize_t w;

	while ((n = pending(r, c, iov)) > 0) {
		w = conn_writev(c, iov, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN) {
			watch(r, c, 1);
			return 0;
		}
		if (w == -1)
			return -1;
		consumed(r, c, (size_t)w);
	}
	watch(r, c, 0);
	if (r->o.raw && r->o.mode != MODE_SESSION && c->st == C_CLOSING &&
	    !c->shut) {
		c->shut = 1;
		if (shutdown(c->fd, SHUT_WR) == -1)
			return -1;
	}
	return 0;
}

/* ---- connection life ---- */

static void
release(struct run *r, struct lconn *c)
{
	loadtls_free(c->ssl);
	c->ssl = NULL;
	conn_deflate_free(&c->pmd);
	free(c->zmsg.p);
	c->zmsg = (struct conn_buf){ 0 };
	close(c->fd);
	c->fd = -1;
	c->st = C_FREE;
	r->active--;
}

static void
fail(struct run *r, struct lconn *c, int code, const char *why)
{
	if (r->failed < 5)
		fprintf(stderr, "load: connection %ld: %s\n", (long)(c - r->c),
		    why);
	if (r->first_fail == 0)
		r->first_fail = code;
	r->failed++;
	release(r, c);
}

/* One exchange (or answer) done, timed from t0: count it. Returns now. */
static long long
count_ok(struct run *r, long long t0)
{
	long long t = now_us();

	hist_add(&r->h, (uint64_t)(t - t0));
	r->ok++;
	r->t_last = t;
	return t;
}

/* Nothing more to say: wait for the server's FIN. */
static void
linger(struct lconn *c, long long t)
{
	c->st = C_LINGER;
	c->deadline = t + LINGER_US;
}

/* The exchange is complete: count it, then wait for the server's FIN. */
static void
succeed(struct run *r, struct lconn *c)
{
	linger(c, count_ok(r, c->t0));
}

static int
start_conn(struct run *r, struct lconn *c)
{
	struct epoll_event ev = { 0 };
	int fd;

	fd = socket(r->o.addr.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket");
	/* Pipelined small frames must not wait for the server's delayed
	 * ACK; browsers and client libraries turn Nagle off too. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 },
		sizeof(int)) == -1)
		die("setsockopt");
	memset(c, 0, offsetof(struct lconn, in));
	c->in_len = 0;
	c->out_off = c->out_len = 0;
	c->frames = 0, c->frame_off = 0;
	c->sent = c->received = c->raw_bytes = 0;
	c->msg_len = 0, c->match = 0, c->mismatch = 0, c->shut = 0;
	c->fd = fd;
	c->st = C_CONNECTING;
	c->t0 = now_us();
	c->deadline = c->t0 + (long long)(r->o.timeout * 1e6);
	c->want_out = 1;
	/* Room for the hello exchange's messages whatever -s says. */
	ws_parser_init(&c->p, WS_ROLE_CLIENT, (uint64_t)r->o.size + 1024);
	ws_response_init(&c->resp, 0);
	c->resp.extensions_offered = r->o.deflate;
	r->started++;
	r->active++;
	if (r->o.mode == MODE_GET)
		r->requested++; /* its first request, promised now */
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.ptr = c;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		die("epoll_ctl");
	if (connect(fd, (struct sockaddr *)&r->o.addr, r->o.addrlen) == -1 &&
	    errno != EINPROGRESS) {
		fail(r, c, EXIT_CONNECT, strerror(errno));
		return -1;
	}
	return 0;
}

static int
may_start(const struct run *r)
{
	if (r->o.mode == MODE_GET)
		return r->requested < r->o.count &&
		    (r->t_end == 0 || now_us() < r->t_end);
	if (r->o.mode != MODE_SESSION)
		return 0;
	if (r->started >= r->o.count)
		return 0;
	return r->t_end == 0 || now_us() < r->t_end;
}

/* Idle with -m: echo the quota, then hold the connection open. */
static void
hold_refill(struct run *r, struct lconn *c)
{
	while (c->sent < c->quota &&
	    c->sent - c->received < (unsigned long long)r->o.window) {
		c->frames++;
		c->sent++;
	}
	if (c->received < c->quota || c->held)
		return;
	c->held = 1;
	r->held++;
	c->deadline = 0;
	if (r->released)
		queue_close(r, c);
}

/* Echo: keep the window full while the quota and the clock allow. */
static void
echo_refill(struct run *r, struct lconn *c)
{
	int more = r->t_end == 0 || now_us() < r->t_end;

	if (r->o.mode == MODE_IDLE) {
		hold_refill(r, c);
		return;
	}
	while (more && c->sent < c->quota &&
	    c->sent - c->received < (unsigned long long)r->o.window) {
		c->frames++;
		c->sent++;
	}
	if (c->sent == c->received && (!more || c->sent >= c->quota))
		queue_close(r, c);
}

/* The handshake is done (or, raw, the connection is up). */
static void
opened(struct run *r, struct lconn *c)
{
	c->st = C_OPEN;
	r->opened++;
	if (r->o.mode == MODE_IDLE) {
		c->quota = r->o.hold_msgs;
		hold_refill(r, c);
	} else if (r->o.mode == MODE_ECHO) {
		echo_refill(r, c);
	}
}

/* ---- receiving ---- */

/* Session: a whole message arrived; it must be the next one expected. */
static int
session_message(struct run *r, struct lconn *c, const char **why)
{
	const char *want = c->step == 0 ? WELCOME : REPLY;

	if (c->mismatch || c->match != strlen(want)) {
		*why = c->step == 0 ? "unexpected welcome" : "unexpected reply";
		return -1;
	}
	if (c->step++ == 0)
		queue_message(r, c, WS_OP_TEXT, HELLO, strlen(HELLO));
	else
		queue_close(r, c);
	return 0;
}

/* Compares a chunk of the current message with what it should be. */
static void
session_chunk(struct lconn *c, const uint8_t *p, size_t n)
{
	const char *want = c->step == 0 ? WELCOME : REPLY;
	size_t wl = strlen(want);

	if (c->match + n > wl || memcmp(want + c->match, p, n) != 0)
		c->mismatch = 1;
	else
		c->match += n;
}

static int
echo_message(struct run *r, struct lconn *c, const char **why)
{
	if (c->msg_len != r->o.size) {
		*why = "echo reply of the wrong size";
		return -1;
	}
	if (c->mismatch) {
		*why = "echo reply differs from the message sent";
		return -1;
	}
	c->received++;
	r->msgs++;
	r->t_last = now_us();
	echo_refill(r, c);
	return 0;
}

/* --deflate: a chunk of a compressed message, inflated; *p and *n are
 * then what it added. Returns -1 when the server's data is bad. */
static int
inflate_data(struct run *r, struct lconn *c, const struct ws_event *ev,
    const uint8_t **p, size_t *n, const char **why)
{
	size_t before = ev->first ? 0 : c->zmsg.len;

	if (conn_inflate_event(&c->pmd, ev, &c->zmsg, c->p.max_message, why))
		return -1;
	r->wire_bytes += ev->len;
	r->inflated_bytes += c->zmsg.len - before;
	*p = c->zmsg.p + before;
	*n = c->zmsg.len - before;
	return 0;
}

/* Echo of a known message: compare as it comes. */
static void
echo_chunk(struct run *r, struct lconn *c, const uint8_t *p, size_t n)
{
	if (r->payload == NULL || c->mismatch)
		return;
	if (c->msg_len > r->o.size || n > r->o.size - c->msg_len ||
	    memcmp(r->payload + c->msg_len, p, n) != 0)
		c->mismatch = 1;
}

/* One data event: bookkeeping, and at the end of a message its check. */
static int
on_data(struct run *r, struct lconn *c, const struct ws_event *ev,
    const char **why)
{
	const uint8_t *p = ev->data;
	size_t n = ev->len;

	if (ev->first)
		c->msg_len = 0, c->match = 0, c->mismatch = 0;
	if (ev->compressed && inflate_data(r, c, ev, &p, &n, why) == -1)
		return -1;
	if (r->o.mode == MODE_SESSION)
		session_chunk(c, p, n);
	else
		echo_chunk(r, c, p, n);
	c->msg_len += n;
	if (!ev->fin || c->st != C_OPEN)
		return 0;
	if (r->o.mode == MODE_SESSION)
		return session_message(r, c, why);
	if (r->o.mode == MODE_ECHO || c->quota > 0)
		return echo_message(r, c, why);
	return 0;
}

/* Feeds frames to the parser. Returns 1 when the connection is over
 * (released), 0 to go on. */
static int
feed_frames(struct run *r, struct lconn *c, uint8_t *p, size_t n)
{
	struct ws_event ev;
	const char *why = NULL;
	size_t used;

	while (n > 0 && c->st != C_LINGER) {
		used = ws_parser_feed(&c->p, p, n, &ev);
		p += used, n -= used;
		switch (ev.type) {
		case WS_EV_NONE:
		case WS_EV_PONG:
			break;
		case WS_EV_DATA:
			if (on_data(r, c, &ev, &why) == -1) {
				fail(r, c, EXIT_PROTOCOL, why);
				return 1;
			}
			break;
		case WS_EV_PING:
			queue_message(r, c, WS_OP_PONG, (const char *)ev.data,
			    ev.len);
			break;
		case WS_EV_CLOSE:
			if (c->st != C_CLOSING) {
				fail(r, c, EXIT_PROTOCOL,
				    "server closed before the exchange ended");
				return 1;
			}
			succeed(r, c);
			return 0;
		case WS_EV_ERROR:
			fail(r, c, EXIT_PROTOCOL, ev.reason);
			return 1;
		}
	}
	return 0;
}

/* Raw session: lines instead of messages. */
static int
raw_session(struct run *r, struct lconn *c)
{
	char *nl;
	const char *why = NULL;
	size_t len;

	while (
	    c->st == C_OPEN && (nl = memchr(c->in, '\n', c->in_len)) != NULL) {
		len = (size_t)(nl - c->in);
		c->match = 0, c->mismatch = 0;
		session_chunk(c, (const uint8_t *)c->in, len);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		if (session_message(r, c, &why) == -1) {
			fail(r, c, EXIT_PROTOCOL, why);
			return 1;
		}
	}
	if (c->in_len == IN_CAP) {
		fail(r, c, EXIT_PROTOCOL, "line too long");
		return 1;
	}
	return 0;
}

/* Raw echo: every SIZE bytes back is one message. */
static void
raw_echo(struct run *r, struct lconn *c)
{
	c->raw_bytes += c->in_len;
	c->in_len = 0;
	while (c->raw_bytes >= r->o.size && c->st == C_OPEN) {
		c->raw_bytes -= r->o.size;
		c->msg_len = r->o.size;
		(void)echo_message(r, c, NULL);
	}
}

/* --deflate: a server that answers without it fails, so that a silent
 * fallback never passes for a compressed figure. */
static int
agree_deflate(struct run *r, struct lconn *c)
{
	struct conn_deflate_opts o = { .on = 1 };
	struct ws_pmd agreed;
	const char *why;

	if (c->resp.extensions.p == NULL) {
		fail(r, c, EXIT_HANDSHAKE, "permessage-deflate not agreed");
		return -1;
	}
	if (ws_pmd_answer(c->resp.extensions, 1, &agreed, &why) == -1) {
		fail(r, c, EXIT_HANDSHAKE, why);
		return -1;
	}
	conn_deflate_setup(&c->pmd, &o, &agreed, WS_ROLE_CLIENT);
	c->p.rsv1_ok = 1;
	return 0;
}

static int
on_handshake(struct run *r, struct lconn *c)
{
	long end;
	size_t rest;

	end = ws_response_parse(&c->resp, c->in, c->in_len, r->accept, NULL);
	if (end == 0 && c->in_len == IN_CAP)
		end = -1, c->resp.reason = "response header too large";
	if (end == 0)
		return 0;
	if (end < 0) {
		fail(r, c, EXIT_HANDSHAKE, c->resp.reason);
		return 1;
	}
	rest = c->in_len - (size_t)end;
	c->in_len = 0;
	if (r->o.deflate && agree_deflate(r, c) == -1)
		return 1;
	opened(r, c);
	return feed_frames(r, c, (uint8_t *)c->in + end, rest);
}

/* ---- get: plain HTTP/1.1 ---- */

/* The next request on c: keep-alive while more are to follow on the
 * connection, else the one that asks the server to close it. */
static void
get_request(struct run *r, struct lconn *c)
{
	c->last = c->answered + 1 >= (unsigned long long)r->o.per_conn;
	if (c->last)
		queue(c, r->request_close, r->request_close_len);
	else
		queue(c, r->request, r->request_len);
	c->t_req = now_us();
	c->deadline = c->t_req + (long long)(r->o.timeout * 1e6);
	c->in_len = 0;
	c->in_body = 0;
}

/* 1 when the header line at p (n bytes, no CRLF) is name: and *value
 * its value. */
static int
header_is(const char *p, size_t n, const char *name, struct ws_str *value)
{
	size_t k = strlen(name);

	if (n <= k || p[k] != ':' || strncasecmp(p, name, k) != 0)
		return 0;
	value->p = p + k + 1;
	value->n = n - k - 1;
	while (value->n > 0 && (*value->p == ' ' || *value->p == '\t'))
		value->p++, value->n--;
	return 1;
}

/* The head of an answer, c->in[0, end): it must be 200 with a
 * Content-Length (*len); *closes when the server ends the connection
 * after it (Connection: close, or HTTP/1.0 without keep-alive). Returns
 * 0, or the exit status with *why: refused (not 200) or malformed. */
static int
get_head(struct lconn *c, size_t end, uint64_t *len, int *closes,
    const char **why)
{
	const char *p = c->in, *stop = c->in + end - 2, *eol;
	struct ws_str v;
	int have_len = 0;
	char *e;

	if (end < 16 || memcmp(p, "HTTP/1.", 7) != 0 || p[8] != ' ') {
		*why = "not an HTTP/1.x answer";
		return EXIT_PROTOCOL;
	}
	if (memcmp(p + 9, "200 ", 4) != 0) {
		*why = "the answer is not 200 OK";
		return EXIT_HANDSHAKE;
	}
	*closes = p[7] == '0';
	for (p = (const char *)memchr(p, '\n', end) + 1; p < stop;
	     p = eol + 2) {
		eol = memmem(p, (size_t)(stop + 2 - p), "\r\n", 2);
		if (header_is(p, (size_t)(eol - p), "Content-Length", &v)) {
			*len = strtoull(v.p, &e, 10);
			have_len = e != v.p && e == eol;
		} else if (header_is(p, (size_t)(eol - p), "Connection", &v)) {
			if (v.n == 5 && strncasecmp(v.p, "close", 5) == 0)
				*closes = 1;
			if (v.n == 10 &&
			    strncasecmp(v.p, "keep-alive", 10) == 0)
				*closes = 0;
		}
	}
	if (!have_len)
		*why = "the answer has no valid Content-Length";
	return have_len ? 0 : EXIT_PROTOCOL;
}

/* A whole answer is in: count it, then ask again on the connection or
 * wait for the server to end it. */
static int
get_answered(struct run *r, struct lconn *c)
{
	long long t = count_ok(r, c->t_req);

	c->answered++;
	if (c->closes && !c->last) {
		fail(r, c, EXIT_LOST,
		    "the server closes the connection before -q requests");
		return 1;
	}
	if (!c->last && may_start(r)) {
		r->requested++;
		get_request(r, c);
		return 0;
	}
	/* the count or the clock says stop: let the server end it */
	if (!c->last && shutdown(c->fd, SHUT_WR) == -1) {
		fail(r, c, EXIT_LOST, strerror(errno));
		return 1;
	}
	linger(c, t);
	return 0;
}

/* Bytes of an answer arrived. Returns 1 when the connection is over. */
static int
get_bytes(struct run *r, struct lconn *c, size_t n)
{
	const char *why = NULL, *end;
	size_t head;
	int code;

	if (!c->in_body) {
		c->in_len += n;
		end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
		if (end == NULL && c->in_len == IN_CAP)
			why = "answer head too large";
		if (end == NULL) {
			if (why != NULL)
				fail(r, c, EXIT_PROTOCOL, why);
			return why != NULL;
		}
		head = (size_t)(end - c->in) + 4;
		if ((code = get_head(c, head, &c->body_left, &c->closes,
			 &why)) != 0) {
			fail(r, c, code, why);
			return 1;
		}
		if (r->o.size_set && c->body_left != r->o.size) {
			fail(r, c, EXIT_PROTOCOL, "a body of the wrong size");
			return 1;
		}
		c->in_body = 1;
		n = c->in_len - head;
	}
	c->in_len = 0; /* the body itself is not kept */
	if (n > c->body_left) {
		fail(r, c, EXIT_PROTOCOL, "more bytes than Content-Length");
		return 1;
	}
	c->body_left -= n;
	return c->body_left > 0 ? 0 : get_answered(r, c);
}

/* Data arrived. Returns 1 when the connection is over. */
static int
on_bytes(struct run *r, struct lconn *c, size_t n)
{
	if (c->st == C_LINGER)
		return 0;
	if (r->o.mode == MODE_GET)
		return get_bytes(r, c, n);
	if (c->st == C_HANDSHAKE) {
		c->in_len += n;
		return on_handshake(r, c);
	}
	if (!r->o.raw) {
		c->in_len = 0;
		return feed_frames(r, c, (uint8_t *)c->in, n);
	}
	c->in_len += n;
	if (r->o.mode == MODE_SESSION)
		return raw_session(r, c);
	if (r->o.mode == MODE_ECHO)
		raw_echo(r, c);
	else
		c->in_len = 0;
	return 0;
}

static void
on_eof(struct run *r, struct lconn *c)
{
	if (c->st == C_LINGER)
		release(r, c);
	else if (r->o.raw && c->st == C_CLOSING) {
		succeed(r, c);
		release(r, c);
	} else
		fail(r, c, EXIT_LOST,
		    r->o.mode == MODE_GET
			? "connection closed before the whole answer"
			: "connection closed without a close frame");
}

static ssize_t
conn_read(struct lconn *c)
{
	ssize_t n;

	if (c->ssl != NULL)
		return loadtls_read(c->ssl, c->in + c->in_len,
		    IN_CAP - c->in_len);
	do
		n = read(c->fd, c->in + c->in_len, IN_CAP - c->in_len);
	while (n == -1 && errno == EINTR);
	return n;
}

/* One read; over TLS, reads until the socket is dry, since decrypted
 * bytes OpenSSL holds would raise no event. Returns 1 when over. */
static int
on_readable(struct run *r, struct lconn *c)
{
	ssize_t n;

	do {
		n = conn_read(c);
		if (n == -1 && errno == EAGAIN)
			return 0;
		if (n == -1) {
			fail(r, c, EXIT_LOST, strerror(errno));
			return 1;
		}
		if (n == 0) {
			on_eof(r, c);
			return 1;
		}
		if (r->o.mode == MODE_ECHO && c->st == C_OPEN)
			c->deadline =
			    now_us() + (long long)(r->o.timeout * 1e6);
		if (on_bytes(r, c, (size_t)n))
			return 1;
	} while (c->ssl != NULL);
	return 0;
}

/* The byte stream is there (TCP, or TLS over it): the WebSocket
 * handshake, or in raw mode the exchange itself, starts. */
static void
transport_up(struct run *r, struct lconn *c)
{
	if (r->o.mode == MODE_GET) {
		c->st = C_OPEN;
		get_request(r, c);
	} else if (r->o.raw) {
		opened(r, c);
	} else {
		c->st = C_HANDSHAKE;
		queue(c, r->request, r->request_len);
	}
}

static int
on_connected(struct run *r, struct lconn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	if (err != 0) {
		fail(r, c, EXIT_CONNECT, strerror(err));
		return 1;
	}
	if (r->o.tls != TLS_OFF) {
		if ((c->ssl = loadtls_new(&r->tls, c->fd)) == NULL) {
			fail(r, c, EXIT_TLS, "cannot start TLS");
			return 1;
		}
		c->st = C_TLS;
		return 0;
	}
	transport_up(r, c);
	return 0;
}

/* TLS: one step of its handshake. Returns 1 when the connection is over
 * or still in the handshake, 0 once it is done. */
static int
on_tls(struct run *r, struct lconn *c)
{
	const char *why = "";
	int want_out = 0,
	    rc = loadtls_handshake(&r->tls, c->ssl, &want_out, &why);

	if (rc == -1) {
		fail(r, c, EXIT_TLS, why);
		return 1;
	}
	if (rc == 0) {
		watch(r, c, want_out);
		return 1;
	}
	transport_up(r, c);
	return 0;
}

static void
on_event(struct run *r, struct lconn *c, uint32_t events)
{
	if (c->st == C_CONNECTING) {
		if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			return;
		if (on_connected(r, c))
			return;
	}
	if (c->st == C_TLS && on_tls(r, c))
		return;
	if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && on_readable(r, c))
		return;
	if (c->st != C_FREE && flush(r, c) == -1)
		fail(r, c, EXIT_LOST, strerror(errno));
}

/* ---- the loop ---- */

static void
check_deadlines(struct run *r)
{
	long long t = now_us();
	long i;

	for (i = 0; i < r->o.conc; i++) {
		struct lconn *c = &r->c[i];

		if (c->st == C_FREE || c->deadline == 0 || t <= c->deadline)
			continue;
		if (c->st == C_LINGER) {
			r->left_open++;
			release(r, c);
		} else {
			fail(r, c, EXIT_TIMEOUT, "timed out");
		}
	}
}

/* Idle: time to let go of the connections. */
static void
release_all(struct run *r)
{
	long i;

	r->released = 1;
	for (i = 0; i < r->o.conc; i++) {
		struct lconn *c = &r->c[i];

		if (c->st == C_OPEN) {
			queue_close(r, c);
			if (flush(r, c) == -1)
				fail(r, c, EXIT_LOST, strerror(errno));
		} else if (c->st != C_FREE && c->deadline == 0) {
			c->deadline =
			    now_us() + (long long)(r->o.timeout * 1e6);
		}
	}
}

static void
on_signal_or_stdin(struct run *r, int fd)
{
	char buf[256];

	if (read(fd, buf, sizeof(buf)) == -1 && errno != EAGAIN &&
	    errno != EINTR)
		die("read");
	if (!r->released)
		release_all(r);
}

static void watch_stdin(struct run *r);
static void start_fixed(struct run *r);

/* Idle: "ready" once every connection is open or has failed. */
static void
idle_progress(struct run *r, int *ready)
{
	long i, open = 0;

	if (*ready || r->held + (long)r->failed < r->o.conc)
		return;
	for (i = 0; i < r->o.conc; i++)
		open += r->c[i].st == C_OPEN && r->c[i].held;
	*ready = 1;
	printf("ready open=%ld failed=%llu\n", open, r->failed);
	fflush(stdout);
	watch_stdin(r);
}

/* --tls-resume: one session alone first, so that the others have its
 * ticket to offer (if the server issues one) instead of all starting
 * before there is one. */
static long
session_slots(const struct run *r)
{
	if (r->o.tls == TLS_RESUME && r->ok + r->failed == 0)
		return 1;
	return r->o.conc;
}

static void
refill_sessions(struct run *r)
{
	long i, slots = session_slots(r);

	for (i = 0; i < slots && may_start(r); i++)
		if (r->c[i].st == C_FREE)
			start_conn(r, &r->c[i]);
}

static void
loop(struct run *r)
{
	struct epoll_event evs[256];
	long long last_scan = now_us();
	int i, n, ready = 0;

	while (r->active > 0 || may_start(r) ||
	    (r->o.mode == MODE_IDLE && r->next_fixed < r->o.conc &&
		!r->released)) {
		refill_sessions(r);
		n = epoll_wait(r->ep, evs, 256, SCAN_MS);
		if (n == -1 && errno != EINTR)
			die("epoll_wait");
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				on_signal_or_stdin(r, r->sigfd);
			else if (evs[i].data.ptr == (void *)r)
				on_signal_or_stdin(r, 0);
			else
				on_event(r, evs[i].data.ptr, evs[i].events);
		}
		if (r->o.mode == MODE_IDLE) {
			start_fixed(r);
			idle_progress(r, &ready);
		}
		if (now_us() - last_scan >= SCAN_MS * 1000) {
			last_scan = now_us();
			check_deadlines(r);
			if (r->o.mode == MODE_IDLE && !r->released &&
			    last_scan > r->t_end)
				release_all(r);
		}
	}
}

/* ---- set-up and report ---- */

/* get: the two requests, the path checked by the core's request
 * builder (one line, visible characters). */
static void
get_requests(struct run *r)
{
	r->request_len = (size_t)snprintf(r->request, sizeof(r->request),
	    "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", r->o.path, r->o.host_header);
	r->request_close_len =
	    (size_t)snprintf(r->request_close, sizeof(r->request_close),
		"GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
		r->o.path, r->o.host_header);
	if (r->request_close_len >= sizeof(r->request_close) ||
	    r->request_close_len > OUT_CAP)
		usage("--path does not fit in a request line");
}

/* --payload: the whole file, which says the message size. */
static void
read_payload(struct run *r)
{
	FILE *f = fopen(r->o.payload, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0)
		die(r->o.payload);
	if (n < 1 || n > (1L << 30))
		usage("--payload must be 1 byte to 1 GiB");
	r->o.size = (size_t)n;
	if ((r->payload = malloc(r->o.size)) == NULL)
		die("malloc");
	rewind(f);
	if (fread(r->payload, 1, r->o.size, f) != r->o.size)
		die(r->o.payload);
	fclose(f);
}

/* --deflate: the message compressed once, on its own, with a 512-byte
 * window (zlib's least), which every window a server may ask of us
 * holds. 0 when it does not shrink, and goes as it is. */
static size_t
deflate_once(const uint8_t *p, size_t n, uint8_t *out)
{
	struct conn_deflate_opts o = { .on = 1, .window = 9 };
	struct ws_pmd none = { 0 };
	struct conn_deflate d;
	size_t z;

	conn_deflate_setup(&d, &o, &none, WS_ROLE_CLIENT);
	z = conn_deflate_message(&d, NULL, 0, p, n, out, n + 8);
	conn_deflate_free(&d);
	return z;
}

/* --fragment: the message body as masked frames of o.fragment bytes
 * each (a text message continued), into r->frame. */
static void
build_fragments(struct run *r, const uint8_t *body)
{
	uint8_t hdr[WS_FRAME_HEADER_MAX], mask[4] = { 0 }, *p;
	size_t at, n, f = r->o.fragment;
	uint32_t m;

	r->frame_stride = ws_frame_header(hdr, 0, 0, f, mask) + f;
	r->frame_len = (r->o.size + f - 1) / f * r->frame_stride;
	if ((r->frame = malloc(r->frame_len)) == NULL)
		die("malloc");
	p = r->frame;
	for (at = 0; at < r->o.size; at += n) {
		n = r->o.size - at < f ? r->o.size - at : f;
		m = next_mask();
		memcpy(mask, &m, 4);
		p += ws_frame_header(p, at + n == r->o.size,
		    at == 0 ? WS_OP_TEXT : WS_OP_CONT, n, mask);
		memcpy(p, body + at, n);
		ws_mask(p, n, mask, 0);
		p += n;
	}
	r->frame_len = (size_t)(p - r->frame);
}

static void
build_frame(struct run *r)
{
	uint8_t hdr[WS_FRAME_HEADER_MAX], mask[4], *body;
	uint32_t m = next_mask();
	size_t hl, len = r->o.size, z = 0;

	memcpy(mask, &m, 4);
	if ((body = malloc(r->o.size + 8)) == NULL)
		die("malloc");
	if (r->payload == NULL)
		memset(body, 'a', r->o.size);
	else if (!r->o.deflate ||
	    (z = deflate_once(r->payload, r->o.size, body)) == 0)
		memcpy(body, r->payload, r->o.size);
	if (r->o.fragment) {
		build_fragments(r, body);
		free(body);
		return;
	}
	if (z > 0)
		len = z;
	hl = r->o.raw ? 0 : ws_frame_header(hdr, 1, WS_OP_TEXT, len, mask);
	if (z > 0)
		hdr[0] |= WS_FRAME_RSV1;
	r->frame_len = hl + len;
	if ((r->frame = malloc(r->frame_len)) == NULL)
		die("malloc");
	memcpy(r->frame, hdr, hl);
	memcpy(r->frame + hl, body, len);
	if (!r->o.raw)
		ws_mask(r->frame + hl, len, mask, 0);
	free(body);
}

static void
watch_signals(struct run *r)
{
	struct epoll_event ev = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (r->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		die("signalfd");
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, r->sigfd, &ev) == -1)
		die("epoll_ctl");
}

/* Idle, once ready: a line or EOF on stdin lets go. A file or /dev/null,
 * which epoll refuses, is at its end already: let go at once. */
static void
watch_stdin(struct run *r)
{
	struct epoll_event ev = { 0 };

	ev.events = EPOLLIN;
	ev.data.ptr = r;
	if (epoll_ctl(r->ep, EPOLL_CTL_ADD, 0, &ev) == 0)
		return;
	if (errno == EPERM)
		release_all(r);
	/* else no stdin at all: a signal or the duration ends the hold */
}

static void
setup(struct run *r)
{
	long i;

	signal(SIGPIPE, SIG_IGN);
	if ((r->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		die("epoll_create1");
	if ((r->c = calloc((size_t)r->o.conc, sizeof(*r->c))) == NULL)
		die("calloc");
	for (i = 0; i < r->o.conc; i++)
		r->c[i].fd = -1;
	if (r->o.tls != TLS_OFF &&
	    loadtls_init(&r->tls, r->o.tls == TLS_RESUME) == -1)
		exit(EXIT_TLS);
	ws_accept_key(KEY, strlen(KEY), r->accept);
	r->request_len =
	    ws_client_request(r->request, sizeof(r->request), r->o.host_header,
		r->o.path, KEY, r->o.deflate ? &OFFER : NULL, r->o.deflate);
	if (r->request_len == 0)
		usage("--path does not fit in a request line");
	if (r->o.mode == MODE_GET)
		get_requests(r);
	if (r->o.payload)
		read_payload(r);
	if (r->o.mode == MODE_ECHO || r->o.hold_msgs > 0)
		build_frame(r);
	r->t_start = now_us();
	if (r->o.secs > 0)
		r->t_end = r->t_start + (long long)(r->o.secs * 1e6);
	if (r->o.mode == MODE_IDLE)
		watch_signals(r);
}

/* Idle: handshakes under way at most. Clients arrive in waves, not
 * ten thousand SYNs in one go, which would overflow a listen backlog
 * (node's is 511) and measure that instead of the server. */
#define IDLE_OPENING 128

static int
may_open(const struct run *r)
{
	if (r->o.mode == MODE_IDLE && r->released)
		return 0;
	return r->o.mode != MODE_IDLE ||
	    (long long)r->started - r->held - (long long)r->failed <
	    IDLE_OPENING;
}

/* Echo, idle: the count is shared out among the connections; idle
 * starts them as may_open allows, the loop calling again. */
static void
start_fixed(struct run *r)
{
	unsigned long long each = r->o.count / (unsigned long long)r->o.conc;
	unsigned long long extra = r->o.count % (unsigned long long)r->o.conc;
	long i;

	while (r->next_fixed < r->o.conc && may_open(r)) {
		i = r->next_fixed++;
		r->c[i].quota = 0;
		if (start_conn(r, &r->c[i]) == 0)
			r->c[i].quota = r->o.count == ~0ULL
			    ? ~0ULL
			    : each + ((unsigned long long)i < extra);
	}
}

static void
report(struct run *r)
{
	double secs = (double)((r->t_last > r->t_start ? r->t_last : now_us()) -
			  r->t_start) /
	    1e6;

	if (r->o.mode == MODE_SESSION) {
		printf("session ok=%llu failed=%llu secs=%.3f per_sec=%.1f "
		       "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f",
		    r->ok, r->failed, secs, secs > 0 ? (double)r->ok / secs : 0,
		    (double)hist_percentile(&r->h, 0.50) / 1e3,
		    (double)hist_percentile(&r->h, 0.90) / 1e3,
		    (double)hist_percentile(&r->h, 0.99) / 1e3,
		    (double)hist_percentile(&r->h, 1.0) / 1e3);
	} else if (r->o.mode == MODE_ECHO) {
		printf("echo ok=%llu failed=%llu secs=%.3f size=%zu msgs=%llu "
		       "msgs_per_sec=%.1f mb_per_sec=%.2f wire_bytes=%llu "
		       "inflated_bytes=%llu",
		    r->ok, r->failed, secs, r->o.size, r->msgs,
		    secs > 0 ? (double)r->msgs / secs : 0,
		    secs > 0 ? (double)r->msgs * (double)r->o.size / secs / 1e6
			     : 0,
		    r->wire_bytes, r->inflated_bytes);
		if (r->o.fragment)
			printf(" fragment=%zu frames_per_msg=%zu",
			    r->o.fragment,
			    (r->o.size + r->o.fragment - 1) / r->o.fragment);
	} else if (r->o.mode == MODE_GET) {
		printf("get ok=%llu failed=%llu secs=%.3f conns=%llu "
		       "per_sec=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f "
		       "max_ms=%.3f",
		    r->ok, r->failed, secs, r->started,
		    secs > 0 ? (double)r->ok / secs : 0,
		    (double)hist_percentile(&r->h, 0.50) / 1e3,
		    (double)hist_percentile(&r->h, 0.90) / 1e3,
		    (double)hist_percentile(&r->h, 0.99) / 1e3,
		    (double)hist_percentile(&r->h, 1.0) / 1e3);
	} else {
		printf("idle ok=%llu failed=%llu msgs=%llu wire_bytes=%llu "
		       "inflated_bytes=%llu",
		    r->ok, r->failed, r->msgs, r->wire_bytes,
		    r->inflated_bytes);
	}
	if (r->o.tls != TLS_OFF)
		printf(" tls_full=%llu tls_resumed=%llu", r->tls.full,
		    r->tls.resumed);
	putchar('\n');
	if (r->left_open > 0)
		fprintf(stderr,
		    "load: the server left %llu finished connections open\n",
		    r->left_open);
}

int
main(int argc, char **argv)
{
	static struct run r;

	parse_opts(&r.o, argc, argv);
	if ((r.o.mode == MODE_SESSION || r.o.mode == MODE_GET) &&
	    (unsigned long long)r.o.conc > r.o.count)
		r.o.conc = (long)r.o.count;
	setup(&r);
	if (r.o.mode != MODE_SESSION && r.o.mode != MODE_GET)
		start_fixed(&r);
	loop(&r);
	report(&r);
	return r.failed == 0 ? EXIT_OK : r.first_fail;
}
