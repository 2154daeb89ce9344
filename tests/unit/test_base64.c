/* SPDX-License-Identifier: ISC */
/*
 * Base64 (RFC 4648 vectors, strictness of the decoder) and
 * Sec-WebSocket-Accept (RFC 6455 section 1.3 and other known pairs).
 */
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

/* RFC 4648 section 10. */
static const struct {
	const char *plain, *coded;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

/* Inputs the strict decoder must refuse. */
static const struct {
	const char *name, *coded;
} invalid[] = {
	{ "length not a multiple of 4", "Zg=" },
	{ "padding missing", "Zg" },
	{ "one character", "Z" },
	{ "trailing bits set before ==", "Zh==" },
	{ "trailing bits set before =", "Zm9=" },
	{ "three pads", "Z===" },
	{ "four pads", "====" },
	{ "padding in the middle", "Zg==Zg==" },
	{ "pad then data", "Z=g=" },
	{ "space inside", "Zm 9" },
	{ "newline at end", "Zm9v\n   " },
	{ "URL-safe alphabet -", "Zm-v" },
	{ "URL-safe alphabet _", "Zm_v" },
	{ "non-ASCII byte", "Zm\xc3\xa9" },
	{ "NUL byte", "Zm\0v" },
};

/* Key -> Sec-WebSocket-Accept. */
static const struct {
	const char *name, *key, *accept;
} accepts[] = {
	{ "RFC 6455 section 1.3 example",
	    "dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" },
	{ "Wikipedia example",
	    "x3JJHMbDL1EzLkh9GBhXDw==", "HSmrc0sMlYUkAGmm5OPpG2HaGWk=" },
	/* the key is hashed as text, whether or not it decodes */
	{ "non-canonical key hashed as sent",
	    "AQIDBAUGBwgJCgsMDQ4PEC==", "OfS0wDaT5NoxF2gqm7Zj2YtetzM=" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_rfc4648(void)
{
	char enc[16];
	uint8_t dec[16];
	size_t i, pn, cn, n;
	long got;

	for (i = 0; i < NELEM(rfc4648); i++) {
		pn = strlen(rfc4648[i].plain);
		cn = strlen(rfc4648[i].coded);
		n = ws_base64_encode((const uint8_t *)rfc4648[i].plain, pn,
		    enc);
		is_mem(enc, n, rfc4648[i].coded, cn, "encode \"%s\"",
		    rfc4648[i].plain);
		got = ws_base64_decode(rfc4648[i].coded, cn, dec, sizeof(dec));
		is_mem(dec, got < 0 ? 0 : (size_t)got, rfc4648[i].plain, pn,
		    "decode \"%s\"", rfc4648[i].coded);
		is_int(got, (long)pn, "decode \"%s\" length", rfc4648[i].coded);
	}
}

static void
test_invalid(void)
{
	uint8_t dec[16];
	size_t i, n;

	for (i = 0; i < NELEM(invalid); i++) {
		/* "NUL byte" has an embedded NUL: its length is 4 */
		n = strlen(invalid[i].coded);
		if (strcmp(invalid[i].name, "NUL byte") == 0)
			n = 4;
		is_int(ws_base64_decode(invalid[i].coded, n, dec, sizeof(dec)),
		    -1, "refuse: %s", invalid[i].name);
	}
}

static void
test_cap(void)
{
	uint8_t dec[6];

	is_int(ws_base64_decode("Zm9vYmFy", 8, dec, 6), 6,
	    "decode into exactly enough room");
	is_int(ws_base64_decode("Zm9vYmFy", 8, dec, 5), -1,
	    "decode one byte over cap");
	is_int(ws_base64_decode("Zm9vYg==", 8, dec, 4), 4,
	    "padded decode into exactly enough room");
	is_int(ws_base64_decode("Zm9vYg==", 8, dec, 3), -1,
	    "padded decode over cap");
	is_int(ws_base64_decode("", 0, NULL, 0), 0, "empty input, no room");
}

/* Every byte value and every length up to 64 survives a round trip. */
static void
test_roundtrip(void)
{
	uint8_t in[256], dec[256];
	char enc[4 * ((256 + 2) / 3)];
	size_t i, n, bad = 0;
	long got;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	for (n = 0; n <= 64; n++) {
		got =
		    ws_base64_decode(enc, ws_base64_encode(in, n, enc), dec, n);
		if (got != (long)n || memcmp(in, dec, n) != 0)
			bad++;
	}
	is_int((long long)bad, 0, "round trip of lengths 0 to 64");
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)i;
	n = ws_base64_encode(in, sizeof(in), enc);
	is_int((long long)n, (long long)sizeof(enc), "256 bytes encode to %zu",
	    sizeof(enc));
	got = ws_base64_decode(enc, n, dec, sizeof(dec));
	ok(got == 256 && memcmp(in, dec, 256) == 0,
	    "round trip of all byte values");
}

static void
test_accept(void)
{
	char out[WS_ACCEPT_LEN + 1];
	size_t i;

	for (i = 0; i < NELEM(accepts); i++) {
		memset(out, 'x', sizeof(out));
		ws_accept_key(accepts[i].key, strlen(accepts[i].key), out);
		is_mem(out, strlen(out), accepts[i].accept, WS_ACCEPT_LEN,
		    "accept: %s", accepts[i].name);
	}
	/* only keylen bytes are hashed */
	ws_accept_key("dGhlIHNhbXBsZSBub25jZQ==trailing", 24, out);
	is_mem(out, strlen(out), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WS_ACCEPT_LEN,
	    "accept: key length respected");
}

int
main(void)
{
	test_rfc4648();
	test_invalid();
	test_cap();
	test_roundtrip();
	test_accept();
	return done_testing();
}
