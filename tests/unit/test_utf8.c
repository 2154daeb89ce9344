/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the incremental UTF-8 validator: Markus Kuhn-style cases,
 * each fed whole, byte by byte and split at every point, with the index of
 * the first refused byte asserted exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "ws.h"

#define OK ((size_t)-1) /* no byte refused */
#define S(s) (const uint8_t *)(s), sizeof(s) - 1

struct vec {
	const char *name;
	const uint8_t *p;
	size_t n;
	size_t bad; /* index of the first refused byte, or OK */
	int complete; /* ends on a character boundary (when not refused) */
};

static const struct vec vecs[] = {
	{ "empty", S(""), OK, 1 },
	{ "ASCII", S("hello, world"), OK, 1 },
	{ "U+0000", S("\0"), OK, 1 },
	{ "U+007F, last 1-byte", S("\x7f"), OK, 1 },
	{ "U+0080, first 2-byte", S("\xc2\x80"), OK, 1 },
	{ "U+07FF, last 2-byte", S("\xdf\xbf"), OK, 1 },
	{ "U+0800, first 3-byte", S("\xe0\xa0\x80"), OK, 1 },
	{ "U+D7FF, before surrogates", S("\xed\x9f\xbf"), OK, 1 },
	{ "U+E000, after surrogates", S("\xee\x80\x80"), OK, 1 },
	{ "U+FFFD", S("\xef\xbf\xbd"), OK, 1 },
	{ "U+FFFF, last 3-byte", S("\xef\xbf\xbf"), OK, 1 },
	{ "U+10000, first 4-byte", S("\xf0\x90\x80\x80"), OK, 1 },
	{ "U+10FFFF, last code point", S("\xf4\x8f\xbf\xbf"), OK, 1 },
	{ "Greek kosme", S("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"), OK,
	    1 },
	{ "kosme then surrogate ED A0 80: refused at A0",
	    S("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80"), 12,
	    0 },
	{ "mixed widths",
	    S("a\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e"
	      "z"),
	    OK, 1 },

	{ "overlong '/' C0 AF", S("\xc0\xaf"), 0, 0 },
	{ "overlong C1 BF", S("\xc1\xbf"), 0, 0 },
	{ "overlong '/' E0 80 AF", S("\xe0\x80\xaf"), 1, 0 },
	{ "overlong U+07FF E0 9F BF", S("\xe0\x9f\xbf"), 1, 0 },
	{ "overlong '/' F0 80 80 AF", S("\xf0\x80\x80\xaf"), 1, 0 },
	{ "overlong U+FFFF F0 8F BF BF", S("\xf0\x8f\xbf\xbf"), 1, 0 },
	{ "5-byte form F8", S("\xf8\x88\x80\x80\x80"), 0, 0 },
	{ "6-byte form FC", S("\xfc\x84\x80\x80\x80\x80"), 0, 0 },
	{ "overlong NUL after ASCII", S("ab\xc0\x80"), 2, 0 },

	{ "surrogate U+D800 ED A0 80", S("\xed\xa0\x80"), 1, 0 },
	{ "surrogate U+DFFF ED BF BF", S("\xed\xbf\xbf"), 1, 0 },
	{ "surrogate pair", S("\xed\xa0\x80\xed\xb0\x80"), 1, 0 },

	{ "U+110000 F4 90 80 80", S("\xf4\x90\x80\x80"), 1, 0 },
	{ "F5 lead", S("\xf5\x80\x80\x80"), 0, 0 },
	{ "F7 BF BF BF", S("\xf7\xbf\xbf\xbf"), 0, 0 },
	{ "FE", S("\xfe"), 0, 0 },
	{ "FF", S("\xff"), 0, 0 },

	{ "lone continuation 80", S("\x80"), 0, 0 },
	{ "lone continuation BF", S("\xbf"), 0, 0 },
	{ "continuation after ASCII", S("a\x80"), 1, 0 },
	{ "extra continuation", S("\xc2\x80\x80"), 2, 0 },
	{ "continuation after 4-byte", S("\xf0\x90\x80\x80\x80"), 4, 0 },

	{ "truncated 2-byte", S("\xc2"), OK, 0 },
	{ "truncated 3-byte after 1", S("\xe0"), OK, 0 },
	{ "truncated 3-byte after 2", S("\xe0\xa0"), OK, 0 },
	{ "truncated 4-byte after 3", S("\xf0\x90\x80"), OK, 0 },
	{ "truncated ED after 1", S("ab\xed"), OK, 0 },
	{ "2-byte cut by ASCII",
	    S("\xc2"
	      "A"),
	    1, 0 },
	{ "3-byte cut by ASCII",
	    S("\xe1\x80"
	      "A"),
	    2, 0 },
	{ "4-byte cut by ASCII",
	    S("\xf1\x80\x80"
	      "A"),
	    3, 0 },
	{ "2-byte cut by a lead", S("\xc2\xc2\x80"), 1, 0 },
	{ "4-byte cut by a lead", S("\xf0\x90\xe0\xa0\x80"), 2, 0 },

	{ "bad byte after 8 ASCII", S("abcdefgh\xff"), 8, 0 },
	{ "bad byte after 16 ASCII", S("abcdefghijklmnop\x80"), 16, 0 },
	{ "bad byte after 17 ASCII", S("abcdefghijklmnopq\xc0\x80"), 17, 0 },
	{ "2-byte straddling a word",
	    S("abcdefg\xc3\xa9"
	      "abcdefgh"),
	    OK, 1 },
};

/* Feeds v in pieces ending at the given cuts (the last is v->n). Returns
 * the index of the first refused byte or OK, with *complete set. Checks
 * that the state stays refused. */
static size_t
feed(const struct vec *v, const size_t *cuts, size_t ncuts, int *complete,
    int *sticky)
{
	struct ws_utf8 u = { 0 };
	size_t at = 0, i, got;

	*sticky = 1;
	for (i = 0; i < ncuts; i++) {
		got = ws_utf8_feed(&u, v->p + at, cuts[i] - at);
		if (got < cuts[i] - at) {
			*complete = ws_utf8_complete(&u);
			*sticky = ws_utf8_feed(&u, S("a")) == 0 &&
			    !ws_utf8_complete(&u);
			return at + got;
		}
		at = cuts[i];
	}
	*complete = ws_utf8_complete(&u);
	return OK;
}

static int
check(const struct vec *v, const size_t *cuts, size_t ncuts, size_t *bad)
{
	int complete, sticky;

	*bad = feed(v, cuts, ncuts, &complete, &sticky);
	if (*bad != v->bad || !sticky)
		return 0;
	return v->bad != OK ? !complete : complete == v->complete;
}

static void
run(const struct vec *v)
{
	size_t cuts[64], i, k, bad, n = v->n;
	int pass = 1;

	cuts[0] = n;
	check(v, cuts, 1, &bad);
	is_int((long long)bad, (long long)v->bad, "%s: whole, refused at",
	    v->name);
	ok(check(v, cuts, 1, &bad), "%s: whole, completeness and stickiness",
	    v->name);

	for (i = 0; i < n; i++)
		cuts[i] = i + 1;
	ok(n == 0 || check(v, cuts, n, &bad), "%s: byte by byte", v->name);

	for (k = 0; k <= n; k++) {
		cuts[0] = k;
		cuts[1] = n;
		if (!check(v, cuts, 2, &bad)) {
			printf("# split at %zu: refused at %lld\n", k,
			    (long long)bad);
			pass = 0;
		}
	}
	ok(pass, "%s: split at every point", v->name);

	is_int(ws_utf8_valid(v->p, n), v->bad == OK && v->complete,
	    "%s: ws_utf8_valid", v->name);
}

/* The word-at-a-time path must find a bad byte at any alignment, and let
 * a multi-byte character through at any alignment. */
static void
alignment(void)
{
	uint8_t buf[48];
	size_t i, n = sizeof(buf);
	struct ws_utf8 u;
	int pass_bad = 1, pass_good = 1;

	for (i = 0; i + 2 <= n; i++) {
		memset(buf, 'x', n);
		buf[i] = 0xff;
		memset(&u, 0, sizeof(u));
		if (ws_utf8_feed(&u, buf, n) != i)
			pass_bad = 0;
		buf[i] = 0xc3;
		buf[i + 1] = 0xa9;
		if (!ws_utf8_valid(buf, n))
			pass_good = 0;
	}
	ok(pass_bad, "bad byte found at every offset of a 48-byte run");
	ok(pass_good, "2-byte character accepted at every offset");
	ok(ws_utf8_valid(buf + 1, n - 1), "unaligned start");
}

/* An independent, decoding reference: the slow way, by the definition. */
static int
ref_valid(const uint8_t *p, size_t n)
{
	static const uint32_t min[5] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t i = 0, len, k;
	uint32_t c;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		len = (p[i] & 0xe0) == 0xc0 ? 2
		    : (p[i] & 0xf0) == 0xe0 ? 3
		    : (p[i] & 0xf8) == 0xf0 ? 4
					    : 0;
		if (len == 0 || n - i < len)
			return 0;
		c = p[i] & (0x7f >> len);
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
			return 0;
		i += len;
	}
	return 1;
}

/* Every string of up to 3 bytes, and 4-byte ones around the interesting
 * ranges, agree with the reference. */
static void
exhaustive(void)
{
	uint8_t b[4];
	uint32_t x, y, bad = 0;

	for (x = 0; x < 1u << 24; x++) {
		b[0] = x >> 16, b[1] = x >> 8, b[2] = (uint8_t)x;
		if (ws_utf8_valid(b, 3) != ref_valid(b, 3) ||
		    (x < 1u << 16 &&
			(ws_utf8_valid(b + 1, 2) != ref_valid(b + 1, 2) ||
			    ws_utf8_valid(b + 2, 1) != ref_valid(b + 2, 1))))
			bad++;
	}
	is_int(bad, 0, "all strings of 1 to 3 bytes agree with a reference");
	bad = 0;
	for (x = 0xf0; x <= 0xff; x++)
		for (y = 0; y < 64 * 64 * 64; y++) {
			b[0] = (uint8_t)x;
			b[1] = 0x7f + (y >> 12);
			b[2] = 0x7f + (y >> 6 & 63);
			b[3] = 0x7f + (y & 63);
			if (ws_utf8_valid(b, 4) != ref_valid(b, 4))
				bad++;
		}
	is_int(bad, 0, "4-byte strings F0-FF x 7F-BE agree with a reference");
}

/* The same 3-byte strings with ASCII after them, so that the
 * character-at-a-time path (which needs 4 bytes in view) judges them. */
static void
exhaustive_fast(void)
{
	uint8_t b[8];
	uint32_t x, bad = 0;

	memset(b, 'a', sizeof(b));
	for (x = 0; x < 1u << 24; x++) {
		b[0] = x >> 16, b[1] = x >> 8, b[2] = (uint8_t)x;
		if (ws_utf8_valid(b, 4) != ref_valid(b, 4) ||
		    ws_utf8_valid(b, 8) != ref_valid(b, 8))
			bad++;
	}
	is_int(bad, 0,
	    "1- to 3-byte strings followed by ASCII agree with a "
	    "reference");
}

/* The slow path alone: one byte per call never leaves 4 bytes in view. */
static size_t
refused_at_byte_by_byte(const uint8_t *p, size_t n)
{
	struct ws_utf8 u = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		if (ws_utf8_feed(&u, p + i, 1) == 0)
			return i;
	return OK;
}

static size_t
refused_at_whole(const uint8_t *p, size_t n)
{
	struct ws_utf8 u = { 0 };
	size_t got = ws_utf8_feed(&u, p, n);

	return got == n ? OK : got;
}

/* Every vector after 0-15 bytes of ASCII or 2-byte characters and
 * followed by ASCII, so each lands at every alignment of the word and
 * character paths: refused at the same byte as byte by byte. */
static void
vectors_at_every_alignment(void)
{
	uint8_t buf[128];
	size_t v, pad, n, k, mismatches = 0;
	int style;

	for (v = 0; v < sizeof(vecs) / sizeof(vecs[0]); v++)
		for (style = 0; style < 2; style++)
			for (pad = 0; pad < 16; pad++) {
				for (k = 0; k < pad; k++)
					buf[k] = style == 0 ||
						k >= (pad & ~(size_t)1)
					    ? 'p'
					    : k % 2 == 0 ? 0xc3
							 : 0xa9;
				memcpy(buf + pad, vecs[v].p, vecs[v].n);
				n = pad + vecs[v].n;
				memcpy(buf + n, "tail-ascii", 10);
				n += 10;
				if (refused_at_whole(buf, n) !=
				    refused_at_byte_by_byte(buf, n)) {
					printf("# %s after %zu bytes (style "
					       "%d)\n",
					    vecs[v].name, pad, style);
					mismatches++;
				}
			}
	is_int((long long)mismatches, 0,
	    "every vector at every alignment: refused where byte by byte is");
}

static void
refused_stays_refused(void)
{
	struct ws_utf8 u = { 0 };

	is_int((long long)ws_utf8_feed(&u, S("a\xff")), 1, "refused at 1");
	is_int((long long)ws_utf8_feed(&u, S("abc")), 0,
	    "then nothing is accepted");
	is_int((long long)ws_utf8_feed(&u, S("\xc2\x80")), 0,
	    "not even a valid character");
	ok(!ws_utf8_complete(&u), "and it is not complete");
	is_int((long long)ws_utf8_feed(&u, S("\xff\x80\x80")), 0,
	    "nor FF, whatever follows");
	ok(!ws_utf8_complete(&u), "and it is still not complete");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		run(&vecs[i]);
	alignment();
	exhaustive();
	exhaustive_fast();
	vectors_at_every_alignment();
	refused_stays_refused();
	return done_testing();
}
