/* SPDX-License-Identifier: ISC */
/*
 * Frame building blocks (RFC 6455 section 5): header encoding, masking,
 * close payloads and close-code rules. The decoder lives in msg.c.
 */
#include <string.h>

#include "ws.h"

/* Writes the payload length in its shortest form; returns the header
 * length so far. */
static size_t
put_length(uint8_t *out, uint64_t len)
{
	int i;

	if (len < 126) {
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[1] = 126;
		out[2] = (uint8_t)(len >> 8);
		out[3] = (uint8_t)len;
		return 4;
	}
	out[1] = 127;
	for (i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
	return 10;
}

size_t
ws_frame_header(uint8_t out[WS_FRAME_HEADER_MAX], int fin, int opcode,
    uint64_t len, const uint8_t mask[4])
{
	size_t n;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | (opcode & 0x0f));
	n = put_length(out, len);
	if (mask != NULL) {
		out[1] |= 0x80;
		memcpy(out + n, mask, 4);
		n += 4;
	}
	return n;
}

/* The mask applied to the 8-byte word at p; what is left ORed into seen. */
static inline void
mask_word(uint8_t *p, uint64_t k, uint64_t *seen)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
	w ^= k;
	*seen |= w;
	memcpy(p, &w, sizeof(w));
}

int
ws_mask(uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset)
{
	const uint64_t high = 0x8080808080808080ull;
	uint64_t k, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	uint8_t key[8];
	size_t i;

	/* The key rotated to start at offset, twice, so that 8-byte words
	 * (a multiple of 4) all see it in the same phase. */
	for (i = 0; i < 4; i++)
		key[i] = mask[(offset + i) % 4];
	memcpy(key + 4, key, 4);
	memcpy(&k, key, sizeof(k));
	/* Four words a turn, each with its own ORed result, which the
	 * compiler may do as two vectors: the loop's own cost is most of a
	 * word's. */
	for (i = 0; n - i >= 32; i += 32) {
		mask_word(p + i, k, &s0);
		mask_word(p + i + 8, k, &s1);
		mask_word(p + i + 16, k, &s2);
		mask_word(p + i + 24, k, &s3);
	}
	for (; n - i >= 8; i += 8)
		mask_word(p + i, k, &s0);
	for (; i < n; i++) {
		p[i] ^= key[i % 4];
		s1 |= p[i];
	}
	return ((s0 | s1 | s2 | s3) & high) == 0;
}

/* Length of the longest prefix of s that fits max bytes and does not
 * cut a UTF-8 character in two. */
static size_t
utf8_prefix(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	/* s[n] is readable: either the NUL or a byte before it. Back off
	 * while the first byte left out continues a character. */
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

size_t
ws_close_payload(uint8_t out[WS_MAX_CONTROL], unsigned code, const char *reason)
{
	size_t n = 0;

	if (code == 0)
		return 0;
	out[0] = (uint8_t)(code >> 8);
	out[1] = (uint8_t)code;
	if (reason != NULL) {
		n = utf8_prefix(reason, WS_MAX_CONTROL - 2);
		memcpy(out + 2, reason, n);
	}
	return 2 + n;
}

int
ws_close_code_valid(unsigned code)
{
	/* 1004 is reserved, 1005 and 1006 mean "none" and "lost" and 1015
	 * a TLS failure: they only exist locally. 1016-2999 are unassigned
	 * protocol codes; 3000-4999 belong to libraries and applications. */
	return (code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}
