/* SPDX-License-Identifier: ISC */
/*
 * permessage-deflate's transform (RFC 7692 section 7.2) with zlib, for the
 * engine's message path: one compressor and one decompressor per
 * connection, each allocated when first needed, so that a connection that
 * never compresses pays nothing. Negotiation is the core's (pmd.c).
 */
#ifndef DEFLATE_H
#define DEFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "ws.h"

struct conn_buf;
struct z_stream_s;

/* Defaults, chosen by measurement (docs/benchmarks.md, "Compression"):
 * our compressor's window and memLevel cost (1 << (bits + 2)) +
 * (1 << (mem + 9)) bytes, 32 KiB at 12 and 5 (zlib's 15 and 8: 256 KiB),
 * and a client that lets us cap its window gets ours, so our
 * decompressor's window is 4 KiB instead of 32. On a chat corpus,
 * window 11 compresses 11% worse; memLevel 4 as well as 5, for 8 KiB
 * less, but it takes 1.6 times as long over data that does not shrink
 * (its smaller hash table). Level 6 is zlib's own default. Messages under 48 bytes (a typing notice, the
 * hello exchange's) go uncompressed: compressing them gained 6% on that
 * corpus and would cost a compressor to connections that never send
 * anything longer. */
#define CONN_DEFLATE_WINDOW 12
#define CONN_DEFLATE_MEM_LEVEL 5
#define CONN_DEFLATE_LEVEL 6
#define CONN_DEFLATE_MIN 48

struct conn_deflate_opts {
	int on; /* client: offer it; server: accept an offer */
	int level; /* 1 to 9 */
	unsigned window; /* our largest window, 8 to 15 bits */
	int mem_level; /* 1 to 9 */
	size_t min; /* smaller messages go uncompressed */
};

struct conn_deflate {
	int on; /* negotiated */
	unsigned tx_bits, rx_bits; /* windows of our compressor, the peer's */
	int tx_reset, rx_reset; /* no context takeover, per direction */
	int level, mem_level;
	size_t min;
	struct z_stream_s *tx, *rx; /* NULL until first needed */
	int tx_failed; /* no compressor could be had: send as is */
	struct ws_utf8 utf8; /* of the text message being inflated */
};

/* Turns compression on with what was agreed, for our role. */
void conn_deflate_setup(struct conn_deflate *d,
    const struct conn_deflate_opts *o, const struct ws_pmd *agreed,
    enum ws_role role);
/* Compresses prefix and data as one message into out (cap bytes, at
 * least plen + len + 8). Returns the payload length, RFC 7692's tail
 * removed, or 0 when the message is to go uncompressed: below the
 * minimum, not smaller once compressed, or no compressor to be had. */
size_t conn_deflate_message(struct conn_deflate *d, const void *prefix,
    size_t plen, const void *data, size_t len, uint8_t *out, size_t cap);
/* Inflates one chunk of a compressed message onto out, whose length must
 * stay within limit; fin ends the message. Returns 0, or the close code
 * (1009 as soon as the limit is crossed, 1007 for invalid data, 1011
 * when out of memory) with *reason. */
unsigned conn_inflate_chunk(struct conn_deflate *d, const uint8_t *in, size_t n,
    int fin, struct conn_buf *out, uint64_t limit, const char **reason);
/* Inflates a data event of a compressed message onto msg (emptied by the
 * message's first frame), text checked as UTF-8 as it comes. Returns 0 or
 * the close code, as conn_inflate_chunk. */
unsigned conn_inflate_event(struct conn_deflate *d, const struct ws_event *ev,
    struct conn_buf *msg, uint64_t limit, const char **reason);
void conn_deflate_free(struct conn_deflate *d);

#endif
