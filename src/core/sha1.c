/* SPDX-License-Identifier: ISC */
/*
 * SHA-1 (FIPS 180-4, RFC 3174) for Sec-WebSocket-Accept only: the
 * handshake needs one 60-byte digest per connection, and linking a crypto
 * library for it costs more at start-up than the digest itself. SHA-1 is
 * not used here for anything that needs collision resistance.
 */
#include <string.h>

#include "ws.h"

static uint32_t
rol(uint32_t x, unsigned n)
{
	return x << n | x >> (32 - n);
}

static uint32_t
load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The round function and constant of round t (FIPS 180-4 4.1.1, 4.2.1). */
static uint32_t
round_f(unsigned t, uint32_t b, uint32_t c, uint32_t d)
{
	if (t < 20)
		return ((b & c) | (~b & d)) + 0x5a827999u;
	if (t < 40)
		return (b ^ c ^ d) + 0x6ed9eba1u;
	if (t < 60)
		return ((b & c) | (b & d) | (c & d)) + 0x8f1bbcdcu;
	return (b ^ c ^ d) + 0xca62c1d6u;
}

static void
compress(uint32_t h[5], const uint8_t block[64])
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], t;
	unsigned i;

	for (i = 0; i < 16; i++)
		w[i] = load_be32(block + 4 * i);
	for (; i < 80; i++)
		w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++) {
		t = rol(a, 5) + round_f(i, b, c, d) + e + w[i];
		e = d;
		d = c;
		c = rol(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void
ws_sha1_init(struct ws_sha1 *s)
{
	static const uint32_t iv[5] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu,
		0x10325476u, 0xc3d2e1f0u };

	memcpy(s->h, iv, sizeof(iv));
	s->len = 0;
}

void
ws_sha1_update(struct ws_sha1 *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	size_t have = (size_t)(s->len % 64), take;

	s->len += n;
	while (n > 0) {
		take = 64 - have < n ? 64 - have : n;
		memcpy(s->buf + have, p, take);
		have += take;
		p += take;
		n -= take;
		if (have == 64) {
			compress(s->h, s->buf);
			have = 0;
		}
	}
}

void
ws_sha1_final(struct ws_sha1 *s, uint8_t out[WS_SHA1_LEN])
{
	uint64_t bits = s->len * 8;
	size_t have = (size_t)(s->len % 64);
	unsigned i;

	/* 0x80, zeros up to 56 mod 64, then the bit length big-endian. */
	s->buf[have++] = 0x80;
	if (have > 56) {
		memset(s->buf + have, 0, 64 - have);
		compress(s->h, s->buf);
		have = 0;
	}
	memset(s->buf + have, 0, 56 - have);
	for (i = 0; i < 8; i++)
		s->buf[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	compress(s->h, s->buf);
	for (i = 0; i < 20; i++)
		out[i] = (uint8_t)(s->h[i / 4] >> (24 - 8 * (i % 4)));
}
