/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the frame building blocks: header encoding against the
 * RFC 6455 section 5.7 bytes, masking (whole and split at every point),
 * close payloads and the close-code table.
 */
#include <stdint.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define S(s) (const uint8_t *)(s), sizeof(s) - 1

static const uint8_t rfc_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

struct header_vec {
	const char *name;
	int fin, opcode;
	uint64_t len;
	const uint8_t *mask;
	const uint8_t *want;
	size_t wantn;
};

static const struct header_vec headers[] = {
	{ "RFC 5.7 unmasked text Hello", 1, WS_OP_TEXT, 5, NULL,
	    S("\x81\x05") },
	{ "RFC 5.7 masked text Hello", 1, WS_OP_TEXT, 5, rfc_key,
	    S("\x81\x85\x37\xfa\x21\x3d") },
	{ "RFC 5.7 first fragment Hel", 0, WS_OP_TEXT, 3, NULL, S("\x01\x03") },
	{ "RFC 5.7 last fragment lo", 1, WS_OP_CONT, 2, NULL, S("\x80\x02") },
	{ "RFC 5.7 unmasked ping", 1, WS_OP_PING, 5, NULL, S("\x89\x05") },
	{ "RFC 5.7 masked pong", 1, WS_OP_PONG, 5, rfc_key,
	    S("\x8a\x85\x37\xfa\x21\x3d") },
	{ "RFC 5.7 256-byte binary", 1, WS_OP_BINARY, 256, NULL,
	    S("\x82\x7e\x01\x00") },
	{ "RFC 5.7 64 KiB binary", 1, WS_OP_BINARY, 65536, NULL,
	    S("\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00") },
	{ "empty binary, not final", 0, WS_OP_BINARY, 0, NULL, S("\x02\x00") },
	{ "empty close", 1, WS_OP_CLOSE, 0, NULL, S("\x88\x00") },
	{ "125 fits 7 bits", 1, WS_OP_BINARY, 125, NULL, S("\x82\x7d") },
	{ "126 takes 16 bits", 1, WS_OP_BINARY, 126, NULL,
	    S("\x82\x7e\x00\x7e") },
	{ "65535 takes 16 bits", 1, WS_OP_BINARY, 65535, NULL,
	    S("\x82\x7e\xff\xff") },
	{ "2^63-1 takes 64 bits", 1, WS_OP_BINARY, 0x7fffffffffffffffull, NULL,
	    S("\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff") },
	{ "masked 64-bit: the longest header", 0, WS_OP_CONT,
	    0x0102030405060708ull, rfc_key,
	    S("\x00\xff\x01\x02\x03\x04\x05\x06\x07\x08\x37\xfa\x21\x3d") },
	{ "masked 16-bit", 1, WS_OP_TEXT, 300, rfc_key,
	    S("\x81\xfe\x01\x2c\x37\xfa\x21\x3d") },
};

static void
test_headers(void)
{
	uint8_t out[WS_FRAME_HEADER_MAX];
	size_t i, n;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		const struct header_vec *v = &headers[i];

		memset(out, 0xee, sizeof(out));
		n = ws_frame_header(out, v->fin, v->opcode, v->len, v->mask);
		is_mem(out, n, v->want, v->wantn, "header: %s", v->name);
	}
}

/* Whole RFC 5.7 frames: header then masked payload. */
static void
test_rfc_frames(void)
{
	static const uint8_t masked_hello[] = { 0x81, 0x85, 0x37, 0xfa, 0x21,
		0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	static const uint8_t masked_pong[] = { 0x8a, 0x85, 0x37, 0xfa, 0x21,
		0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
	uint8_t out[WS_FRAME_HEADER_MAX + 5];
	size_t n;

	n = ws_frame_header(out, 1, WS_OP_TEXT, 5, rfc_key);
	memcpy(out + n, "Hello", 5);
	ws_mask(out + n, 5, rfc_key, 0);
	is_mem(out, n + 5, masked_hello, sizeof(masked_hello),
	    "RFC 5.7 masked Hello frame, byte for byte");

	n = ws_frame_header(out, 1, WS_OP_PONG, 5, rfc_key);
	memcpy(out + n, "Hello", 5);
	ws_mask(out + n, 5, rfc_key, 0);
	is_mem(out, n + 5, masked_pong, sizeof(masked_pong),
	    "RFC 5.7 masked pong frame, byte for byte");
}

static void
ref_mask(uint8_t *p, size_t n, const uint8_t key[4], uint64_t offset)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] ^= key[(offset + i) % 4];
}

/* Every length 0-100 (a 32-byte turn, words and bytes after it) at every
 * offset 0-7 and every start alignment, against the byte-at-a-time
 * definition. */
static void
test_mask_reference(void)
{
	uint8_t a[128], b[128];
	size_t n, align, i;
	uint64_t off;
	int pass = 1;

	for (n = 0; n <= 100; n++)
		for (off = 0; off < 8; off++)
			for (align = 0; align < 8; align++) {
				for (i = 0; i < sizeof(a); i++)
					a[i] = b[i] = (uint8_t)(i * 31 + n);
				ws_mask(a + align, n, rfc_key, off);
				ref_mask(b + align, n, rfc_key, off);
				if (memcmp(a, b, sizeof(a)) != 0)
					pass = 0;
			}
	ok(pass,
	    "mask: every length, offset and alignment matches the "
	    "definition, no byte outside touched");
}

/* The result says whether all it left is ASCII: masked ASCII text gives
 * 1; one byte of 0x80 or more anywhere (a turn, a word, a byte after
 * them) gives 0. Every length, offset and alignment. */
static void
test_mask_ascii(void)
{
	uint8_t a[128];
	size_t n, align, i, bad;
	uint64_t off;
	int pass = 1;

	for (n = 0; n <= 100; n++)
		for (off = 0; off < 4; off++)
			for (align = 0; align < 8; align++) {
				for (i = 0; i < n; i++)
					a[align + i] = (uint8_t)('a' + i % 26);
				ref_mask(a + align, n, rfc_key, off);
				if (ws_mask(a + align, n, rfc_key, off) != 1)
					pass = 0;
				for (bad = 0; bad < n; bad++) {
					a[align + bad] |= 0x80;
					ref_mask(a + align, n, rfc_key, off);
					if (ws_mask(a + align, n, rfc_key,
						off) != 0)
						pass = 0;
					a[align + bad] &= 0x7f;
				}
			}
	ok(pass, "mask: says 1 for ASCII left, 0 for any byte of 0x80 or more");
}

/* Masking in two pieces, the second at offset k, equals masking whole:
 * what the decoder does when a payload arrives split. */
static void
test_mask_split(void)
{
	uint8_t whole[37], split[37];
	size_t k, i;
	int pass = 1;

	for (i = 0; i < sizeof(whole); i++)
		whole[i] = (uint8_t)(i + 'A');
	memcpy(split, whole, sizeof(whole));
	ws_mask(whole, sizeof(whole), rfc_key, 0);
	for (k = 0; k <= sizeof(split); k++) {
		for (i = 0; i < sizeof(split); i++)
			split[i] = (uint8_t)(i + 'A');
		ws_mask(split, k, rfc_key, 0);
		ws_mask(split + k, sizeof(split) - k, rfc_key, k);
		if (memcmp(whole, split, sizeof(whole)) != 0)
			pass = 0;
	}
	ok(pass, "mask: split at every point gives the same bytes");

	ws_mask(whole, sizeof(whole), rfc_key, 0);
	for (i = 0; i < sizeof(whole) && whole[i] == i + 'A'; i++)
		;
	is_int((long long)i, sizeof(whole), "mask: is its own inverse");

	memcpy(whole, "Hello", 5);
	ws_mask(whole, 5, rfc_key, 0);
	is_mem(whole, 5, "\x7f\x9f\x4d\x51\x58", 5, "mask: RFC 5.7 Hello");
	memcpy(whole, "lo", 2);
	ws_mask(whole, 2, rfc_key, 3 + 4 * 1000000001ull);
	is_mem(whole, 2, "\x51\x58", 2, "mask: large offset keeps the phase");
}

struct close_vec {
	const char *name;
	unsigned code;
	const char *reason;
	size_t want_reason; /* how many bytes of reason are kept */
};

/* Reasons built in main from these prefixes and tails. */
static char r123[124], r124[125], r122e[125], r121e[124], r121eur[125],
    r120eur[124], r122g[127], r119g[124], rlong[400];

static const struct close_vec closes[] = {
	{ "code 0 gives nothing", 0, "ignored", 0 },
	{ "code alone", 1000, "", 0 },
	{ "NULL reason", 1000, NULL, 0 },
	{ "short reason", 1001, "bye", 3 },
	{ "123 ASCII fit exactly", 1000, r123, 123 },
	{ "124 ASCII: cut to 123", 1000, r124, 123 },
	{ "400 ASCII: cut to 123", 1000, rlong, 123 },
	{ "121 + 2-byte fit", 1000, r121e, 123 },
	{ "122 + 2-byte: cut before it", 1000, r122e, 122 },
	{ "120 + 3-byte fit", 1000, r120eur, 123 },
	{ "121 + 3-byte: cut before it", 1000, r121eur, 121 },
	{ "119 + 4-byte fit", 1000, r119g, 123 },
	{ "122 + 4-byte: cut before it", 1000, r122g, 122 },
};

static void
fill(char *s, size_t ascii, const char *tail)
{
	memset(s, 'r', ascii);
	strcpy(s + ascii, tail);
}

static void
test_close_payload(void)
{
	uint8_t out[WS_MAX_CONTROL], want[WS_MAX_CONTROL];
	size_t i, n;

	fill(r123, 123, "");
	fill(r124, 124, "");
	fill(rlong, 399, "");
	fill(r121e, 121, "\xc3\xa9");
	fill(r122e, 122, "\xc3\xa9");
	fill(r120eur, 120, "\xe2\x82\xac");
	fill(r121eur, 121, "\xe2\x82\xac");
	fill(r119g, 119, "\xf0\x9d\x84\x9e");
	fill(r122g, 122, "\xf0\x9d\x84\x9e");
	for (i = 0; i < sizeof(closes) / sizeof(closes[0]); i++) {
		const struct close_vec *v = &closes[i];
		size_t wantn = 0;

		if (v->code != 0) {
			want[0] = (uint8_t)(v->code >> 8);
			want[1] = (uint8_t)v->code;
			memcpy(want + 2, v->reason ? v->reason : "",
			    v->want_reason);
			wantn = 2 + v->want_reason;
		}
		n = ws_close_payload(out, v->code, v->reason);
		is_mem(out, n, want, wantn, "close payload: %s", v->name);
		ok(n < 2 || ws_utf8_valid(out + 2, n - 2),
		    "close payload: %s: reason is valid UTF-8", v->name);
	}
}

struct code_vec {
	unsigned code;
	int valid;
};

static const struct code_vec codes[] = {
	{ 0, 0 },
	{ 999, 0 },
	{ 1000, 1 },
	{ 1001, 1 },
	{ 1002, 1 },
	{ 1003, 1 },
	{ 1004, 0 },
	{ 1005, 0 },
	{ 1006, 0 },
	{ 1007, 1 },
	{ 1008, 1 },
	{ 1009, 1 },
	{ 1010, 1 },
	{ 1011, 1 },
	{ 1012, 1 },
	{ 1013, 1 },
	{ 1014, 1 },
	{ 1015, 0 },
	{ 1016, 0 },
	{ 1100, 0 },
	{ 2000, 0 },
	{ 2999, 0 },
	{ 3000, 1 },
	{ 3999, 1 },
	{ 4000, 1 },
	{ 4999, 1 },
	{ 5000, 0 },
	{ 65535, 0 },
	{ 65536 + 1000, 0 },
};

static void
test_close_codes(void)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		is_int(ws_close_code_valid(codes[i].code), codes[i].valid,
		    "close code %u is %s", codes[i].code,
		    codes[i].valid ? "valid" : "invalid");
}

int
main(void)
{
	test_headers();
	test_rfc_frames();
	test_mask_reference();
	test_mask_ascii();
	test_mask_split();
	test_close_payload();
	test_close_codes();
	return done_testing();
}
