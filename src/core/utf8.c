/* SPDX-License-Identifier: ISC */
/*
 * Incremental UTF-8 validator (RFC 3629): refuses a sequence at the first
 * byte that rules it out and stays refused. It never decodes code points.
 */
#include <string.h>

#include "ws.h"

/*
 * The state between calls, so a character may straddle fragments: 0
 * between characters, else the continuation bytes still needed (bits 0-7)
 * and the range the next one must fall in (low in 8-15, high in 16-23).
 * Narrowing the range of the second byte is what rules out overlongs,
 * surrogates and code points above U+10FFFF without decoding.
 */
#define REFUSED 0xffffffffu
#define ASCII_MASK 0x8080808080808080ull

static uint32_t
pending(unsigned need, unsigned lo, unsigned hi)
{
	return (uint32_t)need | (uint32_t)lo << 8 | (uint32_t)hi << 16;
}

static uint32_t
lead(uint8_t b)
{
	if (b < 0x80)
		return 0;
	if (b < 0xc2) /* stray continuation, or C0/C1: overlong ASCII */
		return REFUSED;
	if (b < 0xe0)
		return pending(1, 0x80, 0xbf);
	if (b == 0xe0) /* E0 80..9F would be overlong */
		return pending(2, 0xa0, 0xbf);
	if (b == 0xed) /* ED A0..BF are the surrogates */
		return pending(2, 0x80, 0x9f);
	if (b < 0xf0)
		return pending(2, 0x80, 0xbf);
	if (b == 0xf0) /* F0 80..8F would be overlong */
		return pending(3, 0x90, 0xbf);
	if (b < 0xf4)
		return pending(3, 0x80, 0xbf);
	if (b == 0xf4) /* F4 90.. is above U+10FFFF */
		return pending(3, 0x80, 0x8f);
	return REFUSED;
}

static uint32_t
step(uint32_t s, uint8_t b)
{
	unsigned need = s & 0xff, lo = s >> 8 & 0xff, hi = s >> 16 & 0xff;

	if (s == 0)
		return lead(b);
	if (b < lo || b > hi)
		return REFUSED;
	return need == 1 ? 0 : pending(need - 1, 0x80, 0xbf);
}

/* Length of the ASCII run at p; text is mostly ASCII, so go 8 at a time. */
static size_t
ascii_run(const uint8_t *p, size_t n)
{
	uint64_t w;
	size_t i = 0;

	while (n - i >= 8) {
		memcpy(&w, p + i, sizeof(w));
		if (w & ASCII_MASK)
			break;
		i += 8;
	}
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

static int
cont(uint8_t b)
{
	return (b & 0xc0) == 0x80;
}

/* Length of the next character at p when it is whole and valid, else 0;
 * p has at least 4 bytes. The same ranges as lead(), checked in one go
 * instead of a state per byte. */
static size_t
whole_char(const uint8_t *p)
{
	uint8_t b = p[0], c = p[1];

	if (b >= 0xc2 && b < 0xe0)
		return cont(c) ? 2 : 0;
	if (b >= 0xe0 && b < 0xf0) {
		if ((b == 0xe0 && c < 0xa0) || (b == 0xed && c > 0x9f))
			return 0;
		return cont(c) && cont(p[2]) ? 3 : 0;
	}
	if (b >= 0xf0 && b <= 0xf4) {
		if ((b == 0xf0 && c < 0x90) || (b == 0xf4 && c > 0x8f))
			return 0;
		return cont(c) && cont(p[2]) && cont(p[3]) ? 4 : 0;
	}
	return 0;
}

/* The longest run of whole valid characters at p that leaves at least 3
 * bytes: ASCII a word at a time, the rest a character at a time. It
 * stops before anything doubtful, which step() then decides byte by
 * byte, so a refusal is still reported at the exact byte. */
static size_t
fast_run(const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	while (n - i >= 4) {
		if (p[i] < 0x80) {
			i += ascii_run(p + i, n - i - 3);
			continue;
		}
		if ((k = whole_char(p + i)) == 0)
			break;
		i += k;
	}
	return i;
}

size_t
ws_utf8_feed(struct ws_utf8 *u, const uint8_t *p, size_t n)
{
	uint32_t s = u->state;
	size_t i = 0;

	if (s == REFUSED)
		return 0;
	while (i < n) {
		if (s == 0) {
			i += n - i >= 4 ? fast_run(p + i, n - i)
					: ascii_run(p + i, n - i);
			if (i == n)
				break;
		}
		s = step(s, p[i]);
		if (s == REFUSED)
			break;
		i++;
	}
	u->state = s;
	return i;
}

int
ws_utf8_complete(const struct ws_utf8 *u)
{
	return u->state == 0;
}

int
ws_utf8_valid(const uint8_t *p, size_t n)
{
	struct ws_utf8 u = { 0 };

	return ws_utf8_feed(&u, p, n) == n && ws_utf8_complete(&u);
}
