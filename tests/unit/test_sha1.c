/* SPDX-License-Identifier: ISC */
/*
 * SHA-1: the FIPS 180 / RFC 3174 vectors fed whole and split at every
 * point, every length across the padding boundaries checked against
 * OpenSSL's digest, and the RFC 6455 accept vector.
 */
#define OPENSSL_API_COMPAT 0x10100000L
#include <openssl/sha.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name, *msg;
	unsigned repeat;
	const char *hex;
} vecs[] = {
	{ "empty", "", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
	{ "FIPS 180 \"abc\"", "abc", 1,
	    "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ "FIPS 180 two-block message",
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	    "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	{ "FIPS 180 a million 'a'", "a", 1000000,
	    "34aa973cd4c4daa4f61eeb2bdbad27316534016f" },
	{ "RFC 3174 test 4",
	    "0123456701234567012345670123456701234567"
	    "012345670123456701234567",
	    10, "dea356a2cddd90c7a7ecedc5ebb563934f460452" },
};

static void
hex(const uint8_t *md, char out[2 * WS_SHA1_LEN + 1])
{
	size_t i;

	for (i = 0; i < WS_SHA1_LEN; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The vector hashed with its input cut into two calls at split. */
static void
digest(size_t v, size_t split, char out[2 * WS_SHA1_LEN + 1])
{
	struct ws_sha1 s;
	uint8_t md[WS_SHA1_LEN];
	size_t n = strlen(vecs[v].msg);
	unsigned r;

	ws_sha1_init(&s);
	for (r = 0; r < vecs[v].repeat; r++) {
		if (split > n) {
			ws_sha1_update(&s, vecs[v].msg, n);
			continue;
		}
		ws_sha1_update(&s, vecs[v].msg, split);
		ws_sha1_update(&s, vecs[v].msg + split, n - split);
	}
	ws_sha1_final(&s, md);
	hex(md, out);
}

static void
test_vectors(void)
{
	char got[2 * WS_SHA1_LEN + 1];
	size_t v, split, n;
	int same;

	for (v = 0; v < NELEM(vecs); v++) {
		digest(v, (size_t)-1, got);
		is_mem(got, strlen(got), vecs[v].hex, 40, "%s, whole",
		    vecs[v].name);
		n = strlen(vecs[v].msg);
		same = 1;
		for (split = 0; split <= n; split++) {
			digest(v, split, got);
			same &= strcmp(got, vecs[v].hex) == 0;
		}
		ok(same, "%s, split at every point", vecs[v].name);
	}
}

/* Every length from 0 to 300 bytes crosses the 55/56/64-byte padding
 * cases several times; OpenSSL is the reference. */
static void
test_lengths(void)
{
	uint8_t msg[300], want[WS_SHA1_LEN], got[WS_SHA1_LEN];
	struct ws_sha1 s;
	size_t n, i, bad = (size_t)-1;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	for (n = 0; n <= sizeof(msg); n++) {
		SHA1(msg, n, want);
		ws_sha1_init(&s);
		for (i = 0; i < n; i++)
			ws_sha1_update(&s, msg + i, 1);
		ws_sha1_final(&s, got);
		if (memcmp(got, want, sizeof(got)) != 0 && bad == (size_t)-1)
			bad = n;
	}
	is_int((long long)bad, -1, "lengths 0-300 byte by byte match OpenSSL");
}

static void
test_accept(void)
{
	char out[WS_ACCEPT_LEN + 1];

	ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==", 24, out);
	is_mem(out, strlen(out), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28,
	    "RFC 6455 section 1.3 accept key");
}

int
main(void)
{
	test_vectors();
	test_lengths();
	test_accept();
	return done_testing();
}
