/* SPDX-License-Identifier: ISC */
/*
 * Base64 (RFC 4648 section 4, standard alphabet, padded) for handshake
 * keys. The decoder is strict: a key that is not canonical is refused.
 */
#include <stddef.h>
#include <stdint.h>

#include "ws.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
ws_base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[v >> 12 & 0x3f];
		out[o++] = alphabet[v >> 6 & 0x3f];
		out[o++] = alphabet[v & 0x3f];
	}
	if (i < n) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[v >> 12 & 0x3f];
		out[o++] = i + 1 < n ? alphabet[v >> 6 & 0x3f] : '=';
		out[o++] = '=';
	}
	return o;
}

/* The 6-bit value of an alphabet character, or -1. */
static int
sextet(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decodes one group of four characters into up to three bytes; the
 * last group may end in one or two '='. Returns the byte count or -1.
 * Bits below the last byte must be zero, so each byte string has one
 * encoding only.
 */
static int
group(const char *in, int last, uint8_t b[3])
{
	int s[4], i, pad = 0;
	uint32_t v = 0;

	if (last && in[3] == '=')
		pad = in[2] == '=' ? 2 : 1;
	for (i = 0; i < 4 - pad; i++) {
		if ((s[i] = sextet((unsigned char)in[i])) == -1)
			return -1;
		v |= (uint32_t)s[i] << (18 - 6 * i);
	}
	if ((pad == 2 && (v & 0xffff) != 0) || (pad == 1 && (v & 0xff) != 0))
		return -1;
	b[0] = v >> 16;
	b[1] = v >> 8 & 0xff;
	b[2] = v & 0xff;
	return 3 - pad;
}

long
ws_base64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
	uint8_t b[3];
	size_t i, o = 0;
	int j, k;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		if ((k = group(in + i, i + 4 == n, b)) == -1)
			return -1;
		if ((size_t)k > cap - o)
			return -1;
		for (j = 0; j < k; j++)
			out[o++] = b[j];
	}
	return (long)o;
}
