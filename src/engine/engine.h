/* SPDX-License-Identifier: ISC */
/*
 * The connection engine: one poll loop over the peer's fds (plus those a
 * handler owns, such as a child's pipes), bounded buffers with backpressure,
 * deadlines, the opening and closing handshakes. Both roles.
 */
#ifndef ENGINE_H
#define ENGINE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "deflate.h"
#include "ws.h"

struct conn;
struct ssl_ctx_st;
struct ssl_st;

struct conn_handler {
	/* The opening handshake succeeded. */
	void (*open)(struct conn *c);
	/* A whole message arrived; data lives only during the call. */
	void (*message)(struct conn *c, int opcode, const uint8_t *data,
	    size_t len);
	/* aux_fd is readable (or at EOF). */
	void (*aux)(struct conn *c);
	/* Fds of the handler's own (a child's pipes): fill up to
	 * CONN_AUX_MAX entries and return how many, every round... */
	int (*aux_poll)(struct conn *c, struct pollfd *pf);
	/* ...and see them after poll, revents filled. */
	void (*aux_ready)(struct conn *c, const struct pollfd *pf, int n);
	/* The peer's close frame came before ours. Return 1 to answer it
	 * later with conn_close, sending what is still on its way until
	 * then (close_ms at most); 0, or no handler, answers it at once. */
	int (*peer_close)(struct conn *c);
};

#define CONN_AUX_MAX 4

struct conn_opts {
	enum ws_role role;
	uint64_t max_message; /* 0: WS_MAX_MESSAGE_DEFAULT */
	size_t max_header; /* 0: WS_MAX_HEADER_DEFAULT */
	int handshake_ms; /* each 0: no bound */
	int idle_ms;
	int close_ms;
	int total_ms;
	int ping_ms; /* ping this often while open; no pong by the next: dead */
	uint64_t max_frames; /* per message; 0: the parser's default */
	/* server: which requests to accept (NULL: all) and extra 101 lines */
	const struct ws_policy *policy;
	const char *const *headers;
	size_t nheaders;
	/* Server: judges a parsed upgrade request before the 101 goes out.
	 * 0 accepts it; an HTTP status refuses it, *reason saying why (in
	 * the answer's body and the log, so nothing internal). NULL: all
	 * valid requests are accepted. */
	int (*check_request)(const struct ws_request *r, const char **reason);
	/* Server: answers a request that is plain HTTP (ws_request.plain)
	 * with conn_http_queue and conn_http_file, and returns 1 to keep the
	 * connection for another request (keep-alive; an upgrade may come
	 * next), 0 to close it once the answer is out. NULL: plain requests
	 * are refused like any other that is not an upgrade. */
	int (*http_request)(struct conn *c, const struct ws_request *r);
	/* TLS (tls.h) over the peer's fds when set; NULL: plain bytes.
	 * Client: tls_host is the name or address to verify. */
	struct ssl_ctx_st *tls_ctx;
	const char *tls_host;
	/* permessage-deflate: a client offers it, a server accepts offers */
	struct conn_deflate_opts deflate;
};

enum conn_state {
	CONN_HANDSHAKE,
	CONN_OPEN,
	CONN_FINISHING, /* the peer's close came; ours waits for the handler */
	CONN_CLOSING, /* our close frame is queued; waiting for theirs */
	CONN_DRAIN, /* finished: flush, shut down, discard until EOF */
	CONN_DONE,
};

struct conn {
	int rfd, wfd, aux_fd;
	/* The transport: plain read/write on rfd/wfd, or TLS over them.
	 * With TLS, what the last read and write each wait for (POLLIN or
	 * POLLOUT), and whether OpenSSL holds input our buffer had no room
	 * for. */
	struct ssl_st *tls;
	short tls_rwant, tls_wwant;
	int tls_more;
	struct conn_opts o;
	const struct conn_handler *h;
	void *ctx;

	enum conn_state state;
	struct conn_buf in, out, msg;
	size_t in_base; /* in's first size, which it shrinks back to */
	int msg_opcode;
	struct ws_parser parser;

	struct ws_request req; /* server: the upgrade request */
	struct ws_response resp; /* client: the server's answer */
	const char *accept; /* client: the Sec-WebSocket-Accept we expect */
	const char *protocols; /* client: what we offered, or NULL */
	/* server: the subprotocol chosen, n 0 for none; it points into
	 * o.policy->protocols, so it lives as long as the policy does */
	struct ws_str protocol;
	/* permessage-deflate, when agreed; server: the answer sent */
	struct conn_deflate pmd;
	char pmd_answer[WS_PMD_FORMAT_MAX];

	/* 1 while reads wait for a batch of a message in small frames
	 * (SO_RCVLOWAT raised), 0 not, -1 never (not a socket) */
	int coalesce;
	int sent_close, got_close, shut;
	int hold_input; /* set by the handler: parse no more frames for now */
	unsigned peer_code;
	char peer_reason[WS_MAX_CONTROL + 1];
	int status; /* exit status once decided, else -1 */
	char why[160]; /* one line on how it ended */

	/* server, plain HTTP: a file still to send once out is empty; an
	 * answer on its way (no request is parsed meanwhile); close after
	 * it; input left for the next request; answers so far */
	int body_fd;
	uint64_t body_left;
	int http_busy, http_close, http_next;
	unsigned http_served;

	uint64_t bytes_in, bytes_out;
	/* hs_start_ms: since when the next request is awaited (or the
	 * current answer last moved) */
	long long start_ms, hs_start_ms, last_rx_ms, deadline_ms;
	long long next_ping_ms; /* while open with ping_ms */
	unsigned long pings_sent; /* the payload of our last ping */
	int pong_due; /* that ping is not answered yet */
};

/* Sets up a connection on rfd/wfd (the same fd for a socket); makes them
 * non-blocking; with o->tls_ctx, TLS runs over them. Returns -1 on
 * allocation failure. */
int conn_init(struct conn *c, int rfd, int wfd, const struct conn_opts *o,
    const struct conn_handler *h, void *ctx);
/* Client: queue the upgrade request and say what the answer must hold. */
int conn_client_start(struct conn *c, const char *request, size_t len,
    const char *accept, const char *protocols);
/* Runs until the connection is over; returns the exit status. */
int conn_run(struct conn *c);
void conn_free(struct conn *c);

/* Queue one message: prefix then data, as one frame, compressed when
 * permessage-deflate was agreed and it shrinks. Dropped after our
 * close frame. Returns -1 when out of memory (the connection fails). */
int conn_send(struct conn *c, int opcode, const void *prefix, size_t plen,
    const void *data, size_t len);
/* 1 while the connection is open (or finishing after the peer's close)
 * and its output below the high-water mark: a handler may read more of
 * what it forwards to the peer. */
int conn_may_send(const struct conn *c);
/* Plain HTTP, from the http_request handler: queue bytes of the answer
 * (-1 when out of memory: the connection fails); then, optionally, len
 * bytes of the regular file fd from its offset, which the connection now
 * owns and closes: sent with sendfile, or through TLS. */
int conn_http_queue(struct conn *c, const void *p, size_t n);
void conn_http_file(struct conn *c, int fd, uint64_t len);

/* Start the close handshake with code and reason (code 0: no payload);
 * after a peer_close that returned 1, finish it. */
void conn_close(struct conn *c, unsigned code, const char *reason);
/* Sets the exit status and reason unless one was already decided. */
void conn_end(struct conn *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
