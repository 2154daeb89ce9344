/* SPDX-License-Identifier: ISC */
/*
 * The connection engine: a poll loop that moves bytes between the peer
 * and the protocol core, with bounded buffers, backpressure, deadlines
 * and both handshakes. It knows nothing of services; handlers do.
 */
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "engine.h"
#include "exits.h"
#include "log.h"
#include "net.h"
#include "tls.h"

/* Input is read in chunks of this size once the handshake is over; the
 * buffer holds one more frame header, so that a frame of a whole chunk
 * (a 64 KiB message) fits and its payload is handed out where it lies.
 * A larger frame (up to --max-message) grows the buffer as its payload
 * arrives, and is handed out where it lies too; the buffer shrinks back
 * at the next frame that fits. */
#define IN_CHUNK (64 * 1024)
#define IN_CAP (IN_CHUNK + WS_FRAME_HEADER_MAX)
/* Stop parsing input while this much output waits: a peer that does not
 * read cannot make us queue without bound. */
#define OUT_HIGH (256 * 1024)
/* Payloads from this size on are written straight from where they lie
 * (often the input buffer) when nothing else waits to go out; smaller
 * ones are cheaper to copy and send together. */
#define DIRECT_MIN (16 * 1024)
/* How long to wait for the peer to close after a finished conversation
 * when no close timeout is set. */
#define DRAIN_MS 2000
/* A message that has come in this many frames, each read on its own
 * wake-up of fewer than COALESCE_BYTES, is read in batches: the socket
 * wakes us once COALESCE_BYTES are in (SO_RCVLOWAT), or after
 * COALESCE_MS. Nothing of a message is handed out before its last
 * frame, and a wake-up per TCP segment costs the sender too (Autobahn's
 * 9.3: 64-byte frames, a segment each). */
#define COALESCE_FRAMES 16
#define COALESCE_BYTES 4096
#define COALESCE_MS 1
/* Our pings carry this and a counter, so that a pong is matched to the
 * ping it answers and an unsolicited one is ignored. */
#define PING_TAG "keepalive "

void
conn_end(struct conn *c, int status, const char *fmt, ...)
{
	va_list ap;

	if (c->status >= 0)
		return;
	c->status = status;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

int
conn_init(struct conn *c, int rfd, int wfd, const struct conn_opts *o,
    const struct conn_handler *h, void *ctx)
{
	size_t incap;

	memset(c, 0, sizeof(*c));
	c->rfd = rfd;
	c->wfd = wfd;
	c->aux_fd = -1;
	c->body_fd = -1;
	c->o = *o;
	if (c->o.max_header == 0)
		c->o.max_header = WS_MAX_HEADER_DEFAULT;
	if (c->o.max_message == 0)
		c->o.max_message = WS_MAX_MESSAGE_DEFAULT;
	c->h = h;
	c->ctx = ctx;
	c->status = -1;
	c->protocol = (struct ws_str){ "", 0 }; /* printable when none */
	c->state = CONN_HANDSHAKE;
	c->start_ms = c->hs_start_ms = c->last_rx_ms = clock_ms();
	ws_parser_init(&c->parser, o->role, c->o.max_message);
	if (c->o.max_frames)
		c->parser.max_frames = c->o.max_frames;
	ws_request_init(&c->req, c->o.max_header);
	ws_response_init(&c->resp, c->o.max_header);
	c->resp.extensions_offered = c->o.deflate.on;
	/* One byte over the header limit lets the parser see it exceeded. */
	incap = c->o.max_header + 1 > IN_CAP ? c->o.max_header + 1 : IN_CAP;
	/* The small output buffer first, the input buffer after it: the
	 * answer, the first messages and the start of the request then lie
	 * in one page of the heap, which a forked child copies anyway. */
	if (conn_buf_reserve(&c->out, 1) == -1 ||
	    (c->in.p = malloc(incap)) == NULL)
		return -1;
	c->in.cap = c->in_base = incap;
	c->parser.whole_max = c->o.max_message;
	c->tls_rwant = POLLIN;
	c->tls_wwant = POLLOUT;
	if (o->tls_ctx != NULL &&
	    (c->tls = tls_new(o->tls_ctx, rfd, wfd, o->tls_host)) == NULL)
		return -1;
	net_set_nonblock(rfd);
	net_set_nonblock(wfd);
	return 0;
}

void
conn_free(struct conn *c)
{
	free(c->in.p);
	free(c->out.p);
	free(c->msg.p);
	c->in.p = c->out.p = c->msg.p = NULL;
	if (c->tls != NULL)
		tls_free(c->tls);
	c->tls = NULL;
	conn_deflate_free(&c->pmd);
	if (c->body_fd >= 0)
		close(c->body_fd);
	c->body_fd = -1;
}

int
conn_client_start(struct conn *c, const char *request, size_t len,
    const char *accept, const char *protocols)
{
	if (conn_buf_reserve(&c->out, len) == -1)
		return -1;
	memcpy(c->out.p + c->out.len, request, len);
	c->out.len += len;
	c->accept = accept;
	c->protocols = protocols;
	return 0;
}

static void
mask_key(uint8_t key[4])
{
	/* Masks must be unpredictable to intermediaries (RFC 6455 10.3);
	 * a small pool keeps it to one getrandom per 64 frames. */
	static uint8_t pool[256];
	static size_t used = sizeof(pool);

	if (used == sizeof(pool)) {
		if (getrandom(pool, sizeof(pool), 0) != (ssize_t)sizeof(pool))
			abort(); /* no entropy: never send guessable masks */
		used = 0;
	}
	memcpy(key, pool + used, 4);
	used += 4;
}

/* Queues one frame, whatever the state; callers decide if it may go. */
static int
queue_frame(struct conn *c, int opcode, const void *prefix, size_t plen,
    const void *data, size_t len)
{
	uint8_t key[4], *payload;
	const uint8_t *mask = NULL;
	size_t hlen;

	if (c->o.role == WS_ROLE_CLIENT) {
		mask_key(key);
		mask = key;
	}
	if (conn_buf_reserve(&c->out, WS_FRAME_HEADER_MAX + plen + len) == -1) {
		conn_end(c, EXIT_SYSTEM, "out of memory for %zu bytes",
		    plen + len);
		c->state = CONN_DONE;
		return -1;
	}
	hlen =
	    ws_frame_header(c->out.p + c->out.len, 1, opcode, plen + len, mask);
	payload = c->out.p + c->out.len + hlen;
	if (plen)
		memcpy(payload, prefix, plen);
	if (len)
		memcpy(payload + plen, data, len);
	if (mask)
		ws_mask(payload, plen + len, mask, 0);
	c->out.len += hlen + plen + len;
	return 0;
}

/* Queues what writev left of the iovecs, skipping the first done bytes. */
static int
queue_rest(struct conn *c, const struct iovec *iov, int n, size_t done)
{
	size_t take;
	int i;

	for (i = 0; i < n; i++) {
		if (done >= iov[i].iov_len) {
			done -= iov[i].iov_len;
			continue;
		}
		take = iov[i].iov_len - done;
		if (conn_buf_reserve(&c->out, take) == -1) {
			conn_end(c, EXIT_SYSTEM, "out of memory for %zu bytes",
			    take);
			c->state = CONN_DONE;
			return -1;
		}
		memcpy(c->out.p + c->out.len,
		    (const uint8_t *)iov[i].iov_base + done, take);
		c->out.len += take;
		done = 0;
	}
	return 0;
}

/* Zero-copy send: header, prefix and payload in one writev, the payload
 * read where it lies; only what the socket does not take is copied. A
 * failed write queues everything, and the next flush reports it. */
static int
send_direct(struct conn *c, int opcode, const void *prefix, size_t plen,
    const void *data, size_t len)
{
	uint8_t hdr[WS_FRAME_HEADER_MAX];
	struct iovec iov[3];
	ssize_t n;

	iov[0].iov_base = hdr;
	iov[0].iov_len = ws_frame_header(hdr, 1, opcode, plen + len, NULL);
	iov[1].iov_base = (void *)prefix;
	iov[1].iov_len = plen;
	iov[2].iov_base = (void *)data;
	iov[2].iov_len = len;
	do
		n = writev(c->wfd, iov, 3);
	while (n == -1 && errno == EINTR);
	if (n < 0)
		n = 0;
	c->bytes_out += (size_t)n;
	return queue_rest(c, iov, 3, (size_t)n);
}

/* Compressed into the output buffer, after room for the longest header;
 * 0 when the message is to go as it is. */
static int
queue_compressed(struct conn *c, int opcode, const void *prefix, size_t plen,
    const void *data, size_t len)
{
	uint8_t key[4], hdr[WS_FRAME_HEADER_MAX], *base;
	const uint8_t *mask = NULL;
	size_t n, hlen, cap = plen + len + 8;

	if (conn_buf_reserve(&c->out, WS_FRAME_HEADER_MAX + cap) == -1)
		return 0; /* queue_frame reports it */
	base = c->out.p + c->out.len;
	n = conn_deflate_message(&c->pmd, prefix, plen, data, len,
	    base + WS_FRAME_HEADER_MAX, cap);
	if (n == 0)
		return 0;
	if (c->o.role == WS_ROLE_CLIENT) {
		mask_key(key);
		mask = key;
	}
	hlen = ws_frame_header(hdr, 1, opcode, n, mask);
	hdr[0] |= WS_FRAME_RSV1;
	memcpy(base, hdr, hlen);
	memmove(base + hlen, base + WS_FRAME_HEADER_MAX, n);
	if (mask)
		ws_mask(base + hlen, n, mask, 0);
	c->out.len += hlen + n;
	return 1;
}

int
conn_send(struct conn *c, int opcode, const void *prefix, size_t plen,
    const void *data, size_t len)
{
	if (c->sent_close || c->state >= CONN_DRAIN)
		return 0;
	if (c->pmd.on && (opcode == WS_OP_TEXT || opcode == WS_OP_BINARY) &&
	    plen + len >= c->pmd.min &&
	    queue_compressed(c, opcode, prefix, plen, data, len))
		return 0;
	/* Unmasked (server) frames only, and only when no queued bytes
	 * must go first. */
	if (len >= DIRECT_MIN && c->o.role == WS_ROLE_SERVER &&
	    c->out.off == c->out.len && c->wfd >= 0 && c->tls == NULL)
		return send_direct(c, opcode, prefix, plen, data, len);
	return queue_frame(c, opcode, prefix, plen, data, len);
}

static void
queue_close(struct conn *c, unsigned code, const char *reason)
{
	uint8_t payload[WS_MAX_CONTROL];
	size_t n;

	if (c->sent_close)
		return;
	n = ws_close_payload(payload, code, reason);
	c->sent_close = 1;
	queue_frame(c, WS_OP_CLOSE, NULL, 0, payload, n);
}

static void
drain(struct conn *c)
{
	c->state = CONN_DRAIN;
	c->deadline_ms =
	    clock_ms() + (c->o.close_ms ? c->o.close_ms : DRAIN_MS);
}

/* Our close answers the peer's: the conversation is over. */
static void
answer_close(struct conn *c, unsigned code, const char *reason)
{
	queue_close(c, code, reason);
	if (c->o.role == WS_ROLE_CLIENT && c->peer_code != WS_CLOSE_NORMAL)
		conn_end(c, EXIT_PEER_CLOSE, "closed by the peer");
	else
		conn_end(c, EXIT_OK, "closed by the peer");
	drain(c);
}

void
conn_close(struct conn *c, unsigned code, const char *reason)
{
	if (c->sent_close)
		return;
	if (c->state == CONN_FINISHING) {
		answer_close(c, code, reason);
		return;
	}
	if (c->state != CONN_OPEN)
		return;
	queue_close(c, code, reason);
	c->state = CONN_CLOSING;
	c->deadline_ms = c->o.close_ms ? clock_ms() + c->o.close_ms : 0;
}

/* The peer broke the protocol: answer with the code, then finish. */
static void
fail(struct conn *c, unsigned code, const char *reason)
{
	conn_end(c, EXIT_PROTOCOL, "failed the connection: %u %s", code,
	    reason);
	queue_close(c, code, reason);
	drain(c);
}

/* 1 while frames may be parsed and queued: output is below its high-water
 * mark, so a peer that does not read stops being read. */
static int
writable(const struct conn *c)
{
	return c->state <= CONN_CLOSING && c->out.len - c->out.off < OUT_HIGH;
}

int
conn_may_send(const struct conn *c)
{
	return (c->state == CONN_OPEN || c->state == CONN_FINISHING) &&
	    !c->sent_close && writable(c);
}

static void
deliver(struct conn *c, int opcode, const uint8_t *data, size_t len)
{
	if (c->h->message)
		c->h->message(c, opcode, data, len);
}

/* A chunk of a compressed message, inflated into the reassembly buffer
 * (deflate.c). */
static void
on_compressed(struct conn *c, const struct ws_event *ev)
{
	const char *reason;
	unsigned code;

	if (ev->first)
		c->msg_opcode = ev->opcode;
	code =
	    conn_inflate_event(&c->pmd, ev, &c->msg, c->o.max_message, &reason);
	if (code != 0) {
		fail(c, code, reason);
		return;
	}
	if (ev->fin)
		deliver(c, c->msg_opcode, c->msg.p, c->msg.len);
}

/* A chunk of a message: whole ones go straight from the input buffer. */
static void
on_data(struct conn *c, const struct ws_event *ev)
{
	if (ev->compressed) {
		on_compressed(c, ev);
		return;
	}
	if (ev->first && ev->fin) {
		deliver(c, ev->opcode, ev->data, ev->len);
		return;
	}
	if (ev->first) {
		c->msg.off = c->msg.len = 0;
		c->msg_opcode = ev->opcode;
	}
	if (ev->len && conn_buf_reserve(&c->msg, ev->len) == -1) {
		conn_end(c, EXIT_SYSTEM, "out of memory for a message");
		queue_close(c, WS_CLOSE_INTERNAL_ERROR, "out of memory");
		drain(c);
		return;
	}
	if (ev->len)
		memcpy(c->msg.p + c->msg.len, ev->data, ev->len);
	c->msg.len += ev->len;
	if (ev->fin)
		deliver(c, c->msg_opcode, c->msg.p, c->msg.len);
}

static void
on_close(struct conn *c, const struct ws_event *ev)
{
	size_t n = ev->len < WS_MAX_CONTROL ? ev->len : WS_MAX_CONTROL;

	c->got_close = 1;
	c->peer_code = ev->code;
	memcpy(c->peer_reason, ev->data, n);
	c->peer_reason[n] = '\0';
	if (c->sent_close) {
		/* A client tells an answer of another code (a server's
		 * 1011, say) from a plain echo of ours. */
		if (c->o.role == WS_ROLE_CLIENT &&
		    ev->code != WS_CLOSE_NORMAL &&
		    ev->code != WS_CLOSE_NO_STATUS)
			conn_end(c, EXIT_PEER_CLOSE, "closed by the peer");
		else
			conn_end(c, EXIT_OK, "closed");
		drain(c);
	} else if (c->h->peer_close && c->h->peer_close(c)) {
		/* RFC 6455 5.5.1 lets us finish sending before we answer. */
		c->state = CONN_FINISHING;
		c->deadline_ms = c->o.close_ms ? clock_ms() + c->o.close_ms : 0;
	} else {
		/* Echo the peer's code, as RFC 6455 5.5.1 suggests. */
		answer_close(c, ev->code == WS_CLOSE_NO_STATUS ? 0 : ev->code,
		    "");
	}
}

static void
ping_payload(const struct conn *c, char *out, size_t cap)
{
	snprintf(out, cap, PING_TAG "%lu", c->pings_sent);
}

/* Only the answer to our latest ping counts (a peer may skip older ones,
 * RFC 6455 5.5.3); any other pong is ignored. */
static void
on_pong(struct conn *c, const struct ws_event *ev)
{
	char want[32];

	ping_payload(c, want, sizeof(want));
	if (c->pong_due && ev->len == strlen(want) &&
	    memcmp(ev->data, want, ev->len) == 0)
		c->pong_due = 0;
}

/* A ping is due: the previous one unanswered means the peer is gone or
 * stuck; close as websockets does (1011) and drop it, else ping again. */
static void
ping_due(struct conn *c, long long now)
{
	char payload[32];

	if (c->pong_due) {
		conn_end(c, EXIT_TIMEOUT, "no pong within %d ms", c->o.ping_ms);
		queue_close(c, WS_CLOSE_INTERNAL_ERROR,
		    "keepalive ping timeout");
		drain(c);
		return;
	}
	c->pings_sent++;
	ping_payload(c, payload, sizeof(payload));
	conn_send(c, WS_OP_PING, NULL, 0, payload, strlen(payload));
	c->pong_due = 1;
	c->next_ping_ms = now + c->o.ping_ms;
}

static void
on_event(struct conn *c, const struct ws_event *ev)
{
	switch (ev->type) {
	case WS_EV_DATA:
		on_data(c, ev);
		break;
	case WS_EV_PING:
		conn_send(c, WS_OP_PONG, NULL, 0, ev->data, ev->len);
		break;
	case WS_EV_CLOSE:
		on_close(c, ev);
		break;
	case WS_EV_ERROR:
		fail(c, ev->code, ev->reason);
		break;
	case WS_EV_PONG:
		on_pong(c, ev);
		break;
	case WS_EV_NONE:
		break;
	}
}

/* The parser waits for a frame's whole payload (whole_max): it must fit
 * between here and the end of the buffer. One larger than the buffer
 * grows it, at most doubling each time it is full, so that memory
 * follows what arrived rather than what the header declared. */
static void
room_for_payload(struct conn *c)
{
	size_t have = c->in.len - c->in.off, frame = c->parser.frame_len;

	if (c->in.off + frame <= c->in.cap)
		return;
	memmove(c->in.p, c->in.p + c->in.off, have);
	c->in.off = 0;
	c->in.len = have;
	if (frame <= c->in.cap || have < c->in.cap)
		return;
	if (conn_buf_grow(&c->in, frame - have < have ? frame - have : have) ==
	    -1) {
		conn_end(c, EXIT_SYSTEM,
		    "out of memory for a frame of %zu bytes", frame);
		queue_close(c, WS_CLOSE_INTERNAL_ERROR, "out of memory");
		drain(c);
	}
}

/* Raises or drops the socket's low-water mark for reads; a transport
 * that has none (a pipe) is never asked again. */
static void
coalesce(struct conn *c, int on)
{
	int lowat = on ? COALESCE_BYTES : 1;

	if (c->coalesce == -1 || c->coalesce == on)
		return;
	if (setsockopt(c->rfd, SOL_SOCKET, SO_RCVLOWAT, &lowat,
		sizeof(lowat)) == -1)
		c->coalesce = -1;
	else
		c->coalesce = on;
}

/* After a read of got bytes: a message still coming in many small
 * frames starts coalescing. */
static void
coalesce_after_read(struct conn *c, size_t got)
{
	if (c->tls == NULL && c->state == CONN_OPEN && got < COALESCE_BYTES &&
	    c->parser.msg_opcode != 0 &&
	    c->parser.msg_frames >= COALESCE_FRAMES)
		coalesce(c, 1);
}

/* 1 while the parser holds a frame's header and waits for the rest of
 * its payload, to hand it out whole: more input is needed first. */
static int
payload_awaited(const struct conn *c)
{
	return c->parser.in_payload && c->parser.frame_done == 0 &&
	    c->parser.frame_len <= c->parser.whole_max &&
	    c->in.off + c->parser.frame_len > c->in.len;
}

/* How much the next read may take: all the room there is, but for a
 * frame larger than the buffer's first size, no more than its end, so
 * that the next frame starts at the front and is never moved. */
static size_t
read_room(const struct conn *c)
{
	size_t room = c->in.cap - c->in.len, rest;

	if (c->state != CONN_OPEN || c->parser.frame_len <= c->in_base ||
	    !payload_awaited(c))
		return room;
	rest = c->in.off + c->parser.frame_len - c->in.len;
	return rest < room ? rest : room;
}

static void
parse_frames(struct conn *c)
{
	struct ws_event ev;
	size_t n;

	while (c->in.off < c->in.len && c->state != CONN_FINISHING &&
	    writable(c) && !c->hold_input) {
		n = ws_parser_feed(&c->parser, c->in.p + c->in.off,
		    c->in.len - c->in.off, &ev);
		c->in.off += n;
		if (n == 0 && ev.type == WS_EV_NONE) {
			room_for_payload(c);
			return;
		}
		on_event(c, &ev);
	}
	if (c->in.off == c->in.len)
		c->in.off = c->in.len = 0;
	/* The message is over (or the conversation): wake on every byte. */
	if (c->coalesce == 1 &&
	    (c->parser.msg_opcode == 0 || c->state != CONN_OPEN))
		coalesce(c, 0);
	/* A buffer grown for large frames keeps its size while they come
	 * one after the other; the first frame that fits its first size
	 * (the latest header the parser read) gives the rest back. */
	if (c->parser.frame_len <= c->in_base)
		conn_buf_shrink(&c->in, c->in_base);
}

static void
refuse(struct conn *c, int status, const char *reason)
{
	char resp[512];
	size_t n = ws_response_error(resp, sizeof(resp), status, reason);

	conn_end(c, EXIT_HANDSHAKE, "refused: %d %s", status, reason);
	if (n && conn_buf_reserve(&c->out, n) == 0) {
		memcpy(c->out.p + c->out.len, resp, n);
		c->out.len += n;
	}
	c->in.off = c->in.len = 0;
	drain(c);
}

static void
opened(struct conn *c, long hlen)
{
	c->in.off = (size_t)hlen;
	c->state = CONN_OPEN;
	c->deadline_ms = 0;
	c->next_ping_ms = c->o.ping_ms ? clock_ms() + c->o.ping_ms : 0;
	if (c->h->open)
		c->h->open(c);
}

/* The policy's verdict; 0 to go on. A refused origin is named in the
 * summary, cleaned, since the peer chose its bytes. */
static int
server_policy(struct conn *c)
{
	const char *reason;
	char origin[100];
	int status;

	if (c->o.policy == NULL)
		return 0;
	status = ws_policy_check(c->o.policy, &c->req, &c->protocol, &reason);
	if (status == 0)
		return 0;
	refuse(c, status, reason);
	if (status == 403) {
		log_clean(origin, sizeof(origin), c->req.origin.p,
		    c->req.origin.n);
		snprintf(c->why, sizeof(c->why), "refused: %d %s: \"%s\"",
		    status, reason, origin);
	}
	return -1;
}

/* RSV1 may now mark a compressed message. It is inflated as it comes, so
 * a frame larger than the first buffer is not waited for whole: that
 * would hold up to the whole limit before the inflater could find the
 * message too big (a deflate bomb), and saves no copy. */
static void
deflate_agreed(struct conn *c)
{
	c->parser.rsv1_ok = 1;
	c->parser.whole_max = c->in_base;
}

/* The first permessage-deflate offer we can honour, if we take any; a
 * declined one is worth a line. */
static void
server_deflate(struct conn *c, struct ws_str *answer)
{
	const struct conn_deflate_opts *o = &c->o.deflate;
	struct ws_pmd agreed;
	const char *why;
	size_t n;

	if (!o->on || c->req.extensions.p == NULL)
		return;
	if (!ws_pmd_choose(&c->req, o->window ? o->window : CONN_DEFLATE_WINDOW,
		&agreed, &why)) {
		if (why != NULL)
			log_msg(LOG_INFO,
			    "permessage-deflate offer declined: %s", why);
		return;
	}
	/* Compression goes on only with an answer that says so: a client
	 * told nothing fails our first RSV1 frame. */
	if ((n = ws_pmd_format(&agreed, c->pmd_answer,
		 sizeof(c->pmd_answer))) == 0) {
		log_msg(LOG_ERR, "permessage-deflate answer does not fit");
		return;
	}
	conn_deflate_setup(&c->pmd, o, &agreed, WS_ROLE_SERVER);
	deflate_agreed(c);
	*answer = (struct ws_str){ c->pmd_answer, n };
}

/* ---- plain HTTP: the answers of a server that also serves files ---- */

int
conn_http_queue(struct conn *c, const void *p, size_t n)
{
	if (conn_buf_reserve(&c->out, n) == -1) {
		conn_end(c, EXIT_SYSTEM, "out of memory for %zu bytes", n);
		c->state = CONN_DONE;
		return -1;
	}
	memcpy(c->out.p + c->out.len, p, n);
	c->out.len += n;
	return 0;
}

void
conn_http_file(struct conn *c, int fd, uint64_t len)
{
	if (c->body_fd >= 0)
		close(c->body_fd);
	c->body_fd = fd;
	c->body_left = len;
}

static const char *
plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

/* The handler answers; the request's bytes are used up, and what came
 * after them waits for the answer to be out. */
static void
http_answer(struct conn *c)
{
	size_t used = c->req.len;
	int keep;

	c->http_served++;
	keep = c->o.http_request(c, &c->req);
	if (c->state == CONN_DONE)
		return;
	memmove(c->in.p, c->in.p + used, c->in.len - used);
	c->in.len -= used;
	ws_request_init(&c->req, c->o.max_header);
	c->http_busy = 1;
	c->http_close = !keep;
	c->hs_start_ms = clock_ms();
}

/* The answer is out: close, or wait for the next request (which may
 * already be here). */
static void
http_sent(struct conn *c)
{
	c->http_busy = 0;
	c->hs_start_ms = clock_ms();
	if (!c->http_close) {
		c->http_next = c->in.len > 0;
		return;
	}
	conn_end(c, EXIT_OK, "served %u HTTP request%s", c->http_served,
	    plural(c->http_served));
	c->in.off = c->in.len = 0;
	drain(c);
}

/* The answer is written in place: extra headers make its length the
 * administrator's choice, bounded like a request's. The first try is in
 * the room the output buffer has, which a plain answer fits, so that a
 * hello connection's buffer stays one small chunk; 0 when it cannot be
 * written. */
static size_t
answer_101(struct conn *c, const struct ws_answer *a)
{
	size_t n = 0, want = 1;

	for (;;) {
		if (conn_buf_reserve(&c->out, want) == -1)
			return 0;
		n = ws_response_101_answer((char *)c->out.p + c->out.len,
		    c->out.cap - c->out.len, c->req.key.p, c->req.key.n, a);
		if (n > 0 || want >= c->o.max_header)
			return n;
		want = c->o.max_header;
	}
}

static void
server_handshake(struct conn *c)
{
	struct ws_answer a = { { "", 0 }, c->o.headers, c->o.nheaders,
		{ "", 0 } };
	const char *reason = NULL;
	long hlen;
	size_t n;
	int status;

	hlen = ws_request_parse(&c->req, (const char *)c->in.p, c->in.len);
	if (hlen == 0)
		return;
	if (hlen < 0) {
		if (c->req.plain && c->o.http_request != NULL)
			http_answer(c);
		else
			refuse(c, c->req.status, c->req.reason);
		return;
	}
	if (server_policy(c) == -1)
		return;
	if (c->o.check_request != NULL &&
	    (status = c->o.check_request(&c->req, &reason)) != 0) {
		refuse(c, status, reason);
		return;
	}
	a.protocol = c->protocol;
	server_deflate(c, &a.extensions);
	if ((n = answer_101(c, &a)) == 0) {
		refuse(c, 500, "internal error");
		return;
	}
	c->out.len += n;
	/* c->req points into the input buffer: handlers may read it until
	 * the open handler returns, before frames after it are parsed. */
	opened(c, hlen);
}

/* What the server agreed to, if anything; -1 when it is not what we
 * offered (RFC 7692 section 5: the client fails the connection). */
static int
client_deflate(struct conn *c)
{
	struct ws_pmd agreed;
	const char *why;

	if (c->resp.extensions.p == NULL)
		return 0;
	if (ws_pmd_answer(c->resp.extensions, 1, &agreed, &why) == -1) {
		conn_end(c, EXIT_HANDSHAKE, "invalid handshake: %s", why);
		c->state = CONN_DONE;
		return -1;
	}
	conn_deflate_setup(&c->pmd, &c->o.deflate, &agreed, WS_ROLE_CLIENT);
	deflate_agreed(c);
	return 0;
}

static void
client_handshake(struct conn *c)
{
	long hlen;

	hlen = ws_response_parse(&c->resp, (const char *)c->in.p, c->in.len,
	    c->accept, c->protocols);
	if (hlen == 0)
		return;
	if (hlen < 0) {
		if (c->resp.status > 0 && c->resp.status != 101)
			conn_end(c, EXIT_HANDSHAKE, "handshake refused: %.*s",
			    (int)(c->resp.status_line.n > 100
				    ? 100
				    : c->resp.status_line.n),
			    c->resp.status_line.p);
		else
			conn_end(c, EXIT_HANDSHAKE, "invalid handshake: %s",
			    c->resp.reason);
		c->state = CONN_DONE;
		return;
	}
	if (client_deflate(c) == -1)
		return;
	opened(c, hlen);
}

static void
process_input(struct conn *c)
{
	switch (c->state) {
	case CONN_HANDSHAKE:
		if (c->in.len == 0 || c->http_busy)
			return;
		c->http_next = 0;
		if (c->o.role == WS_ROLE_SERVER)
			server_handshake(c);
		else
			client_handshake(c);
		if (c->state == CONN_OPEN)
			parse_frames(c);
		break;
	case CONN_OPEN:
	case CONN_CLOSING:
		parse_frames(c);
		break;
	case CONN_FINISHING: /* nothing may follow the peer's close */
	case CONN_DRAIN:
		c->in.off = c->in.len = 0; /* discarded */
		break;
	case CONN_DONE:
		break;
	}
}

static const char *
lost_where(const struct conn *c)
{
	if (c->state == CONN_HANDSHAKE)
		return "during the handshake";
	if (c->got_close)
		return "before our close frame";
	if (c->parser.hdr_have || c->parser.in_payload)
		return "mid-frame";
	if (c->parser.msg_opcode)
		return "mid-message";
	return "without a close frame";
}

static void
on_eof(struct conn *c, const char *what)
{
	/* Between plain requests, the end is the client's to choose. */
	if (c->state == CONN_HANDSHAKE && c->http_served && !c->http_busy &&
	    c->in.len == 0)
		conn_end(c, EXIT_OK, "served %u HTTP request%s", c->http_served,
		    plural(c->http_served));
	if (c->state != CONN_DRAIN)
		conn_end(c, EXIT_LOST, "connection %s %s", what, lost_where(c));
	c->state = CONN_DONE;
}

/* A TLS call's result as read(2) and write(2) give theirs: a byte count,
 * 0 at EOF, or -1 with errno. EAGAIN says to wait for *want; a TLS
 * failure ends the connection with OpenSSL's reason first. */
static ssize_t
tls_result(struct conn *c, ssize_t r, short *want, short dir, const char *err)
{
	*want = dir;
	if (r >= 0)
		return r;
	if (r == TLS_WANT_IN || r == TLS_WANT_OUT) {
		*want = r == TLS_WANT_IN ? POLLIN : POLLOUT;
		errno = EAGAIN;
	} else if (r == TLS_FAIL) {
		conn_end(c, EXIT_TLS, "%s", err);
		errno = EPROTO;
	}
	return -1; /* TLS_LOST: errno is the socket's */
}

/* The transport: the peer's fds themselves, or TLS over them. */
static ssize_t
peer_read(struct conn *c, void *p, size_t n)
{
	char err[256];

	if (c->tls == NULL)
		return read(c->rfd, p, n);
	return tls_result(c, tls_read(c->tls, p, n, err, sizeof(err)),
	    &c->tls_rwant, POLLIN, err);
}

static ssize_t
peer_write(struct conn *c, const void *p, size_t n)
{
	char err[256];
	ssize_t r;

	if (c->tls == NULL)
		return write(c->wfd, p, n);
	r = tls_result(c, tls_write(c->tls, p, n, err, sizeof(err)),
	    &c->tls_wwant, POLLOUT, err);
	if (r == 0) { /* the peer's close_notify: nothing more goes out */
		errno = EPIPE;
		r = -1;
	}
	return r;
}

/* Plain: one read per wake-up. TLS: on while OpenSSL holds input it has
 * already taken from the socket (which will not wake us for it) and our
 * buffer has room; once it holds none, poll speaks for the socket. now
 * is the time poll returned, if step read the clock (0 if not): the
 * time of the last input is only kept for the idle timeout. */
static void
read_input(struct conn *c, long long now)
{
	size_t got = 0;
	ssize_t n;

	if (c->in.len == c->in.cap && c->in.off > 0) {
		memmove(c->in.p, c->in.p + c->in.off, c->in.len - c->in.off);
		c->in.len -= c->in.off;
		c->in.off = 0;
	}
	c->tls_more = 0;
	do {
		n = peer_read(c, c->in.p + c->in.len, read_room(c));
		if (n == -1) {
			/* Nothing within COALESCE_MS: the peer is slow, and
			 * waking on a timer would only cost. */
			if (errno == EAGAIN && c->coalesce == 1)
				coalesce(c, 0);
			if (errno == EAGAIN || errno == EINTR)
				return;
			on_eof(c, errno == ECONNRESET ? "reset" : "failed");
			return;
		}
		/* The end comes after what came before it: TLS says it
		 * again on the next read, once that has been parsed. */
		if (n == 0 && got > 0) {
			c->tls_more = 1;
			return;
		}
		if (n == 0) {
			on_eof(c, "closed");
			return;
		}
		got += (size_t)n;
		c->bytes_in += (size_t)n;
		c->in.len += (size_t)n;
		if (c->o.idle_ms)
			c->last_rx_ms = now ? now : clock_ms();
	} while (
	    c->tls != NULL && c->in.len < c->in.cap && tls_pending(c->tls));
	c->tls_more = c->tls != NULL && tls_pending(c->tls);
	coalesce_after_read(c, got);
}

static void
shut_output(struct conn *c)
{
	c->shut = 1;
	if (c->tls != NULL)
		tls_shutdown(c->tls);
	if (shutdown(c->wfd, SHUT_WR) == -1 && c->wfd != c->rfd) {
		/* A pipe: closing it is how the reader sees EOF. */
		close(c->wfd);
		c->wfd = -1;
	}
}

static void
body_failed(struct conn *c, int status, const char *why)
{
	conn_end(c, status, "sending a file: %s", why);
	close(c->body_fd);
	c->body_fd = -1;
	c->state = CONN_DONE;
}

/* Moves the file body on: straight from the file to the socket with
 * sendfile, or through the output buffer under TLS. Returns 1 when it
 * moved or is done, 0 to wait (or when it failed). */
static int
body_more(struct conn *c)
{
	size_t chunk = c->tls != NULL ? IN_CHUNK : 1024 * 1024;
	ssize_t n;

	if (c->body_left == 0) {
		close(c->body_fd);
		c->body_fd = -1;
		return 1;
	}
	if (chunk > c->body_left)
		chunk = (size_t)c->body_left;
	if (c->tls != NULL) {
		if (conn_buf_reserve(&c->out, chunk) == -1) {
			body_failed(c, EXIT_SYSTEM, "out of memory");
			return 0;
		}
		n = read(c->body_fd, c->out.p + c->out.len, chunk);
		if (n > 0)
			c->out.len += (size_t)n;
	} else {
		n = sendfile(c->wfd, c->body_fd, NULL, chunk);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return errno == EINTR;
		if (n == -1 && (errno == EPIPE || errno == ECONNRESET)) {
			on_eof(c, errno == EPIPE ? "closed" : "reset");
			return 0;
		}
		if (n > 0)
			c->bytes_out += (size_t)n;
	}
	if (n <= 0) {
		/* The length is in the head already: no way to go on. */
		body_failed(c, EXIT_SYSTEM,
		    n == 0 ? "the file shrank" : strerror(errno));
		return 0;
	}
	c->body_left -= (uint64_t)n;
	c->hs_start_ms = clock_ms();
	return 1;
}

/* Writes what is queued; 1 once nothing is left. */
static int
write_out(struct conn *c)
{
	ssize_t n;

	while (c->out.off < c->out.len) {
		n = peer_write(c, c->out.p + c->out.off,
		    c->out.len - c->out.off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				on_eof(c, errno == EPIPE ? "closed" : "reset");
			return 0;
		}
		c->out.off += (size_t)n;
		c->bytes_out += (size_t)n;
	}
	c->out.off = c->out.len = 0;
	return 1;
}

static void
flush_output(struct conn *c)
{
	do
		if (!write_out(c))
			return;
	while (c->body_fd >= 0 && body_more(c));
	if (c->body_fd >= 0 || c->state == CONN_DONE)
		return;
	if (c->http_busy)
		http_sent(c);
	if (c->state == CONN_DRAIN && !c->shut)
		shut_output(c);
}

static int
want_read(const struct conn *c)
{
	if (c->state == CONN_DONE)
		return 0;
	if (c->state == CONN_DRAIN || c->state == CONN_FINISHING)
		return 1;
	return c->in.len < c->in.cap || c->in.off > 0;
}

/* The request's, or between plain requests the keep-alive wait: the
 * idle timeout when set; while an answer goes out, how long it may
 * stall. 0: none. */
static long long
handshake_deadline(const struct conn *c)
{
	int ms = c->o.handshake_ms;

	if (c->http_served && !c->http_busy && c->o.idle_ms)
		ms = c->o.idle_ms;
	return ms ? c->hs_start_ms + ms : 0;
}

static long long
next_deadline(const struct conn *c)
{
	long long d = 0;

	if (c->state == CONN_HANDSHAKE)
		d = handshake_deadline(c);
	else if (c->state == CONN_OPEN && c->o.idle_ms)
		d = c->last_rx_ms + c->o.idle_ms;
	else if (c->state >= CONN_FINISHING)
		d = c->deadline_ms;
	if (c->state == CONN_OPEN && c->next_ping_ms &&
	    (d == 0 || c->next_ping_ms < d))
		d = c->next_ping_ms;
	if (c->o.total_ms && (d == 0 || c->start_ms + c->o.total_ms < d))
		d = c->start_ms + c->o.total_ms;
	return d;
}

static void
on_timeout(struct conn *c, long long now)
{
	if (c->o.total_ms && now >= c->start_ms + c->o.total_ms) {
		conn_end(c, EXIT_TIMEOUT, "timed out after %d ms",
		    c->o.total_ms);
		c->state = CONN_DONE;
	} else if (c->state == CONN_HANDSHAKE && c->http_busy) {
		conn_end(c, EXIT_TIMEOUT,
		    "an HTTP answer stalled for %d ms; the client reads no more",
		    c->o.handshake_ms);
		c->state = CONN_DONE;
	} else if (c->state == CONN_HANDSHAKE && c->http_served &&
	    c->in.len == 0) {
		conn_end(c, EXIT_OK, "served %u HTTP request%s, then idle",
		    c->http_served, plural(c->http_served));
		c->state = CONN_DONE;
	} else if (c->state == CONN_HANDSHAKE) {
		conn_end(c, EXIT_TIMEOUT, "handshake timed out after %d ms",
		    c->o.handshake_ms);
		c->state = CONN_DONE;
	} else if (c->state == CONN_OPEN && c->next_ping_ms &&
	    now >= c->next_ping_ms) {
		ping_due(c, now);
	} else if (c->state == CONN_OPEN) {
		conn_end(c, EXIT_TIMEOUT, "idle for %d ms", c->o.idle_ms);
		conn_close(c, WS_CLOSE_GOING_AWAY, "idle timeout");
	} else if (c->state == CONN_FINISHING) {
		conn_end(c, EXIT_TIMEOUT,
		    "close timeout: not done %d ms after the peer's close",
		    c->o.close_ms);
		queue_close(c, WS_CLOSE_INTERNAL_ERROR, "close timeout");
		drain(c);
	} else if (c->state == CONN_CLOSING) {
		conn_end(c, EXIT_TIMEOUT, "no close frame from the peer");
		c->state = CONN_DONE;
	} else {
		c->state = CONN_DONE; /* drained long enough */
	}
}

/* Builds the poll set; returns its size. idx[0..2]: read, write, aux;
 * idx[3]: where the handler's own fds start. */
static int
poll_set(struct conn *c, struct pollfd *pf, int idx[4])
{
	int r = want_read(c), w = c->out.off < c->out.len || c->body_fd >= 0;
	/* Plain, reads wait for POLLIN and writes for POLLOUT; under TLS
	 * either may wait for the other (a handshake message to send or
	 * to receive first). */
	short rev =
	    (r && c->tls_rwant == POLLIN) || (w && c->tls_wwant == POLLIN)
	    ? POLLIN
	    : 0;
	short wev =
	    (r && c->tls_rwant == POLLOUT) || (w && c->tls_wwant == POLLOUT)
	    ? POLLOUT
	    : 0;
	int n = 0;

	idx[0] = idx[1] = idx[2] = -1;
	if (c->rfd == c->wfd && (rev | wev)) {
		pf[n] = (struct pollfd){ .fd = c->rfd, .events = rev | wev };
		idx[0] = idx[1] = n++;
	} else {
		if (rev) {
			pf[n] = (struct pollfd){ .fd = c->rfd, .events = rev };
			idx[0] = n++;
		}
		if (wev && c->wfd >= 0) {
			pf[n] = (struct pollfd){ .fd = c->wfd, .events = wev };
			idx[1] = n++;
		}
	}
	if (c->aux_fd >= 0 && c->state == CONN_OPEN && writable(c)) {
		pf[n] = (struct pollfd){ .fd = c->aux_fd, .events = POLLIN };
		idx[2] = n++;
	}
	idx[3] = n;
	if (c->h->aux_poll)
		n += c->h->aux_poll(c, pf + n);
	return n;
}

/* 1 while input is being coalesced and would be parsed if read. */
static int
coalescing(const struct conn *c)
{
	return c->coalesce == 1 && c->state == CONN_OPEN && writable(c) &&
	    !c->hold_input && want_read(c);
}

static void
step(struct conn *c)
{
	struct pollfd pf[3 + CONN_AUX_MAX];
	int idx[4], n, r, wait = -1, in_ready, out_ready;
	long long d = next_deadline(c), now = 0;
	const short ready = POLLIN | POLLOUT | POLLHUP | POLLERR;

	n = poll_set(c, pf, idx);
	if (n == 0 && d == 0) {
		conn_end(c, EXIT_SYSTEM, "nothing left to wait for");
		c->state = CONN_DONE;
		return;
	}
	if (d) {
		now = clock_ms();
		wait = d > now ? (int)(d - now) : 0;
	}
	/* Input already read but held back while output was high must be
	 * parsed as soon as output drains, without waiting for more: the
	 * peer may have sent all it will (a close frame, say). */
	if ((c->state == CONN_OPEN || c->state == CONN_CLOSING) &&
	    c->in.off < c->in.len && writable(c) && !payload_awaited(c))
		wait = 0;
	/* And a plain request that came behind the last answer. */
	if (c->http_next && !c->http_busy && c->state == CONN_HANDSHAKE)
		wait = 0;
	/* So must what OpenSSL holds once our buffer has room again. */
	if (c->tls_more && want_read(c))
		wait = 0;
	/* While coalescing, what came in under the low-water mark is read
	 * after COALESCE_MS anyway (poll does not report it). */
	if (coalescing(c) && (wait < 0 || wait > COALESCE_MS))
		wait = COALESCE_MS;
	if ((r = poll(pf, (nfds_t)n, wait)) == -1) {
		if (errno != EINTR) {
			conn_end(c, EXIT_SYSTEM, "poll: %s", strerror(errno));
			c->state = CONN_DONE;
		}
		return;
	}
	/* Checked even when fds are ready: a peer trickling one byte at a
	 * time must not postpone a deadline forever. */
	if (d && (now = clock_ms()) >= d) {
		on_timeout(c, now);
		return;
	}
	in_ready = idx[0] >= 0 && (pf[idx[0]].revents & ready & ~POLLOUT);
	out_ready = idx[1] >= 0 && (pf[idx[1]].revents & (POLLOUT | POLLERR));
	if (c->tls_wwant == POLLOUT ? out_ready : in_ready)
		flush_output(c);
	if ((c->tls_rwant == POLLIN ? in_ready : out_ready) ||
	    (c->tls_more && want_read(c)) || (r == 0 && coalescing(c)))
		if (c->state != CONN_DONE)
			read_input(c, now);
	if (idx[2] >= 0 && pf[idx[2]].revents && c->h->aux)
		c->h->aux(c);
	if (n > idx[3] && c->h->aux_ready)
		c->h->aux_ready(c, pf + idx[3], n - idx[3]);
	process_input(c);
	/* Also once nothing is left to send: a finished connection must shut
	 * its side down so the peer sees the end (the server closes first,
	 * RFC 6455 7.1.1). */
	if ((c->out.off < c->out.len || c->body_fd >= 0 ||
		(c->state == CONN_DRAIN && !c->shut)) &&
	    c->state != CONN_DONE)
		flush_output(c);
}

int
conn_run(struct conn *c)
{
	if (c->out.len)
		flush_output(c);
	while (c->state != CONN_DONE)
		step(c);
	/* Ended without draining (a timeout, say): TLS still says goodbye
	 * properly, so the peer does not see a truncation. */
	if (c->tls != NULL && !c->shut && c->wfd >= 0)
		tls_shutdown(c->tls);
	return c->status >= 0 ? c->status : EXIT_OK;
}
